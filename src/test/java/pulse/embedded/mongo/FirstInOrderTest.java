package pulse.embedded.mongo;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The first elements in an order are those of a stable sort, ties included. */
class FirstInOrderTest {

    /** A value to order by, and where it was in the sequence (to tell ties apart). */
    record Element(int value, int index) {
    }

    private static final Comparator<Element> BY_VALUE = Comparator.comparingInt(Element::value);

    @Test
    void givesWhatAStableSortLimitedToTheCountGives() {
        Random random = new Random(7);
        for (int round = 0; round < 500; round++) {
            List<Element> elements = new ArrayList<>();
            int size = random.nextInt(60);
            int distinct = 1 + random.nextInt(20); // few distinct values: many ties
            for (int i = 0; i < size; i++) {
                elements.add(new Element(random.nextInt(distinct), i));
            }
            Comparator<Element> order = random.nextBoolean() ? BY_VALUE : BY_VALUE.reversed();
            int count = 1 + random.nextInt(10);

            assertThat(FirstInOrder.first(elements.iterator(), order, count)).as("round %d", round)
                    .containsExactlyElementsOf(elements.stream().sorted(order).limit(count).toList());
        }
    }

    @Test
    void anEmptySequenceHasNoFirstElements() {
        assertThat(FirstInOrder.first(List.<Element>of().iterator(), BY_VALUE, 1)).isEmpty();
    }

    @Test
    void aCountBelowOneIsRefused() {
        assertThatThrownBy(() -> FirstInOrder.first(List.<Element>of().iterator(), BY_VALUE, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
