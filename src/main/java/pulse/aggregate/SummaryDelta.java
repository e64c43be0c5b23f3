package pulse.aggregate;

import pulse.event.ConsumedEvent;

import java.util.Collection;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a batch adds to the global summary: events, records rejected to the dead-letter topic, and users and items
 * seen for the first time (documents whose origin event is in the batch), restricted to the offsets the summary
 * does not hold yet, per partition.
 */
public record SummaryDelta(long events, long rejected, long late, long newUsers, long newItems,
                           SortedMap<Integer, long[]> offsets) {

    /**
     * @param rejected positions of the batch's records that went to the dead-letter topic
     * @param newUsers origins of the user documents created by this batch's events
     * @param newItems origins of the item documents created by this batch's events
     * @param applied  per partition, the last offset the summary already holds (empty for a first attempt)
     */
    public static SummaryDelta of(Collection<ConsumedEvent> batch, Collection<Position> rejected,
                                  Collection<Position> newUsers, Collection<Position> newItems,
                                  Map<Integer, Long> applied) {
        return of(batch, event -> false, rejected, newUsers, newItems, applied);
    }

    /** @param isLate which of the batch's events arrived after their window closed */
    public static SummaryDelta of(Collection<ConsumedEvent> batch, java.util.function.Predicate<ConsumedEvent> isLate,
                                  Collection<Position> rejected, Collection<Position> newUsers,
                                  Collection<Position> newItems, Map<Integer, Long> applied) {
        long events = 0;
        long late = 0;
        SortedMap<Integer, long[]> offsets = new TreeMap<>();
        for (ConsumedEvent event : batch) {
            if (isNew(event.partition(), event.offset(), applied)) {
                events++;
                if (isLate.test(event)) {
                    late++;
                }
                include(offsets, event.partition(), event.offset());
            }
        }
        long rejectedCount = 0;
        for (Position position : rejected) {
            if (isNew(position.partition(), position.offset(), applied)) {
                rejectedCount++;
                include(offsets, position.partition(), position.offset());
            }
        }
        return new SummaryDelta(events, rejectedCount, late, countNew(newUsers, applied), countNew(newItems, applied), offsets);
    }

    public boolean isEmpty() {
        return events == 0 && rejected == 0;
    }

    private static void include(SortedMap<Integer, long[]> offsets, int partition, long offset) {
        long[] range = offsets.computeIfAbsent(partition, p -> new long[] {offset, offset});
        range[0] = Math.min(range[0], offset);
        range[1] = Math.max(range[1], offset);
    }

    private static long countNew(Collection<Position> origins, Map<Integer, Long> applied) {
        return origins.stream().filter(p -> isNew(p.partition(), p.offset(), applied)).count();
    }

    private static boolean isNew(int partition, long offset, Map<Integer, Long> applied) {
        return offset > applied.getOrDefault(partition, -1L);
    }
}
