package pulse.aggregate;

import org.junit.jupiter.api.Test;
import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class DocumentDeltaTest {

    private static final Instant T0 = Instant.parse("2026-01-31T12:00:00Z");

    private static ConsumedEvent at(int partition, long offset) {
        return new ConsumedEvent(new InteractionEvent("", 1, "alice", "item-1", InteractionType.VIEW,
                T0.plusSeconds(offset)), partition, offset);
    }

    private static DocumentDelta delta(ConsumedEvent... events) {
        DocumentDelta delta = new DocumentDelta("item-1");
        for (ConsumedEvent event : events) {
            delta.add(event);
        }
        return delta;
    }

    /** Partition -> "first-last". */
    private static Map<Integer, String> ranges(DocumentDelta delta) {
        Map<Integer, String> ranges = new LinkedHashMap<>();
        delta.offsets().forEach((partition, range) -> ranges.put(partition, range.first() + "-" + range.last()));
        return ranges;
    }

    @Test
    void keepsOneRangePerPartitionInPartitionOrder() {
        DocumentDelta delta = delta(at(2, 40), at(0, 14), at(0, 10), at(2, 41));

        assertThat(ranges(delta)).containsExactly(Map.entry(0, "10-14"), Map.entry(2, "40-41"));
        assertThat(delta.origin()).isEqualTo(new RecordPosition(0, 10));
        assertThat(delta.total()).isEqualTo(4);
    }

    @Test
    void mergesRangesAndOriginsOfOneAndOfManyPartitions() {
        DocumentDelta one = delta(at(1, 7));
        DocumentDelta many = delta(at(2, 40), at(0, 10), at(0, 14));
        DocumentDelta more = delta(at(1, 9), at(0, 3));

        one.merge(many); // one partition, then several
        one.merge(more);

        assertThat(ranges(one)).containsExactly(Map.entry(0, "3-14"), Map.entry(1, "7-9"), Map.entry(2, "40-40"));
        assertThat(one.origin()).isEqualTo(new RecordPosition(0, 3));
        assertThat(one.total()).isEqualTo(6);
        assertThat(one.firstSeen()).isEqualTo(T0.plusSeconds(3));
        assertThat(one.lastSeen()).isEqualTo(T0.plusSeconds(40));
        // the merged deltas are left as they were
        assertThat(ranges(many)).containsExactly(Map.entry(0, "10-14"), Map.entry(2, "40-40"));
        assertThat(ranges(more)).containsExactly(Map.entry(0, "3-3"), Map.entry(1, "9-9"));
    }

    @Test
    void keepsTheRangesOfManyPartitionsInAnyOrderAndMergesThem() {
        Random random = new Random(7);
        DocumentDelta delta = new DocumentDelta("item-1");
        DocumentDelta other = new DocumentDelta("item-1");
        Map<Integer, long[]> truth = new TreeMap<>(); // partition -> {min, max} offset, over both deltas
        for (int i = 0; i < 2_000; i++) {
            // runs of one partition, as a fold's events come, and single events out of order between them
            int partition = i % 50 < 40 ? (i / 50) % 13 : random.nextInt(13);
            long offset = random.nextInt(100_000);
            (i % 3 == 0 ? other : delta).add(at(partition, offset));
            truth.merge(partition, new long[] {offset, offset},
                    (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }

        delta.merge(other);

        Map<Integer, String> expected = new LinkedHashMap<>();
        truth.forEach((partition, range) -> expected.put(partition, range[0] + "-" + range[1]));
        assertThat(ranges(delta)).containsExactlyEntriesOf(expected);
        assertThat(delta.total()).isEqualTo(2_000);
    }

    @Test
    void anEmptyDeltaHasNoRangeAndNoOrigin() {
        DocumentDelta empty = new DocumentDelta("item-1");

        assertThat(empty.offsets()).isEmpty();
        assertThat(empty.origin()).isNull();
        empty.merge(new DocumentDelta("item-1"));
        assertThat(empty.offsets()).isEmpty();
    }
}
