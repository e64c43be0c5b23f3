package pulse.kafka;

import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.Message;

/**
 * Prepares a rejected record for the dead-letter topic: its original key and bytes, and headers that say why it
 * was rejected and where it came from.
 */
public final class DeadLetters {

    public static final String REASON = "dlq.reason";
    public static final String DETAIL = "dlq.detail";
    public static final String SOURCE_TOPIC = "dlq.source.topic";
    public static final String SOURCE_PARTITION = "dlq.source.partition";
    public static final String SOURCE_OFFSET = "dlq.source.offset";

    private DeadLetters() {
    }

    public static void prepare(Exchange exchange) {
        Message message = exchange.getMessage();
        RejectedRecord rejected = message.getBody(RejectedRecord.class);
        KafkaRecord record = rejected.record();
        message.setHeader(REASON, rejected.reason());
        message.setHeader(DETAIL, rejected.detail());
        message.setHeader(SOURCE_TOPIC, record.topic());
        message.setHeader(SOURCE_PARTITION, String.valueOf(record.partition()));
        message.setHeader(SOURCE_OFFSET, String.valueOf(record.offset()));
        if (record.key() != null) {
            message.setHeader(KafkaConstants.KEY, record.key());
        }
        message.setBody(record.value());
    }
}
