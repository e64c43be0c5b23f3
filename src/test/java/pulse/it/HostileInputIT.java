package pulse.it;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pulse.embedded.TestInfrastructure;
import pulse.event.EventJson;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;
import pulse.event.InteractionTypes;
import pulse.event.RejectionReason;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hostile records, mixed with valid events in the same batches: each lands in the dead-letter topic with its
 * original bytes and the reason, every valid neighbour is counted, and no aggregate is touched by them.
 */
@ExtendWith(TestInfrastructure.class)
class HostileInputIT {

    @Test
    void hostileRecordsGoToTheDeadLetterTopicAndValidNeighboursAreCounted() {
        Map<String, Hostile> hostile = hostileRecords();
        List<InteractionEvent> valid = new ArrayList<>();
        try (Pipeline pipeline = new Pipeline("hostile").start();
             KafkaProducer<String, byte[]> producer = Pipeline.producer()) {
            int i = 0;
            for (Hostile record : hostile.values()) {
                // valid events before and after each hostile record, under the same key (same partition, same batch)
                for (int k = 0; k < 3; k++) {
                    InteractionEvent event = event(i++, record.key);
                    valid.add(event);
                    Pipeline.send(producer, pipeline.topic(), record.key, EventJson.toBytes(event));
                }
                Pipeline.send(producer, pipeline.topic(), record.key, record.value);
            }
            GroundTruth truth = new GroundTruth(valid);

            pipeline.awaitAggregated(truth.events(), Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(30)).until(() -> Pipeline.readAll(pipeline.deadLetterTopic()).size() >= hostile.size());

            assertThat(truth.mismatches(pipeline.database())).isEmpty();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    pipeline.database().getCollection("summary").find().first().get("rejectedEvents", Number.class).longValue())
                    .isEqualTo(hostile.size()));
            List<ConsumerRecord<String, byte[]>> dead = Pipeline.readAll(pipeline.deadLetterTopic());
            // at least once: a rebalance before the commit sends a record again, as an identical copy (checked below)
            assertThat(dead.stream().map(ConsumerRecord::key).collect(Collectors.toSet())).isEqualTo(hostile.keySet());
            for (ConsumerRecord<String, byte[]> record : dead) {
                Hostile sent = hostile.get(record.key());
                assertThat(sent).as("dead letter with key %s", record.key()).isNotNull();
                assertThat(Pipeline.header(record, "dlq.reason")).as(record.key()).isEqualTo(sent.reason.name());
                assertThat(Pipeline.header(record, "dlq.detail")).as(record.key()).isNotBlank();
                assertThat(Pipeline.header(record, "dlq.source.topic")).isEqualTo(pipeline.topic());
                assertThat(Pipeline.header(record, "dlq.source.partition")).matches("\\d+");
                assertThat(Pipeline.header(record, "dlq.source.offset")).matches("\\d+");
                assertThat(record.value()).as("original bytes of %s", record.key()).isEqualTo(sent.value);
            }
            // nothing hostile became a document: ids with '$', '.' or 10k characters never reach MongoDB
            assertThat(pipeline.database().getCollection("users").countDocuments()).isEqualTo(hostile.size());
        }
    }

    private record Hostile(String key, byte[] value, RejectionReason reason) {
    }

    private static Map<String, Hostile> hostileRecords() {
        Map<String, Hostile> records = new LinkedHashMap<>();
        add(records, "malformed-json", "{\"event_id\": \"x\", \"user_id\": ", RejectionReason.MALFORMED_JSON);
        add(records, "empty-value", new byte[0], RejectionReason.EMPTY_VALUE);
        add(records, "tombstone", (byte[]) null, RejectionReason.EMPTY_VALUE);
        byte[] garbage = new byte[300];
        new Random(1).nextBytes(garbage);
        garbage[0] = (byte) 0xFF;
        add(records, "binary-garbage", garbage, RejectionReason.MALFORMED_JSON);
        add(records, "missing-field", json("u", "i", "view", now()).replace(",\"item_id\":\"i\"", ""), RejectionReason.MISSING_FIELD);
        add(records, "null-field", json("u", "i", "view", now()).replace("\"item_id\":\"i\"", "\"item_id\":null"), RejectionReason.NULL_FIELD);
        add(records, "fraction-for-id", json("u", "i", "view", now()).replace("\"item_id\":\"i\"", "\"item_id\":4.2"), RejectionReason.WRONG_TYPE);
        add(records, "string-for-number", json("u", "i", "view", now()).replace("\"schema_version\":1", "\"schema_version\":\"1\""), RejectionReason.WRONG_TYPE);
        add(records, "unknown-type", json("u", "i", "like", now()), RejectionReason.UNKNOWN_TYPE);
        add(records, "dollar-id", json("$where", "i", "view", now()), RejectionReason.INVALID_ID);
        add(records, "dotted-id", json("u", "a.b", "view", now()), RejectionReason.INVALID_ID);
        add(records, "huge-id", json("u".repeat(10_000), "i", "view", now()), RejectionReason.INVALID_ID);
        byte[] oneMegabyte = new byte[1_000_000];
        Arrays.fill(oneMegabyte, (byte) ' ');
        byte[] event = json("u", "i", "view", now()).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(event, 0, oneMegabyte, 0, event.length);
        add(records, "one-megabyte", oneMegabyte, RejectionReason.TOO_LARGE);
        add(records, "bad-timestamp", json("u", "i", "view", "yesterday"), RejectionReason.INVALID_TIMESTAMP);
        add(records, "future-timestamp", json("u", "i", "view", Instant.now().plus(1, ChronoUnit.DAYS).toString()), RejectionReason.TIMESTAMP_IN_FUTURE);
        add(records, "ancient-timestamp", json("u", "i", "view", "1999-01-01T00:00:00.000Z"), RejectionReason.TIMESTAMP_TOO_OLD);
        add(records, "duplicated-key", json("u", "i", "view", now()).replace("{", "{\"user_id\":\"other\","), RejectionReason.MALFORMED_JSON);
        add(records, "not-an-object", "[1,2,3]", RejectionReason.NOT_AN_OBJECT);
        return records;
    }

    private static void add(Map<String, Hostile> records, String key, String value, RejectionReason reason) {
        add(records, key, value.getBytes(StandardCharsets.UTF_8), reason);
    }

    private static void add(Map<String, Hostile> records, String key, byte[] value, RejectionReason reason) {
        records.put(key, new Hostile(key, value, reason));
    }

    private static String json(String user, String item, String type, String timestamp) {
        return "{\"event_id\":\"e-" + user.length() + "\",\"schema_version\":1,\"user_id\":\"" + user + "\",\"item_id\":\""
                + item + "\",\"interaction_type\":\"" + type + "\",\"timestamp\":\"" + timestamp + "\"}";
    }

    private static String now() {
        return EventJson.formatTimestamp(Instant.now());
    }

    /** A valid event by the user named like the hostile record's key, so both share a partition and a batch. */
    private static InteractionEvent event(int i, String user) {
        return new InteractionEvent("valid-" + i, 1, user, "item-" + (i % 7), InteractionTypes.DEFAULT.all().get(i % 3),
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

}
