package pulse.kafka;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;
import pulse.event.EventJson;
import pulse.event.InteractionEvent;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns events into one Camel message per Kafka record, keyed by user id, so that camel-kafka sends a whole tick
 * as one batch of asynchronous sends and a user's events stay in order on one partition.
 */
public final class KeyedMessages {

    private KeyedMessages() {
    }

    public static List<Message> byUser(List<InteractionEvent> events, Exchange exchange) {
        List<Message> messages = new ArrayList<>(events.size());
        for (InteractionEvent event : events) {
            Message message = new DefaultMessage(exchange);
            message.setHeader(KafkaConstants.KEY, event.userId());
            message.setBody(EventJson.toBytes(event));
            messages.add(message);
        }
        return messages;
    }
}
