package pulse.aggregate;

import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one batch adds to one aggregate document: counts by type, the event-time span, and per partition
 * the first and last offset folded in (the replay guard), plus the earliest event that touched it (its origin).
 */
public final class DocumentDelta {

    /** First and last offset of the events folded from one partition. */
    public static final class OffsetRange {
        private long first;
        private long last;

        OffsetRange(long first, long last) {
            this.first = first;
            this.last = last;
        }

        void include(long otherFirst, long otherLast) {
            first = Math.min(first, otherFirst);
            last = Math.max(last, otherLast);
        }

        public long first() {
            return first;
        }

        public long last() {
            return last;
        }
    }

    private static final int NO_PARTITION = -1;

    private final String id;
    private long total;
    private long late;
    /** Per type of the vocabulary (by its index), as far as the highest type seen. */
    private long[] byType = new long[3];
    // the event-time span as numbers, not Instants: windows and items see a new latest event nearly every event
    private boolean seen;
    private long firstSeconds;
    private int firstNanos;
    private long lastSeconds;
    private int lastNanos;
    // most deltas see one partition (a user's events are keyed to it): its range is kept without a map, which a
    // fold of a backlog with many distinct users holds for nearly every event
    private int onlyPartition = NO_PARTITION;
    private OffsetRange onlyRange;
    /**
     * Every partition's range once there are two or more, by ascending partition in the first {@code rangeCount}
     * slots; null before. Arrays, not a TreeMap: item and window deltas see every partition, and a TreeMap lookup per
     * event and per merged partition took ~4 % of the consumers' CPU samples in steady state (docs/benchmark.md).
     */
    private int[] rangePartitions;
    private OffsetRange[] ranges;
    private int rangeCount;
    /** The slot the last include used: events come in runs of one partition (a fold is one partition's records). */
    private int lastSlot;
    private int originPartition = NO_PARTITION;
    private long originOffset;
    /** Its index among its fold's users or items ({@link BatchDelta}), so that events can refer to it by number. */
    int foldIndex = -1;

    public DocumentDelta(String id) {
        this.id = id;
    }

    public void add(ConsumedEvent consumed) {
        InteractionEvent event = consumed.event();
        add(event.type().index(), event.timestamp().getEpochSecond(), event.timestamp().getNano(),
                consumed.partition(), consumed.offset());
    }

    /** {@link #add(ConsumedEvent)} from an event's fields, as a fold holds them ({@link HeldEvents}). */
    void add(int type, long epochSecond, int nano, int partition, long offset) {
        total++;
        if (type >= byType.length) {
            byType = Arrays.copyOf(byType, type + 1);
        }
        byType[type]++;
        include(epochSecond, nano, partition, offset);
    }

    /**
     * An event for a window that was already closed when it arrived: not counted in the window, only as late;
     * its offset still guards the document against a replay.
     */
    public void addLate(ConsumedEvent consumed) {
        Instant timestamp = consumed.event().timestamp();
        addLate(timestamp.getEpochSecond(), timestamp.getNano(), consumed.partition(), consumed.offset());
    }

    /** {@link #addLate(ConsumedEvent)} from an event's fields. */
    void addLate(long epochSecond, int nano, int partition, long offset) {
        late++;
        include(epochSecond, nano, partition, offset);
    }

    private void include(long epochSecond, int nano, int partition, long offset) {
        includeTime(epochSecond, nano);
        include(partition, offset, offset);
        if (isBeforeOrigin(partition, offset)) {
            originPartition = partition;
            originOffset = offset;
        }
    }

    private void includeTime(long epochSecond, int nano) {
        if (!seen) {
            seen = true;
            firstSeconds = lastSeconds = epochSecond;
            firstNanos = lastNanos = nano;
            return;
        }
        if (epochSecond < firstSeconds || (epochSecond == firstSeconds && nano < firstNanos)) {
            firstSeconds = epochSecond;
            firstNanos = nano;
        }
        if (epochSecond > lastSeconds || (epochSecond == lastSeconds && nano > lastNanos)) {
            lastSeconds = epochSecond;
            lastNanos = nano;
        }
    }

