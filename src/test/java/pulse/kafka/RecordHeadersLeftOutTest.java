package pulse.kafka;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.component.kafka.consumer.support.KafkaRecordProcessor;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The aggregate route's consumer copies no record header into Camel headers, and the parser still finds them on the
 * record: camel-kafka's own header propagation, run with camel-kafka's default strategy and with this one.
 */
class RecordHeadersLeftOutTest {

    private final CamelContext camel = new DefaultCamelContext();

    @Test
    void camelKafkasDefaultCopiesEveryRecordHeaderIntoTheMessage() {
        Exchange exchange = propagated(new KafkaConfiguration());

        assertThat(exchange.getMessage().getHeader("ce_type", byte[].class))
                .isEqualTo("view".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void leavesEveryRecordHeaderOutOfTheMessageWhileTheRecordKeepsThem() {
        KafkaConfiguration configuration = new KafkaConfiguration();
        configuration.setHeaderFilterStrategy(new RecordHeadersLeftOut());

        Exchange exchange = propagated(configuration);

        assertThat(exchange.getMessage().getHeaders()).isEmpty();
        KafkaRecord kept = new KafkaRecord("t", 0, 7, null, new byte[0], 1L, record().headers());
        assertThat(kept.header("ce_type")).isEqualTo("view".getBytes(StandardCharsets.UTF_8));
        assertThat(kept.header("ce_id")).isEqualTo("e-1".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void filtersNothingThatTheAppSends() {
        assertThat(new RecordHeadersLeftOut().applyFilterToCamelHeaders("dlq.reason", "x", new DefaultExchange(camel)))
                .isFalse();
    }

    private Exchange propagated(KafkaConfiguration configuration) {
        Exchange exchange = new DefaultExchange(camel);
        new KafkaRecordProcessor() {
            void propagate() {
                propagateHeaders(configuration, record(), exchange);
            }
        }.propagate();
        return exchange;
    }

    private static ConsumerRecord<Object, Object> record() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_type", "view".getBytes(StandardCharsets.UTF_8));
        headers.add("ce_id", "e-1".getBytes(StandardCharsets.UTF_8));
        return new ConsumerRecord<>("t", 0, 7, 1L, TimestampType.CREATE_TIME, 0, 0, null, new byte[0], headers,
                Optional.empty());
    }
}
