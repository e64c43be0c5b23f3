package pulse.aggregate;

import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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

    private final Rollups rollups;
    // per id, and in the order they came (by their foldIndex): events refer to their deltas by that number
    private final DeltasById users = new DeltasById();
    private final DeltasById items = new DeltasById();
    private final HeldEvents events = new HeldEvents();
    private final List<RecordPosition> rejected = new ArrayList<>();
    private final List<RecordPosition> duplicates = new ArrayList<>();
    private Set<RecordPosition> positions;
    /** Per windowed rollup, its deltas; null until {@link #classifyLateness}. */
    private Map<Rollup, Map<String, DocumentDelta>> windowed;
    /** Per window size (by its windows rollup), where the events that were late for it were read. */
    private Map<Rollup, Set<RecordPosition>> late = Map.of();
    /** The primary size's entry of {@link #late}: the summary asks it of every event. */
    private Set<RecordPosition> primaryLate = Set.of();
    private Map<Integer, Instant> streamTimes = Map.of();

    /** A batch keeping the default aggregates (1-minute windows). */
    public BatchDelta() {
        this(Rollups.DEFAULT);
    }

    public BatchDelta(Rollups rollups) {
        this.rollups = rollups;
    }

    public void add(ConsumedEvent consumed) {
        positions = null;
        windowed = null;
        InteractionEvent event = consumed.event();
        DocumentDelta user = users.getOrAdd(event.userId());
        DocumentDelta item = items.getOrAdd(event.itemId());
        // held with the ids of its user's and item's deltas (the parser makes new strings for every event)
        events.add(consumed, user.id(), item.id(), user.foldIndex, item.foldIndex);
        user.add(consumed);
        item.add(consumed);
    }

    /**
     * Adds another fold of the same batch (typically another partition's records): its events, deltas and
     * rejected records. Windows are folded afterwards, by {@link #classifyLateness}, over all the events.
     */
    public void merge(BatchDelta other) {
        if (!other.rollups.all().equals(rollups.all())) {
            throw new IllegalArgumentException("cannot merge a fold of " + other.rollups + " into one of " + rollups);
        }
        int[] userIndexOf = mergeInto(users, other.users);
        int[] itemIndexOf = mergeInto(items, other.items);
        events.addAll(other.events, userIndexOf, itemIndexOf);
        rejected.addAll(other.rejected);
        duplicates.addAll(other.duplicates);
        positions = null;
        windowed = null;
    }

    /** @return per index of {@code theirs}, the index of the same document's delta here */
    private static int[] mergeInto(DeltasById mine, DeltasById theirs) {
        int[] indexOf = new int[theirs.size()];
        for (int i = 0; i < indexOf.length; i++) {
            DocumentDelta delta = theirs.at(i);
            // a new delta is an empty copy, merged into: the other fold stays as it was
            DocumentDelta existing = mine.getOrAdd(delta.id());
            existing.merge(delta);
            indexOf[i] = existing.foldIndex;
        }
        return indexOf;
    }

    /**
     * This fold without the events and rejected records of other partitions than {@code partitions}: what is left
     * of it for a consumer after a rebalance took the others away (their new owner reads them again).
     */
    public BatchDelta retainPartitions(Set<Integer> partitions) {
        BatchDelta retained = new BatchDelta(rollups);
        for (ConsumedEvent event : events) {
            if (partitions.contains(event.partition())) {
                retained.add(event); // its held ids are the deltas' of this fold, shared again by the retained one
            }
        }
        for (RecordPosition position : rejected) {
            if (partitions.contains(position.partition())) {
                retained.reject(position);
            }
        }
        for (RecordPosition position : duplicates) {
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
        List<Rollups.WindowSize> sizes = rollups.windowSizes();
        int sizeCount = sizes.size();
        List<Map<Long, WindowFold>> folds = new ArrayList<>(sizeCount);
        List<Set<RecordPosition>> lateBySize = new ArrayList<>(sizeCount);
        long[] sizeMillis = new long[sizeCount];
        for (int i = 0; i < sizeCount; i++) {
            folds.add(new LinkedHashMap<>());
            lateBySize.add(new HashSet<>());
            sizeMillis[i] = sizes.get(i).size().toMillis();
        }
        long graceMillis = grace.toMillis();
        int eventCount = events.size();
        // per partition (Kafka's are small numbers), the stream time: the newest event time seen on it so far
        int maxPartition = -1;
        for (int e = 0; e < eventCount; e++) {
            maxPartition = Math.max(maxPartition, events.partition(e));
        }
        boolean[] inBatch = new boolean[maxPartition + 1];
        boolean[] hasTime = new boolean[maxPartition + 1];
        long[] timeSeconds = new long[maxPartition + 1];
        int[] timeNanos = new int[maxPartition + 1];
        base.forEach((partition, time) -> {
            if (partition >= 0 && partition <= hasTime.length - 1) { // the others are not in this batch
                hasTime[partition] = true;
                timeSeconds[partition] = time.getEpochSecond();
                timeNanos[partition] = time.getNano();
            }
        });
        // events mostly arrive in time order: most share the previous event's window of each size
        WindowFold[] previous = new WindowFold[sizeCount];
        for (int e = 0; e < eventCount; e++) {
            int partition = events.partition(e);
            long seconds = events.epochSecond(e);
            int nanos = events.nano(e);
            long epochMillis = events.epochMillis(e);
            boolean hasCurrent = hasTime[partition];
            long currentSeconds = timeSeconds[partition];
            int currentNanos = timeNanos[partition];
            for (int i = 0; i < sizeCount; i++) {
                long start = Math.floorDiv(epochMillis, sizeMillis[i]) * sizeMillis[i];
                boolean isLate = hasCurrent && isAfter(currentSeconds, currentNanos, start + sizeMillis[i] + graceMillis);
                WindowFold fold = previous[i] != null && previous[i].start == start ? previous[i]
                        : folds.get(i).computeIfAbsent(start, WindowFold::new);
                previous[i] = fold;
                fold.add(events, e, isLate);
                if (isLate) {
                    lateBySize.get(i).add(new RecordPosition(partition, events.offset(e)));
                }
            }
            inBatch[partition] = true;
            if (!hasCurrent || seconds > currentSeconds || (seconds == currentSeconds && nanos > currentNanos)) {
                hasTime[partition] = true;
                timeSeconds[partition] = seconds;
                timeNanos[partition] = nanos;
            }
        }
        Map<Integer, Instant> time = new HashMap<>();
        for (int partition = 0; partition < inBatch.length; partition++) {
            if (inBatch[partition]) {
                time.put(partition, Instant.ofEpochSecond(timeSeconds[partition], timeNanos[partition]));
            }
        }

        Map<Rollup, Map<String, DocumentDelta>> folded = new HashMap<>();
        Map<Rollup, Set<RecordPosition>> lateEvents = new HashMap<>();
        for (int i = 0; i < sizeCount; i++) {
            Map<String, DocumentDelta> windows = new LinkedHashMap<>();
            Map<String, DocumentDelta> itemWindows = new LinkedHashMap<>();
            for (WindowFold fold : folds.get(i).values()) {
                windows.put(fold.window.id(), fold.window);
                fold.items.forEach(delta -> itemWindows.put(delta.id(), delta));
            }
            folded.put(sizes.get(i).windows(), windows);
            folded.put(sizes.get(i).itemWindows(), itemWindows);
            lateEvents.put(sizes.get(i).windows(), lateBySize.get(i));
        }
        windowed = folded;
        late = lateEvents;
        primaryLate = lateEvents.get(rollups.primary().windows());
        streamTimes = time;
    }

    /** The instant {@code seconds}, {@code nanos} is after the instant {@code epochMillis}, to the nanosecond. */
    private static boolean isAfter(long seconds, int nanos, long epochMillis) {
        long otherSeconds = Math.floorDiv(epochMillis, 1000);
        long otherNanos = Math.floorMod(epochMillis, 1000) * 1_000_000L;
        return seconds > otherSeconds || (seconds == otherSeconds && nanos > otherNanos);
    }

    /** One window of one size: its delta and its per-item deltas. */
    private static final class WindowFold {
        final long start;
        final DocumentDelta window;
        /** In the order of their first event. */
        final List<DocumentDelta> items = new ArrayList<>();
        /** The same, by the fold's item index (open addressing): no hashing of ids per event. */
        private int[] slotItems = new int[16];
        private DocumentDelta[] slotDeltas = new DocumentDelta[16];

        WindowFold(long start) {
            this.start = start;
            window = new DocumentDelta(Instant.ofEpochMilli(start).toString());
            Arrays.fill(slotItems, -1);
        }

        void add(HeldEvents events, int event, boolean isLate) {
            DocumentDelta item = item(events, event);
            int partition = events.partition(event);
            long offset = events.offset(event);
            long seconds = events.epochSecond(event);
            int nanos = events.nano(event);
            if (isLate) {
                window.addLate(seconds, nanos, partition, offset);
                item.addLate(seconds, nanos, partition, offset);
            } else {
                int type = events.type(event).index();
                window.add(type, seconds, nanos, partition, offset);
                item.add(type, seconds, nanos, partition, offset);
            }
        }

        private DocumentDelta item(HeldEvents events, int event) {
            int itemIndex = events.itemIndex(event);
            int mask = slotItems.length - 1;
            int slot = DeltasById.homeSlot(itemIndex, mask);
            while (slotItems[slot] != -1) {
                if (slotItems[slot] == itemIndex) {
                    return slotDeltas[slot];
                }
                slot = (slot + 1) & mask;
            }
            DocumentDelta delta = new DocumentDelta(Rollup.itemWindowId(window.id(), events.itemId(event)));
            slotItems[slot] = itemIndex;
            slotDeltas[slot] = delta;
            items.add(delta);
            if (items.size() * 2 > slotItems.length) {
                rehash(slotItems.length * 2);
            }
            return delta;
        }

        private void rehash(int capacity) {
            int[] oldItems = slotItems;
            DocumentDelta[] oldDeltas = slotDeltas;
            slotItems = new int[capacity];
            slotDeltas = new DocumentDelta[capacity];
            Arrays.fill(slotItems, -1);
            int mask = capacity - 1;
            for (int i = 0; i < oldItems.length; i++) {
                if (oldItems[i] != -1) {
                    int slot = DeltasById.homeSlot(oldItems[i], mask);
                    while (slotItems[slot] != -1) {
                        slot = (slot + 1) & mask;
                    }
                    slotItems[slot] = oldItems[i];
                    slotDeltas[slot] = oldDeltas[i];
                }
            }
        }
    }

    /** Whether {@link #classifyLateness} found the event late for its window of the primary size. */
    public boolean isLate(ConsumedEvent event) {
        return isLate(event.partition(), event.offset());
    }

    /** {@link #isLate(ConsumedEvent)} of the event read at that position. */
    boolean isLate(int partition, long offset) {
        return !primaryLate.isEmpty() && primaryLate.contains(new RecordPosition(partition, offset));
    }

    private boolean isLate(Rollup rollup, ConsumedEvent event) {
        Set<RecordPosition> lateForSize = late.get(pairOf(rollup).windows());
        return lateForSize != null && !lateForSize.isEmpty()
                && lateForSize.contains(new RecordPosition(event.partition(), event.offset()));
    }

    private Rollups.WindowSize pairOf(Rollup rollup) {
        for (Rollups.WindowSize pair : rollups.windowSizes()) {
            if (pair.windows().equals(rollup) || pair.itemWindows().equals(rollup)) {
                return pair;
            }
        }
        throw new IllegalArgumentException(rollup + " is not one of this batch's windowed rollups " + rollups);
    }

    /** Per partition of the batch, the stream time after it (after {@link #classifyLateness}). */
    public Map<Integer, Instant> streamTimes() {
        return Collections.unmodifiableMap(streamTimes);
    }

    /** Counts a record that went to the dead-letter topic instead. */
    public void reject(RecordPosition position) {
        rejected.add(position);
    }

    /** Counts an event that was dropped as a duplicate of one already counted ({@code dedup.horizon}). */
    public void dropDuplicate(RecordPosition position) {
        duplicates.add(position);
    }

    public Rollups rollups() {
        return rollups;
    }

    /** The deltas of one rollup; windowed ones exist once {@link #classifyLateness} has run. */
    public Collection<DocumentDelta> deltas(Rollup rollup) {
        Map<String, DocumentDelta> deltas;
        if (rollup.equals(Rollup.USERS)) {
            return users.inOrder();
        } else if (rollup.equals(Rollup.ITEMS)) {
            return items.inOrder();
        } else {
            pairOf(rollup);
            if (windowed == null) {
                throw new IllegalStateException("windows are folded by classifyLateness, which has not run since the last event");
            }
            deltas = windowed.get(rollup);
        }
        return Collections.unmodifiableCollection(deltas.values());
    }

    /**
     * The batch's valid events as the fold keeps them: the same partition, offset and fields, but without their
     * event id (null), which aggregation never reads. Each is made again from the fold's columns when read
     * ({@link HeldEvents}): read it once per pass.
     */
    public List<ConsumedEvent> events() {
        return Collections.unmodifiableList(events);
    }

    /** The user id of the event at {@code index} of {@link #events()}, without making the event. */
    String userIdOf(int index) {
        return events.userId(index);
    }

    /** The item id of the event at {@code index} of {@link #events()}, without making the event. */
    String itemIdOf(int index) {
        return events.itemId(index);
    }

    /** How many valid events the batch holds: {@code events().size()}, without a view. */
    int eventCount() {
        return events.size();
    }

    /** The partition of the event at {@code index} of {@link #events()}, without making the event. */
    int partitionOf(int index) {
        return events.partition(index);
    }

    /** The offset of the event at {@code index} of {@link #events()}, without making the event. */
    long offsetOf(int index) {
        return events.offset(index);
    }

    /** The type's index of the event at {@code index} of {@link #events()}, without making the event. */
    int typeIndexOf(int index) {
        return events.type(index).index();
    }

    /** The index among {@link #deltas deltas(USERS)} of the user of the event at {@code index} of {@link #events()}. */
    int userIndexOf(int index) {
        return events.userIndex(index);
    }

    /** The index among {@link #deltas deltas(ITEMS)} of the item of the event at {@code index} of {@link #events()}. */
    int itemIndexOf(int index) {
        return events.itemIndex(index);
    }

    /** The distinct users of the batch: {@link #userIndexOf} is below. */
    int userCount() {
        return users.size();
    }

    String userIdAt(int userIndex) {
        return users.at(userIndex).id();
    }

    /** The distinct items of the batch: {@link #itemIndexOf} is below. */
    int itemCount() {
        return items.size();
    }

    /** The event time of the event at {@code index} of {@link #events()} in epoch milliseconds, without making the event. */
    long epochMillisOf(int index) {
        return events.epochMillis(index);
    }

    public int rejected() {
        return rejected.size();
    }

    /** Where the rejected records were on the topic. */
    public List<RecordPosition> rejectedPositions() {
        return Collections.unmodifiableList(rejected);
    }

    /** Where the events dropped as duplicates were on the topic. */
    public List<RecordPosition> duplicatePositions() {
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
    public Collection<DocumentDelta> refold(Rollup rollup, Map<String, Map<Integer, Long>> applied) {
        Map<String, DocumentDelta> remaining = new HashMap<>();
        for (ConsumedEvent event : events) {
            String id = rollup.keyOf(event.event());
            Map<Integer, Long> held = applied.get(id);
            if (held != null && event.offset() > held.getOrDefault(event.partition(), -1L)) {
                DocumentDelta delta = remaining.computeIfAbsent(id, DocumentDelta::new);
                if (rollup.isWindowed() && isLate(rollup, event)) {
                    delta.addLate(event);
                } else {
                    delta.add(event);
                }
            }
        }
        return remaining.values();
    }

    /** Whether this batch holds a valid event at that position. */
    public boolean contains(RecordPosition position) {
        if (positions == null) { // only needed after a replay conflict
            positions = new HashSet<>();
            for (ConsumedEvent event : events) {
                positions.add(new RecordPosition(event.partition(), event.offset()));
            }
        }
        return positions.contains(position);
    }
}
