package pulse.metrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pulse.store.WriteStats;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/** Totals of what the aggregation route has done, logged every interval with rates. */
public class AggregationProgress {

    private static final Logger LOG = LoggerFactory.getLogger(AggregationProgress.class);

    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong documentsWritten = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private long windowStart;
    private long windowEvents;
    private long windowWrites;
    private long windowBatches;
    private long windowFlushNanos;
    /**
     * Events of the last {@link #RATE_BUCKETS} slices of {@link #BUCKET_NANOS} each, for the current rate: a ring
     * indexed by slice number, so its size is fixed however many writes happen and whether or not anyone reads
     * the rate.
     */
    static final int RATE_BUCKETS = 50;
    private static final long BUCKET_NANOS = 100_000_000L;
    private static final long RATE_WINDOW_NANOS = RATE_BUCKETS * BUCKET_NANOS;
    private final long[] bucketEvents = new long[RATE_BUCKETS];
    /** The slice number each bucket currently counts, {@code Long.MIN_VALUE} while unused. */
    private final long[] bucketSlice = new long[RATE_BUCKETS];

    public AggregationProgress(Duration interval, LongSupplier nanoClock) {
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
        this.windowStart = nanoClock.getAsLong();
        Arrays.fill(bucketSlice, Long.MIN_VALUE);
    }

    private volatile Consumer<WriteStats> listener = stats -> { };

    /** Also hands every batch's stats to {@code listener} (metrics, benchmarks). */
    public void onBatch(Consumer<WriteStats> listener) {
        this.listener = this.listener.andThen(listener);
    }

    public synchronized void record(WriteStats stats) {
        listener.accept(stats);
        events.addAndGet(stats.events());
        rejected.addAndGet(stats.rejected());
        duplicates.addAndGet(stats.duplicates());
        documentsWritten.addAndGet(stats.documentsWritten());
        batches.incrementAndGet();
        windowEvents += stats.events();
        windowWrites += stats.documentsWritten();
        windowBatches++;
        windowFlushNanos += stats.flushNanos();
        long slice = Math.floorDiv(nanoClock.getAsLong(), BUCKET_NANOS);
        int bucket = (int) Math.floorMod(slice, (long) RATE_BUCKETS);
        if (bucketSlice[bucket] != slice) {
            bucketSlice[bucket] = slice;
            bucketEvents[bucket] = 0;
        }
        bucketEvents[bucket] += stats.events();
        if (stats.conflicts() > 0) {
            LOG.info("Replay detected: {} documents already held events of this batch; only the missing events were applied",
                    stats.conflicts());
        }
        long now = nanoClock.getAsLong();
        long elapsed = now - windowStart;
        if (elapsed >= intervalNanos) {
            LOG.info("Aggregated {} events in {} batches over {} s: {} events/s, {} MongoDB writes ({} per event),"
                            + " mean flush {} ms; totals: {} events, {} rejected to the dead-letter topic",
                    windowEvents, windowBatches, "%.1f".formatted(elapsed / 1e9), "%.0f".formatted(windowEvents * 1e9 / elapsed),
                    windowWrites, windowEvents == 0 ? "-" : "%.3f".formatted((double) windowWrites / windowEvents),
                    windowBatches == 0 ? "-" : "%.1f".formatted(windowFlushNanos / 1e6 / windowBatches),
                    events.get(), rejected.get());
            windowStart = now;
            windowEvents = 0;
            windowWrites = 0;
            windowBatches = 0;
            windowFlushNanos = 0;
        }
    }

    /** Events aggregated per second over the last five seconds (the current 100 ms slice and the 49 before it). */
    public synchronized double eventsPerSecond() {
        long now = Math.floorDiv(nanoClock.getAsLong(), BUCKET_NANOS);
        long events = 0;
        for (int i = 0; i < RATE_BUCKETS; i++) {
            if (bucketSlice[i] > now - RATE_BUCKETS && bucketSlice[i] <= now) {
                events += bucketEvents[i];
            }
        }
        return events * 1e9 / RATE_WINDOW_NANOS;
    }

    /** How many per-write samples the rate keeps: at most {@link #RATE_BUCKETS}, however many writes happened. */
    synchronized int retainedRateSamples() {
        int used = 0;
        for (long slice : bucketSlice) {
            if (slice != Long.MIN_VALUE) {
                used++;
            }
        }
        return used;
    }

    public long events() {
        return events.get();
    }

    public long rejected() {
        return rejected.get();
    }

    /** Events dropped as duplicates of events already counted. */
    public long duplicates() {
        return duplicates.get();
    }

    public long documentsWritten() {
        return documentsWritten.get();
    }

    public long batches() {
        return batches.get();
    }
}
