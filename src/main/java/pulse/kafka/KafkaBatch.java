package pulse.kafka;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a camel-kafka batch (an exchange whose body is one exchange per record) and commits it.
 *
 * <p>camel-kafka's {@link KafkaManualCommit} commits only the partition of the record it belongs to, up to that
 * record. A batch spans several partitions, so committing it means committing, for every partition, the manual
 * commit of its last record.
 */
public final class KafkaBatch {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBatch.class);

    private KafkaBatch() {
    }

    /** The batch's records grouped by partition ({@code topic-partition}), in the order they were consumed. */
    public static Collection<List<KafkaRecord>> recordsByPartition(List<Exchange> batch) {
        Map<String, List<KafkaRecord>> byPartition = new LinkedHashMap<>();
        for (Exchange exchange : batch) {
            Message message = exchange.getMessage();
            // plain lookups: these headers are set by camel-kafka with these types, no conversion needed
            String topic = (String) message.getHeader(KafkaConstants.TOPIC);
            int partition = (Integer) message.getHeader(KafkaConstants.PARTITION);
            KafkaRecord record = new KafkaRecord(topic, partition, (Long) message.getHeader(KafkaConstants.OFFSET),
                    message.getHeader(KafkaConstants.KEY, String.class), (byte[]) message.getBody());
            byPartition.computeIfAbsent(topic + "-" + partition, tp -> new ArrayList<>()).add(record);
        }
        return byPartition.values();
    }

    /** Per partition ({@code topic-partition}), the manual commit of the batch's last record there. */
    public static Map<String, KafkaManualCommit> lastCommitPerPartition(List<Exchange> batch) {
        Map<String, KafkaManualCommit> commits = new LinkedHashMap<>();
        for (Exchange exchange : batch) {
            Message message = exchange.getMessage();
            KafkaManualCommit commit = message.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
            if (commit != null) {
                commits.put(message.getHeader(KafkaConstants.TOPIC) + "-" + message.getHeader(KafkaConstants.PARTITION), commit);
            }
        }
        return commits;
    }

    /** Commits synchronously; called only once the batch is durably in MongoDB. */
    public static void commit(Map<String, KafkaManualCommit> commits) {
        commits.values().forEach(KafkaManualCommit::commit);
        LOG.debug("Committed offsets for {} partitions", commits.size());
    }
}
