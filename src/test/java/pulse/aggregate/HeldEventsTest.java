package pulse.aggregate;

import org.junit.jupiter.api.Test;
import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HeldEventsTest {

    private static final InteractionType[] TYPES = {InteractionType.VIEW, InteractionType.CLICK, InteractionType.PURCHASE};

    /** Events with ids, times to the nanosecond (before 1970 too), every partition and type: what a fold receives. */
    private static List<ConsumedEvent> events(int count, int firstOffset) {
        List<ConsumedEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Instant time = Instant.parse("1969-12-31T23:59:58Z").plusNanos(1_234_567L * (i + firstOffset) * 997);
            InteractionEvent event = new InteractionEvent("event-" + i, 1, "user-" + i % 7, "item-" + i % 5,
                    TYPES[i % 3], time);
            events.add(new ConsumedEvent(event, i % 4, firstOffset + i));
        }
        return events;
    }

    /** What the fold keeps of an event: everything but its event id. */
    private static ConsumedEvent withoutEventId(ConsumedEvent consumed) {
        InteractionEvent event = consumed.event();
        return new ConsumedEvent(new InteractionEvent(null, event.schemaVersion(), event.userId(), event.itemId(),
                event.type(), event.timestamp()), consumed.partition(), consumed.offset());
    }

    private static HeldEvents hold(List<ConsumedEvent> events) {
        HeldEvents held = new HeldEvents();
        events.forEach(event -> held.add(event, event.event().userId(), event.event().itemId()));
        return held;
    }

    @Test
    void anEventReadBackEqualsTheOneAddedWithoutItsEventId() {
        List<ConsumedEvent> added = events(1_000, 0); // past the first arrays' 16 slots, several times

        HeldEvents held = hold(added);

        assertThat(held).hasSize(1_000).containsExactlyElementsOf(added.stream().map(HeldEventsTest::withoutEventId).toList());
        for (int i = 0; i < added.size(); i++) {
            InteractionEvent event = added.get(i).event();
            assertThat(held.userId(i)).isEqualTo(event.userId());
            assertThat(held.itemId(i)).isEqualTo(event.itemId());
            assertThat(held.partition(i)).isEqualTo(added.get(i).partition());
            assertThat(held.epochMillis(i)).as("event %d at %s", i, event.timestamp()).isEqualTo(event.timestamp().toEpochMilli());
        }
    }

    @Test
    void heldIdsAreTheStringsGivenNotTheEventsOwn() {
        ConsumedEvent event = events(1, 0).get(0);
        String sharedUser = new String(event.event().userId());
        HeldEvents held = new HeldEvents();

        held.add(event, sharedUser, event.event().itemId());

        assertThat(held.get(0).event().userId()).isSameAs(sharedUser);
    }

    @Test
    void addAllAppendsAnotherFoldsEventsInOrder() {
        List<ConsumedEvent> first = events(20, 0);
        List<ConsumedEvent> second = events(45, 20);
        HeldEvents held = hold(first);

        held.addAll(hold(second));

        List<ConsumedEvent> expected = new ArrayList<>(first);
        expected.addAll(second);
        assertThat(held).containsExactlyElementsOf(expected.stream().map(HeldEventsTest::withoutEventId).toList());
    }

    @Test
    void readingPastTheEndFails() {
        HeldEvents held = hold(events(3, 0));

        assertThatThrownBy(() -> held.get(3)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
