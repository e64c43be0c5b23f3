package pulse.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pulse.embedded.TestInfrastructure;
import pulse.event.EventJson;
import pulse.event.InteractionEvent;
import pulse.event.InteractionTypes;
import pulse.event.RejectionReason;
import pulse.testsupport.Http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Many invalid records interleaved with valid events, consumed in large batches: each batch's rejects go to the
 * dead-letter topic together. Every invalid record is there with its key, bytes and headers, checked against where
 * the producer was told it was written; the valid events are aggregated exactly; the per-reason counter on
 * /observe/metrics counts what the dead-letter topic holds.
 */
@ExtendWith(TestInfrastructure.class)
class DeadLetterBatchIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** An invalid record as produced, and where Kafka put it. */
    private record Sent(String key, byte[] value, RejectionReason reason, int partition, long offset) {
    }

    @Test
    void everyInvalidRecordOfABatchIsDeadLetteredWithItsHeadersAndTheValidOnesAreAggregatedExactly() throws Exception {
        int records = 5_000; // 2 in 5 invalid
        List<InteractionEvent> valid = new ArrayList<>();
        Map<String, Sent> invalid = new HashMap<>(); // by "partition@offset"
        try (Pipeline pipeline = new Pipeline("dlq-batch")) {
            Topics.create(pipeline.topic(), 6, Map.of());
            try (KafkaProducer<String, byte[]> producer = Pipeline.producer()) {
                List<Future<RecordMetadata>> invalidSends = new ArrayList<>();
                List<ProducerRecord<String, byte[]>> invalidRecords = new ArrayList<>();
                List<RejectionReason> reasons = new ArrayList<>();
                Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
                for (int i = 0; i < records; i++) {
                    String user = "user-" + (i % 40);
                    if (i % 5 == 1 || i % 5 == 3) {
                        RejectionReason reason = INVALID_KINDS.get(invalidRecords.size() % INVALID_KINDS.size());
                        ProducerRecord<String, byte[]> record = new ProducerRecord<>(pipeline.topic(), user, invalid(reason, i, now));
                        invalidRecords.add(record);
                        reasons.add(reason);
                        invalidSends.add(producer.send(record));
                    } else {
                        InteractionEvent event = new InteractionEvent("valid-" + i, 1, user, "item-" + (i % 13),
                                InteractionTypes.DEFAULT.all().get(i % 3), now.minusMillis(i));
                        valid.add(event);
                        producer.send(new ProducerRecord<>(pipeline.topic(), user, EventJson.toBytes(event)));
                    }
                }
                producer.flush();
                for (int i = 0; i < invalidSends.size(); i++) {
                    RecordMetadata written = invalidSends.get(i).get();
                    invalid.put(written.partition() + "@" + written.offset(), new Sent(invalidRecords.get(i).key(),
                            invalidRecords.get(i).value(), reasons.get(i), written.partition(), written.offset()));
                }
            }
            assertThat(invalid).hasSize(2_000);
            GroundTruth truth = new GroundTruth(valid);

            pipeline.start(); // the records wait on the topic: batches of hundreds of rejects each
            pipeline.awaitAggregated(truth.events(), Duration.ofSeconds(90));
            await().atMost(Duration.ofSeconds(30)).until(pipeline::fullyCommitted);

            // committed means written, and the dead letters were acknowledged before the write
            List<ConsumerRecord<String, byte[]>> dead = Pipeline.readAll(pipeline.deadLetterTopic());
            Map<String, List<ConsumerRecord<String, byte[]>>> bySource = dead.stream().collect(Collectors.groupingBy(
                    record -> Pipeline.header(record, "dlq.source.partition") + "@" + Pipeline.header(record, "dlq.source.offset")));
            assertThat(bySource.keySet()).as("source positions on the dead-letter topic").isEqualTo(invalid.keySet());
            for (ConsumerRecord<String, byte[]> record : dead) {
                Sent sent = invalid.get(Pipeline.header(record, "dlq.source.partition") + "@" + Pipeline.header(record, "dlq.source.offset"));
                assertThat(record.key()).isEqualTo(sent.key());
                assertThat(record.value()).as("original bytes of %s@%s", sent.partition(), sent.offset()).isEqualTo(sent.value());
                assertThat(Pipeline.header(record, "dlq.reason")).isEqualTo(sent.reason().name());
                assertThat(Pipeline.header(record, "dlq.detail")).isNotBlank();
                assertThat(Pipeline.header(record, "dlq.source.topic")).isEqualTo(pipeline.topic());
                assertThat(Pipeline.header(record, "dlq.value.truncated")).isNull();
            }
            assertThat(truth.mismatches(pipeline.database())).isEmpty();
            assertThat(pipeline.database().getCollection("summary").find().first().get("rejectedEvents", Number.class)
                    .longValue()).isEqualTo(invalid.size());

            // a counter per reason, each what the dead-letter topic holds for that reason (copies included)
            Map<String, Long> onTopic = dead.stream().collect(Collectors.groupingBy(
                    record -> Pipeline.header(record, "dlq.reason"), Collectors.counting()));
            String scrape = Http.get(pipeline.managementUrl() + "observe/metrics").body();
            Map<String, Double> counted = rejectedCounters(scrape);
            for (RejectionReason reason : RejectionReason.values()) {
                assertThat(counted.get(reason.name())).as("pulse_events_rejected_total{reason=%s}", reason)
                        .isEqualTo(onTopic.getOrDefault(reason.name(), 0L).doubleValue());
            }
            assertThat(counted.values().stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(dead.size());

            // a batch's dead letters travel together: one exchange through the dead-letter route per batch, not per record
            Matcher exchanges = Pattern.compile("(?m)^camel_exchanges_total\\{[^}]*routeId=\"dead-letter-invalid-events\"[^}]*} (\\S+)$")
                    .matcher(scrape);
            assertThat(exchanges.find()).as("camel_exchanges_total of the dead-letter route in%n%s", scrape).isTrue();
            assertThat(Double.parseDouble(exchanges.group(1))).isPositive().isLessThan(invalid.size() / 10.0);

            JsonNode health = JSON.readTree(Http.get(pipeline.managementUrl() + "observe/health").body());
            assertThat(health.path("checks").findValuesAsText("name")).contains("dead-letter-topic");
        }
    }

    private static final List<RejectionReason> INVALID_KINDS = List.of(RejectionReason.MISSING_FIELD,
            RejectionReason.MALFORMED_JSON, RejectionReason.UNKNOWN_TYPE, RejectionReason.TIMESTAMP_TOO_OLD,
            RejectionReason.EMPTY_VALUE);

    private static byte[] invalid(RejectionReason reason, int i, Instant now) {
        String timestamp = EventJson.formatTimestamp(now);
        String value = switch (reason) {
            case MISSING_FIELD -> "{\"event_id\":\"bad-" + i + "\",\"schema_version\":1,\"user_id\":\"u\","
                    + "\"interaction_type\":\"view\",\"timestamp\":\"" + timestamp + "\"}";
            case MALFORMED_JSON -> "{\"event_id\":\"bad-" + i + "\",\"user_id\":";
            case UNKNOWN_TYPE -> "{\"event_id\":\"bad-" + i + "\",\"schema_version\":1,\"user_id\":\"u\",\"item_id\":\"i\","
                    + "\"interaction_type\":\"like\",\"timestamp\":\"" + timestamp + "\"}";
            case TIMESTAMP_TOO_OLD -> "{\"event_id\":\"bad-" + i + "\",\"schema_version\":1,\"user_id\":\"u\",\"item_id\":\"i\","
                    + "\"interaction_type\":\"view\",\"timestamp\":\"1999-01-01T00:00:00.000Z\"}";
            case EMPTY_VALUE -> "";
            default -> throw new IllegalArgumentException(reason.name());
        };
        return value.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code pulse_events_rejected_total{reason="X",...} N} lines of a Prometheus scrape, by reason. */
    static Map<String, Double> rejectedCounters(String scrape) {
        Map<String, Double> counters = new HashMap<>();
        Matcher line = Pattern.compile("(?m)^pulse_events_rejected_total\\{[^}]*reason=\"([A-Z_]+)\"[^}]*} (\\S+)$").matcher(scrape);
        while (line.find()) {
            counters.put(line.group(1), Double.parseDouble(line.group(2)));
        }
        return counters;
    }
}
