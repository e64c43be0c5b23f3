package pulse.kafka;

import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A camel-kafka batch (an exchange whose body is one exchange per record), read once: its records grouped by
 * partition, and what committing it takes.
 *
 * <p>camel-kafka's {@link KafkaManualCommit} commits only the partition of the record it belongs to, up to that
 * record. A batch spans several partitions, so committing it means committing, for every partition, the manual
 * commit of its last record.
 */
public final class KafkaBatch {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBatch.class);

    /** Per {@code topic-partition}: its records in consumed order, and the manual commit of its last one. */
    private final Map<String, List<KafkaRecord>> records = new LinkedHashMap<>();
    private final Map<String, KafkaManualCommit> commits = new LinkedHashMap<>();

    private KafkaBatch() {
    }

    public static KafkaBatch read(List<Exchange> batch) {
        KafkaBatch read = new KafkaBatch();
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
            String topicPartition = topic + "-" + partition;
            read.records.computeIfAbsent(topicPartition, tp -> new ArrayList<>())
                    .add(new KafkaRecord(topic, partition, offset, key, (byte[]) exchange.getMessage().getBody()));
            if (commit != null) {
                read.commits.put(topicPartition, commit);
            }
        }
        return read;
    }

    /** The records, one list per partition, each in the order it was consumed. */
    public Collection<List<KafkaRecord>> getPartitions() {
        return Collections.unmodifiableCollection(records.values());
    }

    /** Commits, for every partition, up to its last record in the batch; called once the batch is durably in MongoDB. */
    public static void commit(KafkaBatch batch) {
        batch.commits.values().forEach(KafkaManualCommit::commit);
        LOG.debug("Committed offsets for {} partitions", batch.commits.size());
    }
}
