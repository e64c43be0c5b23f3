package pulse.aggregate;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeltasByIdTest {

    /** "Aa" and "BB" have the same String.hashCode, so every string of n such pairs shares one hash: 2^n of them. */
    private static List<String> collidingIds(int pairs) {
        List<String> ids = new ArrayList<>();
        for (int bits = 0; bits < 1 << pairs; bits++) {
            StringBuilder id = new StringBuilder("item-");
            for (int i = 0; i < pairs; i++) {
                id.append((bits >> i & 1) == 0 ? "Aa" : "BB");
            }
            ids.add(id.toString());
        }
        return ids;
    }

    /**
     * Random lookups of sequential ids (the generator's), random strings and ids sharing one hash, each a fresh
     * string as the parser makes them, checked against a HashMap of the first delta returned per id and a list of
     * the ids in the order they were first seen.
     */
    @Test
    void returnsOneDeltaPerIdInTheOrderFirstSeenAsAHashMapWould() {
        Random random = new Random(42);
        List<String> pool = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            pool.add("user-" + i);
        }
        for (int i = 0; i < 2_000; i++) {
            pool.add(Long.toString(random.nextLong(), 36));
        }
        List<String> colliding = collidingIds(10);
        assertThat(colliding.stream().map(String::hashCode).distinct()).hasSize(1);
        pool.addAll(colliding);

        DeltasById table = new DeltasById();
        Map<String, DocumentDelta> truth = new HashMap<>();
        List<String> firstSeen = new ArrayList<>();
        for (int lookup = 0; lookup < 200_000; lookup++) {
            String id = new String(pool.get(random.nextInt(pool.size())));
            if (random.nextInt(4) == 0) {
                assertThat(table.get(id)).isSameAs(truth.get(id));
            }
            DocumentDelta delta = table.getOrAdd(id);
            DocumentDelta expected = truth.get(id);
            if (expected == null) {
                assertThat(delta.id()).isEqualTo(id);
                assertThat(delta.foldIndex).isEqualTo(firstSeen.size());
                truth.put(id, delta);
                firstSeen.add(id);
            } else {
                assertThat(delta).isSameAs(expected);
            }
        }

        assertThat(table.size()).isEqualTo(truth.size());
        assertThat(table.inOrder()).extracting(DocumentDelta::id).containsExactlyElementsOf(firstSeen);
        for (int i = 0; i < firstSeen.size(); i++) {
            assertThat(table.at(i)).isSameAs(truth.get(firstSeen.get(i)));
        }
        Set<String> absent = new HashSet<>(pool);
        absent.removeAll(truth.keySet());
        absent.add("never-seen");
        absent.add("user-20000");
        for (String id : absent) {
            assertThat(table.get(id)).isNull();
        }
    }

    @Test
    void idsSharingOneHashAreAllKeptApart() {
        DeltasById table = new DeltasById();
        List<String> colliding = collidingIds(12); // 4,096 ids of one hash: one probe run through several rehashes
        for (String id : colliding) {
            table.getOrAdd(id);
        }
        assertThat(table.size()).isEqualTo(colliding.size());
        for (int i = 0; i < colliding.size(); i++) {
            DocumentDelta delta = table.getOrAdd(new String(colliding.get(i)));
            assertThat(delta.id()).isEqualTo(colliding.get(i));
            assertThat(delta.foldIndex).isEqualTo(i);
        }
        assertThat(table.size()).isEqualTo(colliding.size());
    }

    @Test
    void theOrderedViewIsReadOnlyAndBounded() {
        DeltasById table = new DeltasById();
        table.getOrAdd("a");
        assertThatThrownBy(() -> table.inOrder().add(new DocumentDelta("b")))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> table.at(1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(table.inOrder()).hasSize(1);
    }
}
