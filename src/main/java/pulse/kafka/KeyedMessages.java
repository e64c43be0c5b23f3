package pulse.kafka;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;
import pulse.generator.GeneratedRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns generated records into one Camel message per Kafka record, keyed by user id, so that camel-kafka sends a whole tick
 * as one batch of asynchronous sends and a user's events stay in order on one partition.
 */
public final class KeyedMessages {

    private KeyedMessages() {
    }

    public static List<Message> toMessages(List<GeneratedRecord> records, Exchange exchange) {
        List<Message> messages = new ArrayList<>(records.size());
        for (GeneratedRecord record : records) {
            Message message = new DefaultMessage(exchange);
            message.setHeader(KafkaConstants.KEY, record.key());
            record.headers().forEach(message::setHeader); // e.g. CloudEvents attributes in binary mode
            message.setBody(record.value());
            messages.add(message);
        }
        return messages;
    }
}
