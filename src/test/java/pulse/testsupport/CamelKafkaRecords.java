package pulse.testsupport;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualSyncCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;

/**
 * Records as camel-kafka's batching consumer hands them to a route: one exchange per record, with camel-kafka's
 * headers and the manual commit that reaches the Kafka consumer which read them (a kafka-clients
 * {@code MockConsumer} in unit tests).
 */
public final class CamelKafkaRecords {

    private final CamelContext camel;
    private final Consumer<?, ?> consumer;
    private final String consumerId;

    /** @param consumerId camel-kafka's id of the consumer thread, e.g. {@code interactions-Thread 0} */
    public CamelKafkaRecords(CamelContext camel, Consumer<?, ?> consumer, String consumerId) {
        this.camel = camel;
        this.consumer = consumer;
        this.consumerId = consumerId;
    }

    public Exchange record(String topic, int partition, long offset, String key, byte[] value) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(value);
        exchange.getMessage().setHeader(KafkaConstants.TOPIC, topic);
        exchange.getMessage().setHeader(KafkaConstants.PARTITION, partition);
        exchange.getMessage().setHeader(KafkaConstants.OFFSET, offset);
        if (key != null) { // camel-kafka sets no key header for a record without key
            exchange.getMessage().setHeader(KafkaConstants.KEY, key);
        }
        exchange.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, new DefaultKafkaManualSyncCommit(
                new KafkaManualCommitFactory.CamelExchangePayload(exchange, consumer, consumerId, null),
                new KafkaManualCommitFactory.KafkaRecordPayload(new TopicPartition(topic, partition), offset, 5_000), null));
        return exchange;
    }

    /** A record with its timestamp and Kafka headers, set as camel-kafka sets them (boxed; the headers object itself). */
    public Exchange record(String topic, int partition, long offset, String key, byte[] value, long timestamp,
                           Headers headers) {
        Exchange exchange = record(topic, partition, offset, key, value);
        exchange.getMessage().setHeader(KafkaConstants.HEADERS, headers);
        exchange.getMessage().setHeader(KafkaConstants.TIMESTAMP, timestamp);
        exchange.getMessage().setHeader(Exchange.MESSAGE_TIMESTAMP, timestamp);
        return exchange;
    }
}
