package pulse.kafka;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The offsets to commit for consumed records, per partition up to the last one, and the consumer that read them.
 * Committed only once the records' aggregates are durably in MongoDB, on the consumer's own thread.
 */
public final class PartitionCommits {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionCommits.class);

    private final Consumer<?, ?> consumer;
    private final Map<TopicPartition, Long> lastOffsets;
    private final long timeoutMs;

    public PartitionCommits(Consumer<?, ?> consumer, Map<TopicPartition, Long> lastOffsets, long timeoutMs) {
        this.consumer = consumer;
        this.lastOffsets = Collections.unmodifiableMap(new LinkedHashMap<>(lastOffsets));
        this.timeoutMs = timeoutMs;
    }

    /** The consumer that read the records. */
    public Consumer<?, ?> consumer() {
        return consumer;
    }

    public Map<TopicPartition, Long> lastOffsets() {
        return lastOffsets;
    }

    /** These commits followed by {@code later}'s (read after them, by the same consumer): the later offset wins. */
    public PartitionCommits plus(PartitionCommits later) {
        if (later.consumer != consumer) {
            throw new IllegalArgumentException("commits of two different consumers cannot be merged");
        }
        Map<TopicPartition, Long> merged = new LinkedHashMap<>(lastOffsets);
        merged.putAll(later.lastOffsets);
        return new PartitionCommits(consumer, merged, Math.max(timeoutMs, later.timeoutMs));
    }

    /** These commits for only the given partitions. */
    public PartitionCommits retain(Set<TopicPartition> partitions) {
        Map<TopicPartition, Long> retained = new LinkedHashMap<>(lastOffsets);
        retained.keySet().retainAll(partitions);
        return new PartitionCommits(consumer, retained, timeoutMs);
    }

    /**
     * Commits, in one request, every partition the consumer still owns. A partition that moved to another consumer
     * in a rebalance is left to it: its new owner reads on from the last commit, and the offset guards of the
     * aggregates make that replay exact.
     */
    public void commit() {
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        lastOffsets.forEach((partition, offset) -> {
            if (assigned.contains(partition)) {
                offsets.put(partition, new OffsetAndMetadata(offset + 1));
            } else {
                LOG.info("Not committing {} up to offset {}: it moved to another consumer in a rebalance", partition, offset);
            }
        });
        if (!offsets.isEmpty()) {
            consumer.commitSync(offsets, Duration.ofMillis(timeoutMs));
        }
        LOG.debug("Committed offsets {}", offsets);
    }
}
