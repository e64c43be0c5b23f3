package pulse.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pulse.embedded.TestInfrastructure;
import pulse.event.EventJson;
import pulse.event.InteractionEvent;
import pulse.event.InteractionTypes;
import pulse.testsupport.Http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * No single record stops the pipeline by its size: a dead letter too large for the producer is sent with its value
 * cut to fit; and a dead-letter topic that refuses every dead letter turns health DOWN with the reason, commits
 * nothing past the record, and the pipeline goes on by itself once the topic is fixed.
 */
@ExtendWith(TestInfrastructure.class)
class DeadLetterLimitsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    /**
     * 1,048,500 bytes, as a user's broker took it: with its dlq.* headers the dead letter is larger than the producer's
     * default max.request.size (1 MiB). The source topic takes up to 1,200,000 bytes here, and so does the
     * dead-letter topic the app creates for it.
     */
    @Test
    void aRecordWhoseDeadLetterIsTooLargeForTheProducerIsDeadLetteredCutAndTheAggregationGoesOn() throws Exception {
        try (Pipeline pipeline = new Pipeline("dlq-huge").with("kafka.topic.partitions", "1")) {
            Topics.create(pipeline.topic(), 1, Map.of("max.message.bytes", "1200000"));
            byte[] huge = new byte[1_048_500];
            new Random(42).nextBytes(huge); // incompressible: the producer's lz4 cannot make it fit
            List<InteractionEvent> valid = new ArrayList<>();
            try (KafkaProducer<String, byte[]> producer = Pipeline.producer()) {
                sendValid(producer, pipeline.topic(), valid, 5);
                Pipeline.send(producer, pipeline.topic(), "huge", huge); // offset 5
                sendValid(producer, pipeline.topic(), valid, 5);

                pipeline.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.summaryEvents() == 10);
                sendValid(producer, pipeline.topic(), valid, 5); // after the huge record's batch: still aggregated
            }
            GroundTruth truth = new GroundTruth(valid);
            pipeline.awaitAggregated(truth.events(), Duration.ofSeconds(60));
            assertThat(truth.mismatches(pipeline.database())).isEmpty();

            assertThat(Topics.config(pipeline.deadLetterTopic(), "max.message.bytes")).as("the dead-letter topic's limit")
                    .isEqualTo("1200000");
            List<ConsumerRecord<String, byte[]>> dead = Pipeline.readAll(pipeline.deadLetterTopic());
            assertThat(dead).isNotEmpty().allSatisfy(record -> {
                assertThat(record.key()).isEqualTo("huge");
                assertThat(Pipeline.header(record, "dlq.reason")).isEqualTo("TOO_LARGE");
                assertThat(Pipeline.header(record, "dlq.source.offset")).isEqualTo("5");
                assertThat(Pipeline.header(record, "dlq.value.truncated")).isEqualTo("true");
                assertThat(Pipeline.header(record, "dlq.value.original-bytes")).isEqualTo("1048500");
                assertThat(record.value().length).isGreaterThan(1_040_000).isLessThan(huge.length);
                assertThat(record.value()).isEqualTo(Arrays.copyOf(huge, record.value().length));
            });
        }
    }

    /**
     * A dead-letter topic whose max.message.bytes (64) is smaller than any dead letter, even with its value cut to
     * nothing: the broker refuses it every time. Health says why, nothing at or past the record is committed, and
     * once an operator raises the limit the same batch goes through, the dead letter whole.
     */
    @Test
    void aDeadLetterTopicThatRefusesEveryDeadLetterTurnsHealthDownAndNothingPastTheRecordIsCommitted() throws Exception {
        try (Pipeline pipeline = new Pipeline("dlq-refused").with("kafka.topic.partitions", "1")
                .with("aggregation.retry.max-delay-ms", "1000")) {
            Topics.create(pipeline.topic(), 1, Map.of());
            Topics.create(pipeline.deadLetterTopic(), 1, Map.of("max.message.bytes", "64"));
            byte[] invalid = ("{\"event_id\":\"bad\",\"schema_version\":1,\"user_id\":\"u\",\"interaction_type\":\"view\","
                    + "\"timestamp\":\"" + EventJson.formatTimestamp(NOW) + "\"}").getBytes(StandardCharsets.UTF_8);
            List<InteractionEvent> valid = new ArrayList<>();
            try (KafkaProducer<String, byte[]> producer = Pipeline.producer()) {
                sendValid(producer, pipeline.topic(), valid, 10);
                Pipeline.send(producer, pipeline.topic(), "bad", invalid); // offset 10
                sendValid(producer, pipeline.topic(), valid, 10);
            }
            pipeline.start();

            String observe = pipeline.managementUrl() + "observe/health";
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode health = JSON.readTree(Http.get(observe).body());
                JsonNode check = check(health, "dead-letter-topic");
                assertThat(check.path("status").asText()).as("%s", health).isEqualTo("DOWN");
                assertThat(health.path("status").asText()).isEqualTo("DOWN");
                assertThat(check.toString()).contains("Dead letters cannot be written: a dead letter is too large for "
                        + pipeline.deadLetterTopic(), "max.message.bytes");
            });
            // the batch is retried, never committed past: the consumer group holds no offset beyond the record
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> committed(pipeline) <= 10 && pipeline.summaryEvents() <= 10);

            Topics.setConfig(pipeline.deadLetterTopic(), "max.message.bytes", "1048588");
            GroundTruth truth = new GroundTruth(valid);
            pipeline.awaitAggregated(truth.events(), Duration.ofSeconds(60));
            assertThat(truth.mismatches(pipeline.database())).isEmpty();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    check(JSON.readTree(Http.get(observe).body()), "dead-letter-topic").path("status").asText()).isEqualTo("UP"));
            List<ConsumerRecord<String, byte[]>> dead = Pipeline.readAll(pipeline.deadLetterTopic());
            assertThat(dead).singleElement().satisfies(record -> {
                assertThat(Pipeline.header(record, "dlq.source.offset")).isEqualTo("10");
                assertThat(Pipeline.header(record, "dlq.value.truncated")).as("cut to the limit read again").isNull();
                assertThat(record.value()).isEqualTo(invalid);
            });
        }
    }

    @Test
    void aDeadLetterTopicThatIsGoneTurnsHealthDown() throws Exception {
        try (Pipeline pipeline = new Pipeline("dlq-gone").start()) {
            String observe = pipeline.managementUrl() + "observe/health";
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    check(JSON.readTree(Http.get(observe).body()), "dead-letter-topic").path("status").asText()).isEqualTo("UP"));

            Topics.delete(pipeline.deadLetterTopic());

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode check = check(JSON.readTree(Http.get(observe).body()), "dead-letter-topic");
                assertThat(check.path("status").asText()).isEqualTo("DOWN");
                assertThat(check.toString()).contains("topic " + pipeline.deadLetterTopic() + " does not exist");
            });
        }
    }

    private static void sendValid(KafkaProducer<String, byte[]> producer, String topic, List<InteractionEvent> valid, int count) {
        for (int i = 0; i < count; i++) {
            InteractionEvent event = new InteractionEvent("e-" + valid.size(), 1, "user-" + valid.size() % 3,
                    "item-" + valid.size() % 4, InteractionTypes.DEFAULT.all().get(valid.size() % 3), NOW);
            valid.add(event);
            Pipeline.send(producer, topic, event.userId(), EventJson.toBytes(event));
        }
    }

    private static JsonNode check(JsonNode health, String name) {
        for (JsonNode check : health.path("checks")) {
            if (name.equals(check.path("name").asText())) {
                return check;
            }
        }
        throw new AssertionError("no health check " + name + " in " + health);
    }

    /** The consumer group's committed offset of partition 0 (0 when none). */
    private static long committed(Pipeline pipeline) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestInfrastructure.kafkaBootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(pipeline.topic() + "-group")
                    .partitionsToOffsetAndMetadata().get();
            OffsetAndMetadata offset = offsets.get(new TopicPartition(pipeline.topic(), 0));
            return offset == null ? 0 : offset.offset();
        }
    }
}
