package pulse.pipeline;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pulse.aggregate.BatchDelta;
import pulse.kafka.KafkaBatch;
import pulse.kafka.PartitionCommits;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Coalesces writes while a consumer is behind: its consumed batches are folded together and written to MongoDB
 * at once, so a document gets one write for all the events of many batches. A fold is held only while more
 * batches follow right away ({@link KafkaBatch#backlogAhead()}: by Kafka's lag after the poll), and at most
 * until it holds {@code maxEvents} events or is {@code maxDelay} old (bounded memory and freshness). Live traffic
 * and the end of a backlog never wait: their batches are cut by the batching interval and written at once.
 *
 * <p>Nothing held here is committed to Kafka: if the app stops or crashes, the held batches are consumed again.
 * One fold per consumer of the route, as camel-kafka hands each consumer's batches to the route one at a time
 * (keyed by camel-kafka's consumer id, not the thread: the route may go on on another thread). Two cases start
 * a fold afresh:
 * <ul>
 *   <li>the consumer was replaced (camel-kafka reconnects after an error): it reads again from the committed
 *   offsets, so the fold it held is dropped;</li>
 *   <li>the same consumer reads a partition again from an earlier offset (it got the partition back in a
 *   rebalance): the fold is written first, then the re-read records count once thanks to the offset guards.</li>
 * </ul>
 * And when a rebalance took some of the fold's partitions away, their events are left out of it: their new owner
 * reads them again from the last commit, and this consumer does not write them behind its back.
 */
public class WriteCoalescer {

    private static final Logger LOG = LoggerFactory.getLogger(WriteCoalescer.class);

    private final int maxEvents;
    private final long maxDelayNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Fold> folds = new ConcurrentHashMap<>();

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
        String consumer = batch.consumerId();
        List<AggregateWrite> due = new ArrayList<>(2);
        Fold fold = folds.remove(consumer);
        if (fold != null && fold.commits.consumer() != batch.commits().consumer()) {
            // camel-kafka reconnected after an error, or the route was restarted
            LOG.info("The Kafka consumer was replaced; dropping {} events not yet written, it reads them again from"
                    + " the committed offsets", fold.delta.events().size());
            fold = null;
        } else if (fold != null && !fold.isOwnedBy(batch.assignment())) {
            fold = fold.retain(batch.assignment());
        }
        if (fold != null && fold.isRewoundBy(batch)) {
            due.add(fold.toWrite());
            fold = null;
        }
        if (fold == null) {
            fold = new Fold(delta, batch.commits(), 1, nanoClock.getAsLong());
        } else {
            fold.add(delta, batch);
        }
        if (!fold.isOwnedBy(batch.assignment())) { // camel-kafka may hand over records polled before a rebalance
            fold = fold.retain(batch.assignment());
        }
        if (!batch.backlogAhead() || fold.delta.events().size() + fold.delta.rejected() >= maxEvents
                || nanoClock.getAsLong() - fold.startedNanos >= maxDelayNanos) {
            due.add(fold.toWrite());
        } else {
            folds.put(consumer, fold);
        }
        return due;
    }

    /** Commits a write's offsets, once it is durably in MongoDB. */
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
        /** The offsets to commit, which are also the last offset the fold holds of each partition. */
        PartitionCommits commits;
        int batches;

        Fold(BatchDelta delta, PartitionCommits commits, int batches, long startedNanos) {
            this.delta = delta;
            this.commits = commits;
            this.batches = batches;
            this.startedNanos = startedNanos;
        }

        boolean isOwnedBy(Set<TopicPartition> assignment) {
            return assignment.containsAll(commits.lastOffsets().keySet());
        }

        /** This fold with only the events of the partitions the consumer still owns. */
        Fold retain(Set<TopicPartition> assignment) {
            Set<Integer> owned = new HashSet<>();
            assignment.forEach(partition -> owned.add(partition.partition()));
            BatchDelta retained = delta.retainPartitions(owned);
            LOG.info("A rebalance took partitions away; leaving {} of {} held events to their new owner",
                    delta.events().size() - retained.events().size(), delta.events().size());
            return new Fold(retained, commits.retain(assignment), batches, startedNanos);
        }

        void add(BatchDelta next, KafkaBatch batch) {
            delta.merge(next);
            commits = commits.plus(batch.commits());
            batches++;
        }

        /** The batch starts a partition at or before an offset this fold already holds. */
        boolean isRewoundBy(KafkaBatch batch) {
            for (Map.Entry<TopicPartition, Long> first : batch.firstOffsets().entrySet()) {
                Long held = commits.lastOffsets().get(first.getKey());
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
