package pulse.kafka;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A camel-kafka batch (an exchange whose body is one exchange per record), read once: its records grouped by
 * partition, what committing it takes, and whether more batches follow right away (a backlog).
 *
 * <p>Read on the consumer's own thread (camel-kafka hands a batch to the route there), which is what lets it ask
 * the Kafka consumer, reached through camel-kafka's manual commit header, for its lag.
 */
public final class KafkaBatch {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBatch.class);

    /** Per partition: its records in consumed order. */
    private final Map<TopicPartition, List<KafkaRecord>> records = new LinkedHashMap<>();
    private final String consumerId;
    private final PartitionCommits commits;
    private final boolean backlogAhead;
    private final Set<TopicPartition> assignment;

    private KafkaBatch(Map<TopicPartition, List<KafkaRecord>> records, String consumerId, PartitionCommits commits,
                       boolean backlogAhead, Set<TopicPartition> assignment) {
        this.records.putAll(records);
        this.consumerId = consumerId;
        this.commits = commits;
        this.backlogAhead = backlogAhead;
        this.assignment = Set.copyOf(assignment);
    }

    /** A batch made of these records (in consumed order per partition), for tests and tools. */
    public static KafkaBatch of(List<KafkaRecord> records, String consumerId, PartitionCommits commits,
                                boolean backlogAhead, Set<TopicPartition> assignment) {
        Map<TopicPartition, List<KafkaRecord>> byPartition = new LinkedHashMap<>();
        records.forEach(record -> byPartition.computeIfAbsent(new TopicPartition(record.topic(), record.partition()),
                tp -> new ArrayList<>()).add(record));
        return new KafkaBatch(byPartition, consumerId, commits, backlogAhead, assignment);
    }

    /** @param maxRecords the most records camel-kafka hands over at once: a batch this size was cut by size, not time */
    public static KafkaBatch read(List<Exchange> batch, int maxRecords) {
        Map<TopicPartition, List<KafkaRecord>> records = new LinkedHashMap<>();
        Consumer<?, ?> consumer = null;
        String consumerId = null;
        long commitTimeoutMs = 0;
        // a poll returns each partition's records together: look the partition's list up only when it changes
        TopicPartition currentPartition = null;
        List<KafkaRecord> current = null;
        for (Exchange exchange : batch) {
            // the record's partition and offset from its manual commit (one header lookup; camel-kafka hands every
            // record of a partition the same TopicPartition): this runs for every record, 20,000 exchanges after
            // camel-kafka built them, and every header entry touched is a cache miss, so the key, timestamp and
            // Kafka headers are left in the Camel headers for the few records that need them (KafkaRecord)
            Message message = exchange.getMessage();
            Map<String, Object> camelHeaders = message.getHeaders();
            if (!(camelHeaders.get(KafkaConstants.MANUAL_COMMIT) instanceof DefaultKafkaManualCommit commit)) {
                throw new IllegalStateException("the batch carries no camel-kafka manual commit: the route's endpoint"
                        + " needs allowManualCommit=true");
            }
            KafkaManualCommitFactory.KafkaRecordPayload position = commit.getKafkaRecordPayload();
            TopicPartition partition = position.partition;
            long offset = position.recordOffset;
            if (current == null || !partition.equals(currentPartition)) {
                current = records.computeIfAbsent(partition, tp -> new ArrayList<>());
                currentPartition = partition;
            }
            if (!current.isEmpty() && offset <= current.get(current.size() - 1).offset()) {
                // the partition's position was reset within the batch (a rebalance, camel-kafka keeps polled records
                // across polls): the records before are read again after this one, so only the new reading counts
                LOG.info("Partition {} was read again from offset {} within one batch; dropping the {} records"
                        + " read before", partition, offset, current.size());
                current.clear();
            }
            current.add(KafkaRecord.ofCamelHeaders(partition.topic(), partition.partition(), offset,
                    (byte[]) message.getBody(), camelHeaders));
            if (consumer == null) {
                consumer = commit.getCamelExchangePayload().consumer;
                consumerId = commit.getThreadId();
                commitTimeoutMs = commit.getCommitTimeout();
            }
        }
        Map<TopicPartition, Long> lastOffsets = new LinkedHashMap<>();
        records.forEach((partition, list) -> lastOffsets.put(partition, list.get(list.size() - 1).offset()));
        if (consumer == null) {
            throw new IllegalStateException("the batch carries no camel-kafka manual commit: the route's endpoint"
                    + " needs allowManualCommit=true");
        }
        return new KafkaBatch(records, consumerId, new PartitionCommits(consumer, lastOffsets, commitTimeoutMs),
                isBacklogAhead(batch.size(), lag(consumer), maxRecords), consumer.assignment());
    }

    /**
     * A full batch with lag behind it, or at least another full batch's worth of lag whatever this batch's size:
     * camel-kafka's batching interval counts from the start of the previous batch's processing, so after a slow
     * write the next batch is cut by the interval however far behind the consumer is.
     */
    private static boolean isBacklogAhead(int batchSize, long lag, int maxRecords) {
        return lag >= maxRecords || batchSize >= maxRecords && lag > 0;
    }

    /** How many records the consumer knows of on its partitions beyond those it has polled. */
    private static long lag(Consumer<?, ?> consumer) {
        long lag = 0;
        for (TopicPartition partition : consumer.assignment()) {
            OptionalLong partitionLag = consumer.currentLag(partition);
            if (partitionLag.isPresent()) {
                lag += partitionLag.getAsLong();
            }
        }
        return lag;
    }

    /** The records, one list per partition, each in the order it was consumed. */
    public Collection<List<KafkaRecord>> getPartitions() {
        return Collections.unmodifiableCollection(records.values());
    }

    /** Per partition, the offset of its first record in this batch (the last ones are in {@link #commits()}). */
    public Map<TopicPartition, Long> firstOffsets() {
        Map<TopicPartition, Long> first = new LinkedHashMap<>();
        records.forEach((partition, list) -> first.put(partition, list.get(0).offset()));
        return first;
    }

    /**
     * Which of the route's consumers read the batch (camel-kafka's consumer thread id, kept when it reconnects).
     * The route may go on on another thread, e.g. one that completed a send to the dead-letter topic.
     */
    public String consumerId() {
        return consumerId;
    }

    /** The partitions the consumer owned once this batch was polled (a rebalance happens only within a poll). */
    public Set<TopicPartition> assignment() {
        return assignment;
    }

    /** What committing this batch takes: for every partition, up to its last record. */
    public PartitionCommits commits() {
        return commits;
    }

    /**
     * Whether more batches follow right away, by Kafka's lag after the poll on the consumer's partitions: this one
     * was cut by size and there is lag, or at least another full batch's worth of lag waits whatever this batch's
     * size. The last batch of a burst, and live traffic (a few records behind), are written without waiting.
     */
    public boolean backlogAhead() {
        return backlogAhead;
    }
}
