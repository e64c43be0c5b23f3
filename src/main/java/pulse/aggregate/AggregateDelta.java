package pulse.aggregate;

import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;

import java.time.Instant;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one batch adds to one aggregate document: counts by type, the event-time span, and per partition
 * the first and last offset folded in (the replay guard), plus the earliest event that touched it (its origin).
 */
public final class AggregateDelta {

    /** First and last offset of the events folded from one partition. */
    public static final class OffsetRange {
        private long first;
        private long last;

        OffsetRange(long offset) {
            this(offset, offset);
        }

        OffsetRange(long first, long last) {
            this.first = first;
            this.last = last;
        }

        void include(long offset) {
            first = Math.min(first, offset);
            last = Math.max(last, offset);
        }

        public long first() {
            return first;
        }

        public long last() {
            return last;
        }
    }

    private final String id;
    private long total;
    private long late;
    private final long[] byType = new long[InteractionType.values().length];
    private Instant firstSeen;
    private Instant lastSeen;
    private final SortedMap<Integer, OffsetRange> offsets = new TreeMap<>();
    private Position origin;

    public AggregateDelta(String id) {
        this.id = id;
    }

    public void add(ConsumedEvent consumed) {
        InteractionEvent event = consumed.event();
        total++;
        byType[event.type().ordinal()]++;
        include(consumed);
    }

    /**
     * An event for a window that was already closed when it arrived: not counted in the window, only as late;
     * its offset still guards the document against a replay.
     */
    public void addLate(ConsumedEvent consumed) {
        late++;
        include(consumed);
    }

    private void include(ConsumedEvent consumed) {
        InteractionEvent event = consumed.event();
        Instant timestamp = event.timestamp();
        if (firstSeen == null || timestamp.isBefore(firstSeen)) {
            firstSeen = timestamp;
        }
        if (lastSeen == null || timestamp.isAfter(lastSeen)) {
            lastSeen = timestamp;
        }
        OffsetRange range = offsets.get(consumed.partition());
        if (range == null) {
            offsets.put(consumed.partition(), new OffsetRange(consumed.offset()));
        } else {
            range.include(consumed.offset());
        }
        if (isBeforeOrigin(consumed.partition(), consumed.offset())) {
            origin = new Position(consumed.partition(), consumed.offset());
        }
    }

    /** Adds what another delta of the same document holds (the events of another partition of the batch). */
    public void merge(AggregateDelta other) {
        if (!id.equals(other.id)) {
            throw new IllegalArgumentException("cannot merge the delta of " + other.id + " into that of " + id);
        }
        total += other.total;
        late += other.late;
        for (int i = 0; i < byType.length; i++) {
            byType[i] += other.byType[i];
        }
        if (firstSeen == null || (other.firstSeen != null && other.firstSeen.isBefore(firstSeen))) {
            firstSeen = other.firstSeen;
        }
        if (lastSeen == null || (other.lastSeen != null && other.lastSeen.isAfter(lastSeen))) {
            lastSeen = other.lastSeen;
        }
        other.offsets.forEach((partition, range) -> {
            OffsetRange mine = offsets.get(partition);
            if (mine == null) {
                offsets.put(partition, new OffsetRange(range.first, range.last));
            } else {
                mine.include(range.first);
                mine.include(range.last);
            }
        });
        if (other.origin != null && isBeforeOrigin(other.origin.partition(), other.origin.offset())) {
            origin = other.origin;
        }
    }

    /** Lower partition first, then lower offset; anything is before no origin at all. */
    private boolean isBeforeOrigin(int partition, long offset) {
        return origin == null || partition < origin.partition()
                || (partition == origin.partition() && offset < origin.offset());
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
        return byType[type.ordinal()];
    }

    public Instant firstSeen() {
        return firstSeen;
    }

    public Instant lastSeen() {
        return lastSeen;
    }

    public SortedMap<Integer, OffsetRange> offsets() {
        return Collections.unmodifiableSortedMap(offsets);
    }

    /** The lowest (partition, offset) folded in; recorded on insert so a new document is counted exactly once. */
    public Position origin() {
        return origin;
    }
}
