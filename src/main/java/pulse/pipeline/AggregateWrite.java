package pulse.pipeline;

import pulse.aggregate.BatchDelta;
import pulse.kafka.PartitionCommits;

/**
 * What one write to MongoDB applies: the fold of one or more consecutive consumed batches of one consumer, and the
 * offsets to commit once it is durable.
 *
 * @param batches how many consumed batches were folded into it
 */
public record AggregateWrite(BatchDelta delta, PartitionCommits commits, int batches) {
}
