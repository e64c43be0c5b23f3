package pulse.kafka;

import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * The aggregate route's consumer copies no Kafka record header into its per-record Camel headers: the pipeline reads
 * a record's headers (binary CloudEvents' {@code ce_} attributes) from the record's own {@code Headers}, which
 * camel-kafka hands over as {@code kafka.HEADERS} ({@link KafkaRecord#header}). camel-kafka's default strategy
 * otherwise checks, lower-cases and copies every header of every record into a case-insensitive map, work no step
 * reads. Headers the app sends (dead letters) are not filtered: only the consumer's endpoint uses this strategy.
 */
public final class RecordHeadersLeftOut implements HeaderFilterStrategy {

    /** Every record header is left out of the Camel message. */
    @Override
    public boolean applyFilterToExternalHeaders(String headerName, Object headerValue, Exchange exchange) {
        return true;
    }

    /** Nothing is filtered on the way out (a consumer endpoint sends nothing). */
    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return false;
    }
}
