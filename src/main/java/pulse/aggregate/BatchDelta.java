package pulse.aggregate;

import pulse.event.ConsumedEvent;

import java.time.Duration;
import java.time.Instant;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A consumed batch folded into one delta per aggregate document. The batch's valid events are kept so that,
 * when MongoDB reports that a document already holds some of them (a replay), the delta for that document can
 * be folded again from only the events it does not hold yet.
 */
public final class BatchDelta {

    private final Map<Dimension, Map<String, AggregateDelta>> deltas = new EnumMap<>(Dimension.class);
    private final List<ConsumedEvent> events = new ArrayList<>();
    private final List<Position> rejected = new ArrayList<>();
    private Set<Position> positions;
    private Set<ConsumedEvent> late = Set.of();
    private Map<Integer, Instant> streamTimes = Map.of();

    public BatchDelta() {
        for (Dimension dimension : Dimension.values()) {
            deltas.put(dimension, new LinkedHashMap<>());
        }
    }

    public void add(ConsumedEvent event) {
        events.add(event);
        positions = null;
        for (Dimension dimension : Dimension.values()) {
            deltas.get(dimension)
                    .computeIfAbsent(dimension.keyOf(event.event()), AggregateDelta::new)
                    .add(event);
        }
    }

    /**
     * Decides which events are late and folds the windows again accordingly. A window closes when the stream
     * time of the event's partition (the newest event time seen on it before the event) passes the window's end
     * plus {@code grace}; an event for a closed window is late: it is counted in its window's {@code lateEvents}
     * instead of its totals. Users and items count it all the same (it happened).
     *
     * @param base per partition, the stream time before this batch (the summary's, consistent with its offsets)
     */
    public void classifyLateness(Map<Integer, Instant> base, Duration grace) {
        Set<ConsumedEvent> lateEvents = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<Integer, Instant> time = new HashMap<>(base);
        Map<String, AggregateDelta> windows = new LinkedHashMap<>();
        Map<String, AggregateDelta> itemWindows = new LinkedHashMap<>();
        for (ConsumedEvent event : events) {
            Instant timestamp = event.event().timestamp();
            Instant current = time.get(event.partition());
            Instant closesAt = Dimension.windowStart(timestamp).plus(Dimension.WINDOW_SIZE).plus(grace);
            AggregateDelta window = windows.computeIfAbsent(Dimension.WINDOWS.keyOf(event.event()), AggregateDelta::new);
            AggregateDelta itemWindow = itemWindows.computeIfAbsent(Dimension.ITEM_WINDOWS.keyOf(event.event()),
                    AggregateDelta::new);
            if (current != null && current.isAfter(closesAt)) {
                lateEvents.add(event);
                window.addLate(event);
                itemWindow.addLate(event);
            } else {
                window.add(event);
                itemWindow.add(event);
            }
            if (current == null || timestamp.isAfter(current)) {
                time.put(event.partition(), timestamp);
            }
        }
        time.keySet().retainAll(events.stream().map(ConsumedEvent::partition).collect(java.util.stream.Collectors.toSet()));
        deltas.put(Dimension.WINDOWS, windows);
        deltas.put(Dimension.ITEM_WINDOWS, itemWindows);
        late = lateEvents;
        streamTimes = time;
    }

    /** Whether {@link #classifyLateness} found the event late. */
    public boolean isLate(ConsumedEvent event) {
        return late.contains(event);
    }

    /** Per partition of the batch, the stream time after it (after {@link #classifyLateness}). */
    public Map<Integer, Instant> streamTimes() {
        return Collections.unmodifiableMap(streamTimes);
    }

    /** Counts a record that went to the dead-letter topic instead. */
    public void reject(Position position) {
        rejected.add(position);
    }

    public Collection<AggregateDelta> deltas(Dimension dimension) {
        return Collections.unmodifiableCollection(deltas.get(dimension).values());
    }

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

    /** Nothing to write: no valid event and no rejected record. */
    public boolean isEmpty() {
        return events.isEmpty() && rejected.isEmpty();
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
                if (dimension.isWindowed() && isLate(event)) {
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
