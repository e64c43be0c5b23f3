package pulse.kafka;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
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

    public static List<KafkaRecord> records(List<Exchange> batch) {
        List<KafkaRecord> records = new ArrayList<>(batch.size());
        for (Exchange exchange : batch) {
            Message message = exchange.getMessage();
            records.add(new KafkaRecord(
                    message.getHeader(KafkaConstants.TOPIC, String.class),
                    message.getHeader(KafkaConstants.PARTITION, Integer.class),
                    message.getHeader(KafkaConstants.OFFSET, Long.class),
                    message.getHeader(KafkaConstants.KEY, String.class),
                    message.getBody(byte[].class)));
        }
        return records;
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
