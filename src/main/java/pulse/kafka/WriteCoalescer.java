package pulse.kafka;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pulse.aggregate.BatchDelta;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Coalesces writes while a consumer is behind: its consumed batches are folded together and written to MongoDB
 * at once, so a document gets one write for all the events of many batches. A write is due as soon as the
 * consumer has caught up with its partitions (live traffic: every batch is written), or when the fold holds
 * {@code maxEvents} events or is {@code maxDelay} old (a long backlog: bounded memory and freshness).
 *
 * <p>Nothing held here is committed to Kafka: if the app stops or crashes, the held batches are consumed again.
 * One fold per consumer thread, as camel-kafka hands each consumer's batches to the route on its own thread, one
 * at a time. Two cases start a fold afresh:
 * <ul>
 *   <li>the consumer was replaced (camel-kafka reconnects after an error): it reads again from the committed
 *   offsets, so the fold it held is dropped;</li>
 *   <li>the same consumer reads a partition again from an earlier offset (it got the partition back in a
 *   rebalance): the fold is written first, then the re-read records count once thanks to the offset guards.</li>
 * </ul>
 */
public class WriteCoalescer {

    private static final Logger LOG = LoggerFactory.getLogger(WriteCoalescer.class);

    private final int maxEvents;
    private final long maxDelayNanos;
    private final LongSupplier nanoClock;
    private final Map<Thread, Fold> folds = new ConcurrentHashMap<>();

    public WriteCoalescer(int maxEvents, Duration maxDelay, LongSupplier nanoClock) {
        this.maxEvents = maxEvents;
        this.maxDelayNanos = maxDelay.toNanos();
        this.nanoClock = nanoClock;
    }

    /**
     * Adds the fold of a consumed batch.
     *
     * @return the writes now due, in the order they must be applied: none, one, or (after a rewind) two
     */
    public List<AggregateWrite> add(BatchDelta delta, KafkaBatch batch) {
        Thread consumerThread = Thread.currentThread();
        // a stopped route's consumer threads end: what they held was never committed, so it is read again
        folds.keySet().removeIf(thread -> !thread.isAlive());
        List<AggregateWrite> due = new ArrayList<>(2);
        Fold fold = folds.remove(consumerThread);
        if (fold != null && fold.commits.consumer() != batch.commits().consumer()) {
            LOG.info("The Kafka consumer was replaced; dropping {} events not yet written, it reads them again from"
                    + " the committed offsets", fold.delta.events().size());
            fold = null;
        } else if (fold != null && fold.isRewoundBy(batch)) {
            due.add(fold.toWrite());
            fold = null;
        }
        if (fold == null) {
            fold = new Fold(delta, batch, nanoClock.getAsLong());
        } else {
            fold.add(delta, batch);
        }
        if (batch.consumerCaughtUp() || fold.delta.events().size() + fold.delta.rejected() >= maxEvents
                || nanoClock.getAsLong() - fold.startedNanos >= maxDelayNanos) {
            due.add(fold.toWrite());
        } else {
            folds.put(consumerThread, fold);
        }
        return due;
    }

    /** Commits a write's offsets, once it is durably in MongoDB; on the thread of the consumer that read them. */
    public void commit(AggregateWrite write) {
        write.commits().commit();
    }

    /** Events held, not yet due, over all consumers. */
    public long heldEvents() {
        return folds.values().stream().mapToLong(fold -> fold.delta.events().size()).sum();
    }

    private static final class Fold {
        final BatchDelta delta;
        final long startedNanos;
        final Map<String, Long> lastOffsets = new HashMap<>();
        PartitionCommits commits;
        int batches;

        Fold(BatchDelta delta, KafkaBatch batch, long startedNanos) {
            this.delta = delta;
            this.startedNanos = startedNanos;
            this.commits = batch.commits();
            this.lastOffsets.putAll(batch.lastOffsets());
            this.batches = 1;
        }

        void add(BatchDelta next, KafkaBatch batch) {
            delta.merge(next);
            commits = commits.plus(batch.commits());
            lastOffsets.putAll(batch.lastOffsets());
            batches++;
        }

        /** The batch starts a partition at or before an offset this fold already holds. */
        boolean isRewoundBy(KafkaBatch batch) {
            for (Map.Entry<String, Long> first : batch.firstOffsets().entrySet()) {
                Long held = lastOffsets.get(first.getKey());
                if (held != null && first.getValue() <= held) {
                    return true;
                }
            }
            return false;
        }

        AggregateWrite toWrite() {
            return new AggregateWrite(delta, commits, batches);
        }
    }
}
