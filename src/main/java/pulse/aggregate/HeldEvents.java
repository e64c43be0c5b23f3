package pulse.aggregate;

import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;

import java.time.Instant;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.RandomAccess;

/**
 * The events a fold holds, without their event id (aggregation never reads it), kept in columns rather than as
 * three objects per event: a fold of a backlog holds hundreds of thousands of events for seconds, and every young
 * collection in that time copied each of them (a {@code ConsumedEvent}, its {@code InteractionEvent} and its
 * {@code Instant}); arrays of numbers and of references to the shared id strings are copied as blocks. An event
 * read back is made again from its columns: equal to the one added, without its event id.
 */
final class HeldEvents extends AbstractList<ConsumedEvent> implements RandomAccess {

    private String[] users = new String[16];
    private String[] items = new String[16];
    private InteractionType[] types = new InteractionType[16];
    private long[] seconds = new long[16];
    private int[] nanos = new int[16];
    private int[] schemaVersions = new int[16];
    private int[] partitions = new int[16];
    private long[] offsets = new long[16];
    /**
     * Per event, the index of its user's and item's delta in the fold ({@link BatchDelta}), -1 where none was given:
     * the passes over a fold's events (windows, unique users) group them by these numbers instead of hashing ids.
     */
    private int[] userIndexes = new int[16];
    private int[] itemIndexes = new int[16];
    private int size;

    /** Holds the event, with these id strings for its user and item (the fold's shared ones). */
    void add(ConsumedEvent consumed, String userId, String itemId) {
        add(consumed, userId, itemId, -1, -1);
    }

    /** Holds the event, with its user's and item's id strings and delta indexes in the fold. */
    void add(ConsumedEvent consumed, String userId, String itemId, int userIndex, int itemIndex) {
        if (size == offsets.length) {
            grow(size * 2);
        }
        InteractionEvent event = consumed.event();
        users[size] = userId;
        items[size] = itemId;
        userIndexes[size] = userIndex;
        itemIndexes[size] = itemIndex;
        types[size] = event.type();
        seconds[size] = event.timestamp().getEpochSecond();
        nanos[size] = event.timestamp().getNano();
        schemaVersions[size] = event.schemaVersion();
        partitions[size] = consumed.partition();
        offsets[size] = consumed.offset();
        size++;
    }

    /** Holds all of {@code other}'s events after these. */
    void addAll(HeldEvents other) {
        addAll(other, null, null);
    }

    /**
     * Holds all of {@code other}'s events after these, their user and item indexes mapped to this fold's.
     *
     * @param userIndexOf per user index of {@code other}, this fold's; null to keep them as they are
     */
    void addAll(HeldEvents other, int[] userIndexOf, int[] itemIndexOf) {
        if (size + other.size > offsets.length) {
            grow(Math.max(size + other.size, offsets.length * 2));
        }
        System.arraycopy(other.users, 0, users, size, other.size);
        System.arraycopy(other.items, 0, items, size, other.size);
        System.arraycopy(other.types, 0, types, size, other.size);
        System.arraycopy(other.seconds, 0, seconds, size, other.size);
        System.arraycopy(other.nanos, 0, nanos, size, other.size);
        System.arraycopy(other.schemaVersions, 0, schemaVersions, size, other.size);
        System.arraycopy(other.partitions, 0, partitions, size, other.size);
        System.arraycopy(other.offsets, 0, offsets, size, other.size);
        copyIndexes(other.userIndexes, userIndexOf, userIndexes, other.size);
        copyIndexes(other.itemIndexes, itemIndexOf, itemIndexes, other.size);
        size += other.size;
    }

    private void copyIndexes(int[] from, int[] indexOf, int[] to, int count) {
        if (indexOf == null) {
            System.arraycopy(from, 0, to, size, count);
            return;
        }
        for (int i = 0; i < count; i++) {
            to[size + i] = from[i] < 0 ? -1 : indexOf[from[i]];
        }
    }

    private void grow(int capacity) {
        users = Arrays.copyOf(users, capacity);
        items = Arrays.copyOf(items, capacity);
        types = Arrays.copyOf(types, capacity);
        seconds = Arrays.copyOf(seconds, capacity);
        nanos = Arrays.copyOf(nanos, capacity);
        schemaVersions = Arrays.copyOf(schemaVersions, capacity);
        partitions = Arrays.copyOf(partitions, capacity);
        offsets = Arrays.copyOf(offsets, capacity);
        userIndexes = Arrays.copyOf(userIndexes, capacity);
        itemIndexes = Arrays.copyOf(itemIndexes, capacity);
    }

    @Override
    public ConsumedEvent get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("event " + index + " of " + size);
        }
        return new ConsumedEvent(new InteractionEvent(null, schemaVersions[index], users[index], items[index],
                types[index], Instant.ofEpochSecond(seconds[index], nanos[index])), partitions[index], offsets[index]);
    }

    @Override
    public int size() {
        return size;
    }

    /** The user id of the event at {@code index}, without making the event. */
    String userId(int index) {
        return users[index];
    }

    /** The partition of the event at {@code index}, without making the event. */
    int partition(int index) {
        return partitions[index];
    }

    /** The item id of the event at {@code index}, without making the event. */
    String itemId(int index) {
        return items[index];
    }

    /** The event time of the event at {@code index} in epoch milliseconds (rounded down), without making the event. */
    long epochMillis(int index) {
        return Math.addExact(Math.multiplyExact(seconds[index], 1000L), nanos[index] / 1_000_000);
    }

    /** The index of the event's user delta in its fold, or -1. */
    int userIndex(int index) {
        return userIndexes[index];
    }

    /** The index of the event's item delta in its fold, or -1. */
    int itemIndex(int index) {
        return itemIndexes[index];
    }

    InteractionType type(int index) {
        return types[index];
    }

    long epochSecond(int index) {
        return seconds[index];
    }

    int nano(int index) {
        return nanos[index];
    }

    long offset(int index) {
        return offsets[index];
    }
}
