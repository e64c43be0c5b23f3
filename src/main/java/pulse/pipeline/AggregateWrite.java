package pulse.pipeline;

import pulse.aggregate.BatchDelta;
import pulse.kafka.PartitionCommits;

/**
 * What one write to MongoDB applies: the fold of one or more consecutive consumed batches of one consumer, and the
 * offsets to commit once it is durable.
 *
 * @param batches    how many consumed batches were folded into it
 * @param consumerId which of the route's consumers read them (camel-kafka's consumer id), or null when none did
 */
public record AggregateWrite(BatchDelta delta, PartitionCommits commits, int batches, String consumerId) {

    /** A write of batches no consumer of the route read (tests, tools). */
    public AggregateWrite(BatchDelta delta, PartitionCommits commits, int batches) {
        this(delta, commits, batches, null);
    }
}
