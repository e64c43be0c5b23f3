package pulse.event;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Drops events whose event id was already counted within a horizon of event time ({@code dedup.horizon}): what a
 * producer without idempotence resends after a timeout arrives again under a new offset. Producers key a resent
 * event like the original, so both are on one partition: ids are remembered per partition, in this instance's
 * memory, for the events it reads. A restart, or a partition moving to another instance, forgets them.
 *
 * <p>Replay-safe: an id is remembered with the offset it was first read at, so reading the same records again
 * (after a failed write or a rebalance) finds each original to be itself, and each resend a duplicate again.
 */
public final class DuplicateFilter {

    private static final Logger LOG = LoggerFactory.getLogger(DuplicateFilter.class);
    private static final DuplicateFilter OFF = new DuplicateFilter(Duration.ZERO, 0);

    private final long horizonMillis;
    private final int maxIdsPerPartition;
    private final Map<Integer, RecentIds> partitions = new ConcurrentHashMap<>();

    /**
     * @param horizon            how far apart in event time an id counts as the same event
     * @param maxIdsPerPartition the most ids remembered per partition; beyond, the oldest are forgotten early
     */
    public DuplicateFilter(Duration horizon, int maxIdsPerPartition) {
        this.horizonMillis = horizon.toMillis();
        this.maxIdsPerPartition = maxIdsPerPartition;
    }

    /** Counts every event. */
    public static DuplicateFilter off() {
        return OFF;
    }

    public boolean isOn() {
        return maxIdsPerPartition > 0;
    }

    /** Whether the event repeats one read earlier on its partition within the horizon; events without an id never do. */
    public boolean isDuplicate(ConsumedEvent consumed) {
        String id = consumed.event().eventId();
        if (!isOn() || id == null) {
            return false;
        }
        RecentIds recent = partitions.computeIfAbsent(consumed.partition(),
                partition -> new RecentIds(partition, horizonMillis, maxIdsPerPartition));
        synchronized (recent) { // during a rebalance two consumers may briefly read one partition
            return recent.isDuplicate(hash(id), consumed.offset(), consumed.event().timestamp().toEpochMilli());
        }
    }

    /** Ids remembered now, over all partitions. */
    public long rememberedIds() {
        long ids = 0;
        for (RecentIds recent : partitions.values()) {
            synchronized (recent) {
                ids += recent.size;
            }
        }
        return ids;
    }

    /**
     * A 64-bit hash of the id (FNV-1a, then MurmurHash3's finaliser): two different ids of one partition's horizon
     * collide with a probability of about n / 2^64 per event, n the ids remembered.
     */
    static long hash(String id) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h ^= id.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /**
     * One partition's ids in the order they were first read (a ring of hash, offset, event time, about 32 bytes an
     * id with its index), indexed by an open-addressing table of ring positions. Grows up to its capacity; then the
     * oldest id makes room, even if it is still within the horizon (logged).
     */
    static final class RecentIds {
        private static final int INITIAL = 1024;
        private static final int EMPTY = -1;

        private final int partition;
        private final long horizonMillis;
        private final int capacity;
        private long[] hashes = new long[INITIAL];
        private long[] offsets = new long[INITIAL];
        private long[] times = new long[INITIAL];
        private int head;
        int size;
        /** Ring positions by hash; twice the ring's length, so probes stay short. */
        private int[] table = emptyTable(INITIAL * 2);
        private long newestTime = Long.MIN_VALUE;
        private long forgottenEarly;

        RecentIds(int partition, long horizonMillis, int capacity) {
            this.partition = partition;
            this.horizonMillis = horizonMillis;
            this.capacity = capacity;
        }

        boolean isDuplicate(long hash, long offset, long time) {
            newestTime = Math.max(newestTime, time);
            while (size > 0 && times[head] < newestTime - horizonMillis) {
                removeOldest();
            }
            int position = find(hash);
            if (position != EMPTY) {
                if (offsets[position] < offset && Math.abs(time - times[position]) <= horizonMillis) {
                    return true;
                }
                // the same record read again, its original read again from an earlier offset, or a reuse of the id
                // beyond the horizon: it counts, and is what later copies are judged against
                if (offsets[position] != offset) {
                    offsets[position] = offset;
                    times[position] = time;
                }
                return false;
            }
            if (size == capacity) {
                removeOldest();
                if (forgottenEarly++ % 100_000 == 0) {
                    LOG.warn("Partition {}: more ids within dedup.horizon than dedup.max-ids ({}); the oldest are forgotten"
                            + " before the horizon ends ({} so far), so their duplicates may be counted", partition, capacity,
                            forgottenEarly);
                }
            } else if (size == hashes.length) {
                grow();
            }
            int slot = (head + size) % hashes.length;
            hashes[slot] = hash;
            offsets[slot] = offset;
            times[slot] = time;
            size++;
            insert(hash, slot);
            return false;
        }

        private int find(long hash) {
            int mask = table.length - 1;
            for (int i = index(hash, mask); table[i] != EMPTY; i = (i + 1) & mask) {
                if (hashes[table[i]] == hash) {
                    return table[i];
                }
            }
            return EMPTY;
        }

        private void insert(long hash, int slot) {
            int mask = table.length - 1;
            int i = index(hash, mask);
            while (table[i] != EMPTY) {
                i = (i + 1) & mask;
            }
            table[i] = slot;
        }

        private void removeOldest() {
            long hash = hashes[head];
            int mask = table.length - 1;
            int i = index(hash, mask);
            while (table[i] != head) {
                i = (i + 1) & mask;
            }
            // backward-shift deletion: move later entries of the probe run into the gap, so lookups need no tombstones
            int gap = i;
            for (int j = (gap + 1) & mask; table[j] != EMPTY; j = (j + 1) & mask) {
                int home = index(hashes[table[j]], mask);
                if (((j - home) & mask) >= ((j - gap) & mask)) {
                    table[gap] = table[j];
                    gap = j;
                }
            }
            table[gap] = EMPTY;
            head = (head + 1) % hashes.length;
            size--;
        }

        /** Doubles the ring (up to the capacity), laying it out from its oldest id, and rebuilds the index. */
        private void grow() {
            int length = (int) Math.min((long) hashes.length * 2, capacity);
            long[] newHashes = new long[length];
            long[] newOffsets = new long[length];
            long[] newTimes = new long[length];
            for (int k = 0; k < size; k++) {
                int from = (head + k) % hashes.length;
                newHashes[k] = hashes[from];
                newOffsets[k] = offsets[from];
                newTimes[k] = times[from];
            }
            hashes = newHashes;
            offsets = newOffsets;
            times = newTimes;
            head = 0;
            table = emptyTable(Integer.highestOneBit(Math.max(2, length * 2 - 1)) * 2);
            for (int k = 0; k < size; k++) {
                insert(hashes[k], k);
            }
        }

        private static int index(long hash, int mask) {
            return (int) (hash ^ (hash >>> 32)) & mask;
        }

        private static int[] emptyTable(int length) {
            int[] table = new int[length];
            Arrays.fill(table, EMPTY);
            return table;
        }
    }
}
