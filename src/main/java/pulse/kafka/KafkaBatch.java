package pulse.kafka;

import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A camel-kafka batch (an exchange whose body is one exchange per record), read once: its records grouped by
 * partition, what committing it takes, and whether the consumer that read it has caught up with its partitions.
 *
 * <p>Read on the consumer's own thread (camel-kafka hands a batch to the route there), which is what lets it ask
 * the Kafka consumer, reached through camel-kafka's manual commit header, for its lag.
 */
public final class KafkaBatch {

    /** Per {@code topic-partition}: its records in consumed order. */
    private final Map<String, List<KafkaRecord>> records = new LinkedHashMap<>();
    private final PartitionCommits commits;
    private final boolean consumerCaughtUp;

    private KafkaBatch(Map<String, List<KafkaRecord>> records, PartitionCommits commits, boolean consumerCaughtUp) {
        this.records.putAll(records);
        this.commits = commits;
        this.consumerCaughtUp = consumerCaughtUp;
    }

    /** A batch made of these records (in consumed order per partition), for tests and tools. */
    public static KafkaBatch of(List<KafkaRecord> records, PartitionCommits commits, boolean consumerCaughtUp) {
        Map<String, List<KafkaRecord>> byPartition = new LinkedHashMap<>();
        records.forEach(record -> byPartition.computeIfAbsent(record.topic() + "-" + record.partition(),
                tp -> new ArrayList<>()).add(record));
        return new KafkaBatch(byPartition, commits, consumerCaughtUp);
    }

    public static KafkaBatch read(List<Exchange> batch) {
        Map<String, List<KafkaRecord>> records = new LinkedHashMap<>();
        Consumer<?, ?> consumer = null;
        long commitTimeoutMs = 0;
        // a poll returns each partition's records together: look the partition's list up only when it changes
        String currentTopic = null;
        int currentPartition = -1;
        List<KafkaRecord> current = null;
        for (Exchange exchange : batch) {
            // one pass over the headers camel-kafka set (exact names and types) instead of a case-insensitive
            // lookup per header: this runs for every record
            String topic = null;
            int partition = -1;
            long offset = -1;
            String key = null;
            KafkaManualCommit commit = null;
            for (Map.Entry<String, Object> header : exchange.getMessage().getHeaders().entrySet()) {
                switch (header.getKey()) {
                    case KafkaConstants.TOPIC -> topic = (String) header.getValue();
                    case KafkaConstants.PARTITION -> partition = (Integer) header.getValue();
                    case KafkaConstants.OFFSET -> offset = (Long) header.getValue();
                    case KafkaConstants.KEY -> key = header.getValue() == null ? null : header.getValue().toString();
                    case KafkaConstants.MANUAL_COMMIT -> commit = (KafkaManualCommit) header.getValue();
                    default -> { }
                }
            }
            if (current == null || partition != currentPartition || !topic.equals(currentTopic)) {
                current = records.computeIfAbsent(topic + "-" + partition, tp -> new ArrayList<>());
                currentTopic = topic;
                currentPartition = partition;
            }
            current.add(new KafkaRecord(topic, partition, offset, key, (byte[]) exchange.getMessage().getBody()));
            if (consumer == null && commit instanceof DefaultKafkaManualCommit manual) {
                consumer = manual.getConsumer();
                commitTimeoutMs = manual.getCommitTimeout();
            }
        }
        Map<TopicPartition, Long> lastOffsets = new LinkedHashMap<>();
        for (List<KafkaRecord> partitionRecords : records.values()) {
            KafkaRecord last = partitionRecords.get(partitionRecords.size() - 1);
            lastOffsets.put(new TopicPartition(last.topic(), last.partition()), last.offset());
        }
        if (consumer == null) {
            throw new IllegalStateException("the batch carries no camel-kafka manual commit: the route's endpoint"
                    + " needs allowManualCommit=true");
        }
        return new KafkaBatch(records, new PartitionCommits(consumer, lastOffsets, commitTimeoutMs), caughtUp(consumer));
    }

    /**
     * Whether the consumer has fetched everything its partitions held at its last fetch. Unknown lag (a partition
     * not fetched yet) counts as caught up: then writing soon is the safe side for freshness.
     */
    private static boolean caughtUp(Consumer<?, ?> consumer) {
        for (TopicPartition partition : consumer.assignment()) {
            OptionalLong lag = consumer.currentLag(partition);
            if (lag.isPresent() && lag.getAsLong() > 0) {
                return false;
            }
        }
        return true;
    }

    /** The records, one list per partition, each in the order it was consumed. */
    public Collection<List<KafkaRecord>> getPartitions() {
        return Collections.unmodifiableCollection(records.values());
    }

    /** Per {@code topic-partition}, the offset of its first record in this batch. */
    public Map<String, Long> firstOffsets() {
        Map<String, Long> first = new LinkedHashMap<>();
        records.forEach((tp, list) -> first.put(tp, list.get(0).offset()));
        return first;
    }

    /** Per {@code topic-partition}, the offset of its last record in this batch. */
    public Map<String, Long> lastOffsets() {
        Map<String, Long> last = new LinkedHashMap<>();
        records.forEach((tp, list) -> last.put(tp, list.get(list.size() - 1).offset()));
        return last;
    }

    public int size() {
        return records.values().stream().mapToInt(List::size).sum();
    }

    /** What committing this batch takes: for every partition, up to its last record. */
    public PartitionCommits commits() {
        return commits;
    }

    /** Whether, once this batch was polled, the consumer had no more records waiting on any of its partitions. */
    public boolean consumerCaughtUp() {
        return consumerCaughtUp;
    }
}