    private void include(int partition, long first, long last) {
        if (ranges == null) {
            if (onlyRange == null) {
                onlyPartition = partition;
                onlyRange = new OffsetRange(first, last);
                return;
            }
            if (onlyPartition == partition) {
                onlyRange.include(first, last);
                return;
            }
            rangePartitions = new int[4];
            ranges = new OffsetRange[4];
            rangePartitions[0] = onlyPartition;
            ranges[0] = onlyRange;
            rangeCount = 1;
        }
        if (rangePartitions[lastSlot] == partition) {
            ranges[lastSlot].include(first, last);
            return;
        }
        int slot = Arrays.binarySearch(rangePartitions, 0, rangeCount, partition);
        if (slot >= 0) {
            ranges[slot].include(first, last);
            lastSlot = slot;
            return;
        }
        slot = -slot - 1;
        if (rangeCount == ranges.length) {
            rangePartitions = Arrays.copyOf(rangePartitions, rangeCount * 2);
            ranges = Arrays.copyOf(ranges, rangeCount * 2);
        }
        System.arraycopy(rangePartitions, slot, rangePartitions, slot + 1, rangeCount - slot);
        System.arraycopy(ranges, slot, ranges, slot + 1, rangeCount - slot);
        rangePartitions[slot] = partition;
        ranges[slot] = new OffsetRange(first, last);
        rangeCount++;
        lastSlot = slot;
    }

    /** Adds what another delta of the same document holds (the events of another partition of the batch). */
    public void merge(DocumentDelta other) {
        if (!id.equals(other.id)) {
            throw new IllegalArgumentException("cannot merge the delta of " + other.id + " into that of " + id);
        }
        total += other.total;
        late += other.late;
        if (other.byType.length > byType.length) {
            byType = Arrays.copyOf(byType, other.byType.length);
        }
        for (int i = 0; i < other.byType.length; i++) {
            byType[i] += other.byType[i];
        }
        if (other.seen) {
            includeTime(other.firstSeconds, other.firstNanos);
            includeTime(other.lastSeconds, other.lastNanos);
        }
        if (other.ranges != null) {
            for (int slot = 0; slot < other.rangeCount; slot++) {
                include(other.rangePartitions[slot], other.ranges[slot].first, other.ranges[slot].last);
            }
        } else if (other.onlyRange != null) {
            include(other.onlyPartition, other.onlyRange.first, other.onlyRange.last);
        }
        if (other.originPartition != NO_PARTITION && isBeforeOrigin(other.originPartition, other.originOffset)) {
            originPartition = other.originPartition;
            originOffset = other.originOffset;
        }
    }

    /** Lower partition first, then lower offset; anything is before no origin at all. */
    private boolean isBeforeOrigin(int partition, long offset) {
        return originPartition == NO_PARTITION || partition < originPartition
                || (partition == originPartition && offset < originOffset);
    }

    public String id() {
        return id;
    }

    public long total() {
        return total;
    }

    /** Events that arrived after their window closed (windows only). */
    public long late() {
        return late;
    }

    public long count(InteractionType type) {
        return type.index() < byType.length ? byType[type.index()] : 0;
    }

    public Instant firstSeen() {
        return seen ? Instant.ofEpochSecond(firstSeconds, firstNanos) : null;
    }

    public Instant lastSeen() {
        return seen ? Instant.ofEpochSecond(lastSeconds, lastNanos) : null;
    }

    public SortedMap<Integer, OffsetRange> offsets() {
        if (ranges != null) {
            SortedMap<Integer, OffsetRange> all = new TreeMap<>();
            for (int slot = 0; slot < rangeCount; slot++) {
                all.put(rangePartitions[slot], ranges[slot]);
            }
            return Collections.unmodifiableSortedMap(all);
        }
        return onlyRange == null ? Collections.emptySortedMap()
                : Collections.unmodifiableSortedMap(new TreeMap<>(Map.of(onlyPartition, onlyRange)));
    }

    /** The lowest (partition, offset) folded in; recorded on insert so a new document is counted exactly once. */
    public RecordPosition origin() {
        return originPartition == NO_PARTITION ? null : new RecordPosition(originPartition, originOffset);
    }
}
