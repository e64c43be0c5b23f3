package pulse.aggregate;

import pulse.event.ConsumedEvent;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
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
                remaining.computeIfAbsent(id, AggregateDelta::new).add(event);
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
