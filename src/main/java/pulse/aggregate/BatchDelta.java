package pulse.aggregate;

import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A consumed batch folded into one delta per aggregate document. Users and items are folded as events are added;
 * windows once the batch is complete, by {@link #classifyLateness}, since whether an event still counts in its
 * window depends on the stream time before the batch. The batch's valid events are kept so that, when MongoDB
 * reports that a document already holds some of them (a replay), the delta for that document can be folded again
 * from only the events it does not hold yet. They are kept compact (see {@link #events()}): a fold of a backlog
 * holds hundreds of thousands of them for seconds.
 */
public final class BatchDelta {

    private final Dimensions dimensions;
    private final Map<String, AggregateDelta> users = new LinkedHashMap<>();
    private final Map<String, AggregateDelta> items = new LinkedHashMap<>();
    private final List<ConsumedEvent> events = new ArrayList<>();
    private final List<Position> rejected = new ArrayList<>();
    private final List<Position> duplicates = new ArrayList<>();
    private Set<Position> positions;
    /** Per windowed dimension, its deltas; null until {@link #classifyLateness}. */
    private Map<Dimension, Map<String, AggregateDelta>> windowed;
    /** Per window size (by its windows dimension), where the events that were late for it were read. */
    private Map<Dimension, Set<Position>> late = Map.of();
    private Map<Integer, Instant> streamTimes = Map.of();

    /** A batch keeping the default aggregates (1-minute windows). */
    public BatchDelta() {
        this(Dimensions.DEFAULT);
    }

    public BatchDelta(Dimensions dimensions) {
        this.dimensions = dimensions;
    }

    public void add(ConsumedEvent consumed) {
        positions = null;
        windowed = null;
        InteractionEvent event = consumed.event();
        AggregateDelta user = users.computeIfAbsent(event.userId(), AggregateDelta::new);
        AggregateDelta item = items.computeIfAbsent(event.itemId(), AggregateDelta::new);
        ConsumedEvent held = held(consumed, user.id(), item.id());
        events.add(held);
        user.add(held);
        item.add(held);
    }

    /**
     * The event as the fold keeps it: sharing the id strings of its user's and item's deltas (the parser makes new
     * ones for every event) and without its event id, which aggregation never reads. ~300 bytes per held event
     * become ~120 with 10k users (measured on 500k parsed events).
     */
    private static ConsumedEvent held(ConsumedEvent consumed, String userId, String itemId) {
        InteractionEvent event = consumed.event();
        if (event.eventId() == null && event.userId() == userId && event.itemId() == itemId) {
            return consumed; // already held by a fold (a fold merged or retained again)
        }
        return new ConsumedEvent(new InteractionEvent(null, event.schemaVersion(), userId, itemId, event.type(),
                event.timestamp()), consumed.partition(), consumed.offset());
    }

    /**
     * Adds another fold of the same batch (typically another partition's records): its events, deltas and
     * rejected records. Windows are folded afterwards, by {@link #classifyLateness}, over all the events.
     */
    public void merge(BatchDelta other) {
        if (!other.dimensions.all().equals(dimensions.all())) {
            throw new IllegalArgumentException("cannot merge a fold of " + other.dimensions + " into one of " + dimensions);
        }
        events.addAll(other.events);
        rejected.addAll(other.rejected);
        duplicates.addAll(other.duplicates);
        positions = null;
        windowed = null;
        mergeInto(users, other.users);
        mergeInto(items, other.items);
    }

    private static void mergeInto(Map<String, AggregateDelta> mine, Map<String, AggregateDelta> theirs) {
        theirs.forEach((id, delta) -> {
            AggregateDelta existing = mine.get(id);
            if (existing == null) {
                AggregateDelta copy = new AggregateDelta(id);
                copy.merge(delta); // a copy: the other fold stays as it was
                mine.put(id, copy);
            } else {
                existing.merge(delta);
            }
        });
    }

    /**
     * This fold without the events and rejected records of other partitions than {@code partitions}: what is left
     * of it for a consumer after a rebalance took the others away (their new owner reads them again).
     */
    public BatchDelta retainPartitions(Set<Integer> partitions) {
        BatchDelta retained = new BatchDelta(dimensions);
        for (ConsumedEvent event : events) {
            if (partitions.contains(event.partition())) {
                retained.add(event);
            }
        }
        for (Position position : rejected) {
            if (partitions.contains(position.partition())) {
                retained.reject(position);
            }
        }
        for (Position position : duplicates) {
            if (partitions.contains(position.partition())) {
                retained.dropDuplicate(position);
            }
        }
        return retained;
    }

    /**
     * Folds the windows of every configured size, deciding which events are late. A window closes when the stream
     * time of the event's partition (the newest event time seen on it before the event) passes the window's end
     * plus {@code grace}; an event for a closed window is late: it is counted in its window's {@code lateEvents}
     * instead of its totals. Users and items count it all the same (it happened).
     *
     * @param base per partition, the stream time before this batch (the summary's, consistent with its offsets)
     */
    public void classifyLateness(Map<Integer, Instant> base, Duration grace) {
        List<Dimensions.WindowPair> sizes = dimensions.windowSizes();
        List<Map<Long, WindowFold>> folds = new ArrayList<>(sizes.size());
        List<Set<Position>> lateBySize = new ArrayList<>(sizes.size());
        for (int i = 0; i < sizes.size(); i++) {
            folds.add(new LinkedHashMap<>());
            lateBySize.add(new HashSet<>());
        }
        long graceMillis = grace.toMillis();
        Map<Integer, Instant> time = new HashMap<>(base);
        // events mostly arrive in time order: most share the previous event's window of each size
        WindowFold[] previous = new WindowFold[sizes.size()];
        for (ConsumedEvent consumed : events) {
            Instant timestamp = consumed.event().timestamp();
            Instant current = time.get(consumed.partition());
            for (int i = 0; i < sizes.size(); i++) {
                Dimensions.WindowPair size = sizes.get(i);
                long start = size.windows().windowStartMillis(timestamp.toEpochMilli());
                boolean isLate = current != null && isAfter(current, start + size.size().toMillis() + graceMillis);
                WindowFold fold = previous[i] != null && previous[i].start == start ? previous[i]
                        : folds.get(i).computeIfAbsent(start, WindowFold::new);
                previous[i] = fold;
                fold.add(consumed, isLate);
                if (isLate) {
                    lateBySize.get(i).add(new Position(consumed.partition(), consumed.offset()));
                }
            }
            if (current == null || timestamp.isAfter(current)) {
                time.put(consumed.partition(), timestamp);
            }
        }
        Set<Integer> partitions = new HashSet<>();
        events.forEach(event -> partitions.add(event.partition()));
        time.keySet().retainAll(partitions);

        Map<Dimension, Map<String, AggregateDelta>> folded = new HashMap<>();
        Map<Dimension, Set<Position>> lateEvents = new HashMap<>();
        for (int i = 0; i < sizes.size(); i++) {
            Map<String, AggregateDelta> windows = new LinkedHashMap<>();
            Map<String, AggregateDelta> itemWindows = new LinkedHashMap<>();
            for (WindowFold fold : folds.get(i).values()) {
                windows.put(fold.window.id(), fold.window);
                fold.items.values().forEach(delta -> itemWindows.put(delta.id(), delta));
            }
            folded.put(sizes.get(i).windows(), windows);
            folded.put(sizes.get(i).itemWindows(), itemWindows);
            lateEvents.put(sizes.get(i).windows(), lateBySize.get(i));
        }
        windowed = folded;
        late = lateEvents;
        streamTimes = time;
    }

    /** {@code time} is after the instant {@code epochMillis}, to the nanosecond, without creating that instant. */
    private static boolean isAfter(Instant time, long epochMillis) {
        long seconds = Math.floorDiv(epochMillis, 1000);
        long nanos = Math.floorMod(epochMillis, 1000) * 1_000_000L;
        return time.getEpochSecond() > seconds || (time.getEpochSecond() == seconds && time.getNano() > nanos);
    }

    /** One window of one size: its delta and its per-item deltas. */
    private static final class WindowFold {
        final long start;
        final AggregateDelta window;
        final Map<String, AggregateDelta> items = new LinkedHashMap<>();

        WindowFold(long start) {
            this.start = start;
            window = new AggregateDelta(Instant.ofEpochMilli(start).toString());
        }

        void add(ConsumedEvent consumed, boolean isLate) {
            AggregateDelta item = items.computeIfAbsent(consumed.event().itemId(),
                    itemId -> new AggregateDelta(Dimension.itemWindowId(window.id(), itemId)));
            if (isLate) {
                window.addLate(consumed);
                item.addLate(consumed);
            } else {
                window.add(consumed);
                item.add(consumed);
            }
        }
    }

    /** Whether {@link #classifyLateness} found the event late for its window of the primary size. */
    public boolean isLate(ConsumedEvent event) {
        return isLate(dimensions.primary().windows(), event);
    }

    private boolean isLate(Dimension dimension, ConsumedEvent event) {
        Set<Position> lateForSize = late.get(pairOf(dimension).windows());
        return lateForSize != null && !lateForSize.isEmpty()
                && lateForSize.contains(new Position(event.partition(), event.offset()));
    }

    private Dimensions.WindowPair pairOf(Dimension dimension) {
        for (Dimensions.WindowPair pair : dimensions.windowSizes()) {
            if (pair.windows().equals(dimension) || pair.itemWindows().equals(dimension)) {
                return pair;
            }
        }
        throw new IllegalArgumentException(dimension + " is not one of this batch's windowed dimensions " + dimensions);
    }

    /** Per partition of the batch, the stream time after it (after {@link #classifyLateness}). */
    public Map<Integer, Instant> streamTimes() {
        return Collections.unmodifiableMap(streamTimes);
    }

    /** Counts a record that went to the dead-letter topic instead. */
    public void reject(Position position) {
        rejected.add(position);
    }

    /** Counts an event that was dropped as a duplicate of one already counted ({@code dedup.horizon}). */
    public void dropDuplicate(Position position) {
        duplicates.add(position);
    }

    public Dimensions dimensions() {
        return dimensions;
    }

    /** The deltas of one dimension; windowed ones exist once {@link #classifyLateness} has run. */
    public Collection<AggregateDelta> deltas(Dimension dimension) {
        Map<String, AggregateDelta> deltas;
        if (dimension.equals(Dimension.USERS)) {
            deltas = users;
        } else if (dimension.equals(Dimension.ITEMS)) {
            deltas = items;
        } else {
            pairOf(dimension);
            if (windowed == null) {
                throw new IllegalStateException("windows are folded by classifyLateness, which has not run since the last event");
            }
            deltas = windowed.get(dimension);
        }
        return Collections.unmodifiableCollection(deltas.values());
    }

    /**
     * The batch's valid events as the fold keeps them: the same partition, offset and fields, but without their
     * event id (null), which aggregation never reads.
     */
    public List<ConsumedEvent> events() {
        return Collections.unmodifiableList(events);
    }

    public int rejected() {
        return rejected.size();
    }

    /** Where the rejected records were on the topic. */
    public List<Position> rejectedPositions() {
        return Collections.unmodifiableList(rejected);
    }

    /** Where the events dropped as duplicates were on the topic. */
    public List<Position> duplicatePositions() {
        return Collections.unmodifiableList(duplicates);
    }

    /** Nothing to write: no valid event, no rejected record, no dropped duplicate. */
    public boolean isEmpty() {
        return events.isEmpty() && rejected.isEmpty() && duplicates.isEmpty();
    }

    /**
     * Folds again, for the given documents only, the events each does not hold yet.
     *
     * @param applied per document id, per partition, the last offset the document already holds
     * @return the remaining deltas; documents that already hold every event are left out
     */
    public Collection<AggregateDelta> refold(Dimension dimension, Map<String, Map<Integer, Long>> applied) {
        Map<String, AggregateDelta> remaining = new HashMap<>();
        for (ConsumedEvent event : events) {
            String id = dimension.keyOf(event.event());
            Map<Integer, Long> held = applied.get(id);
            if (held != null && event.offset() > held.getOrDefault(event.partition(), -1L)) {
                AggregateDelta delta = remaining.computeIfAbsent(id, AggregateDelta::new);
                if (dimension.isWindowed() && isLate(dimension, event)) {
                    delta.addLate(event);
                } else {
                    delta.add(event);
                }
            }
        }
        return remaining.values();
    }

    /** Whether this batch holds a valid event at that position. */
    public boolean contains(Position position) {
        if (positions == null) { // only needed after a replay conflict
            positions = new HashSet<>();
            for (ConsumedEvent event : events) {
                positions.add(new Position(event.partition(), event.offset()));
            }
        }
        return positions.contains(position);
    }
}
