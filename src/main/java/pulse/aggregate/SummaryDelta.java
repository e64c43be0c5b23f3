package pulse.aggregate;

import pulse.event.ConsumedEvent;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.IntToLongFunction;
import java.util.function.IntUnaryOperator;

/**
 * What a batch adds to the global summary: events (in total and per type), records rejected to the dead-letter
 * topic, events dropped as duplicates, and users and items seen for the first time (documents whose origin event is
 * in the batch), restricted to the offsets the summary does not hold yet, per partition.
 *
 * @param byType per type of the vocabulary (by its index), as far as the highest type in the batch
 */
public record SummaryDelta(long events, long rejected, long duplicates, long late, long newUsers, long newItems,
                           long[] byType, SortedMap<Integer, long[]> offsets) {

    /**
     * @param batch    a batch whose lateness is classified
     * @param newUsers origins of the user documents created by this batch's events
     * @param newItems origins of the item documents created by this batch's events
     * @param applied  per partition, the last offset the summary already holds (empty for a first attempt)
     */
    public static SummaryDelta of(BatchDelta batch, Collection<RecordPosition> newUsers, Collection<RecordPosition> newItems,
                                  Map<Integer, Long> applied) {
        // the batch's columns, not events made again from them (three objects per event)
        return of(batch.eventCount(), batch::partitionOf, batch::offsetOf, batch::typeIndexOf, batch::isLate,
                batch.rejectedPositions(), batch.duplicatePositions(), newUsers, newItems, applied);
    }

    /** Events and rejected records only, none late and no duplicates. */
    public static SummaryDelta of(Collection<ConsumedEvent> batch, Collection<RecordPosition> rejected,
                                  Collection<RecordPosition> newUsers, Collection<RecordPosition> newItems,
                                  Map<Integer, Long> applied) {
        List<ConsumedEvent> events = List.copyOf(batch);
        return of(events.size(), i -> events.get(i).partition(), i -> events.get(i).offset(),
                i -> events.get(i).event().type().index(), (partition, offset) -> false, rejected, List.of(), newUsers,
                newItems, applied);
    }

    /** Whether the event read at that position was late for its window of the primary size. */
    interface LateTest {
        boolean isLate(int partition, long offset);
    }

    private static SummaryDelta of(int count, IntUnaryOperator partitionOf, IntToLongFunction offsetOf,
                                   IntUnaryOperator typeOf, LateTest late,
                                   Collection<RecordPosition> rejected, Collection<RecordPosition> duplicates,
                                   Collection<RecordPosition> newUsers, Collection<RecordPosition> newItems,
                                   Map<Integer, Long> applied) {
        long events = 0;
        long lateEvents = 0;
        long[] byType = new long[0];
        SortedMap<Integer, long[]> offsets = new TreeMap<>();
        int rangePartition = -1;
        long[] range = null; // the range of rangePartition: events come in runs of one partition
        for (int i = 0; i < count; i++) {
            int partition = partitionOf.applyAsInt(i);
            long offset = offsetOf.applyAsLong(i);
            if (isNew(partition, offset, applied)) {
                events++;
                int type = typeOf.applyAsInt(i);
                if (type >= byType.length) {
                    byType = Arrays.copyOf(byType, type + 1);
                }
                byType[type]++;
                if (late.isLate(partition, offset)) {
                    lateEvents++;
                }
                if (range == null || rangePartition != partition) {
                    range = offsets.computeIfAbsent(partition, p -> new long[] {offset, offset});
                    rangePartition = partition;
                }
                range[0] = Math.min(range[0], offset);
                range[1] = Math.max(range[1], offset);
            }
        }
        return new SummaryDelta(events, countNew(rejected, applied, offsets), countNew(duplicates, applied, offsets),
                lateEvents, countNew(newUsers, applied, null), countNew(newItems, applied, null), byType, offsets);
    }

    public boolean isEmpty() {
        return events == 0 && rejected == 0 && duplicates == 0;
    }

    /** Events of the type with that index. */
    public long count(int typeIndex) {
        return typeIndex < byType.length ? byType[typeIndex] : 0;
    }

    private static void include(SortedMap<Integer, long[]> offsets, int partition, long offset) {
        long[] range = offsets.computeIfAbsent(partition, p -> new long[] {offset, offset});
        range[0] = Math.min(range[0], offset);
        range[1] = Math.max(range[1], offset);
    }

    /** How many positions are new to the summary; those are added to {@code offsets} unless it is null. */
    private static long countNew(Collection<RecordPosition> positions, Map<Integer, Long> applied,
                                 SortedMap<Integer, long[]> offsets) {
        long count = 0;
        for (RecordPosition position : positions) {
            if (isNew(position.partition(), position.offset(), applied)) {
                count++;
                if (offsets != null) {
                    include(offsets, position.partition(), position.offset());
                }
            }
        }
        return count;
    }

    private static boolean isNew(int partition, long offset, Map<Integer, Long> applied) {
        return offset > applied.getOrDefault(partition, -1L);
    }
}
