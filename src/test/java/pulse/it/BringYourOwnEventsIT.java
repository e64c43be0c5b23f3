package pulse.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.CloudEventSerializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pulse.aggregate.Rollups;
import pulse.embedded.TestInfrastructure;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;
import pulse.event.InteractionTypes;
import pulse.event.RejectionReason;
import pulse.testsupport.Http;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Streams nobody here wrote, produced by the test's own Kafka producers (Jackson for JSON, the CloudEvents SDK's
 * serializer for CloudEvents), read with nothing but the properties README's "Bring your own events" gives: every
 * collection holds exactly what the events the test built must produce, nothing valid is dead-lettered, and the
 * hostile records of each shape are, with their reason.
 */
@ExtendWith(TestInfrastructure.class)
class BringYourOwnEventsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EVENTS = 2_000;
    private static final InteractionTypes FOUR_TYPES = InteractionTypes.of(
            List.of("view", "click", "purchase", "add_to_cart"), aliases(), false);
    /** What Python's datetime.isoformat() writes for a naive datetime with microseconds. */
    private static final DateTimeFormatter NAIVE_MICROS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS");

    private static Map<String, String> aliases() {
        Map<String, String> aliases = new LinkedHashMap<>();
        aliases.put("Product Viewed", "view");
        aliases.put("Product Clicked", "click");
        aliases.put("Order Completed", "purchase");
        aliases.put("Product Added", "add_to_cart");
        return aliases;
    }

    /** A record the test sends, and what the pipeline must make of it: an event, or a dead letter for a reason. */
    private record Sent<V>(ProducerRecord<String, V> record, InteractionEvent event, RejectionReason reason) {
    }

    @Test
    void theOriginalProducersShapeIsAggregatedWithNoConfiguration() throws Exception {
        // integer ids 1-20 and 1-5, naive ISO times with microseconds, no event_id, snappy, 3 partitions
        String topic = TestInfrastructure.name("user_interactions");
        Random random = new Random(1);
        List<Sent<byte[]>> sent = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            int user = 1 + random.nextInt(20);
            int item = 1 + random.nextInt(5);
            InteractionType type = InteractionTypes.DEFAULT.all().get(random.nextInt(3));
            Instant at = recent(random).truncatedTo(ChronoUnit.MICROS);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("user_id", user);
            json.put("item_id", item);
            json.put("interaction_type", type.name());
            json.put("timestamp", NAIVE_MICROS.format(at.atOffset(ZoneOffset.UTC)));
            sent.add(new Sent<>(new ProducerRecord<>(topic, String.valueOf(user), JSON.writeValueAsBytes(json)),
                    new InteractionEvent(null, 1, String.valueOf(user), String.valueOf(item), type, at), null));
        }
        String now = NAIVE_MICROS.format(OffsetDateTime.now(ZoneOffset.UTC));
        hostile(sent, topic, "{\"user_id\": \"$where\", \"item_id\": 3, \"interaction_type\": \"view\", \"timestamp\": \"" + now + "\"}",
                RejectionReason.INVALID_ID);
        hostile(sent, topic, "{\"user_id\": 7, \"item_id\": 3, \"interaction_type\": \"like\", \"timestamp\": \"" + now + "\"}",
                RejectionReason.UNKNOWN_TYPE);
        hostile(sent, topic, "{\"user_id\": 7.5, \"item_id\": 3, \"interaction_type\": \"view\", \"timestamp\": \"" + now + "\"}",
                RejectionReason.WRONG_TYPE);
        hostile(sent, topic, "{\"user_id\": 7, \"item_id\": 3, \"interaction_type\": \"view\", \"timestamp\": \"2999-01-01T00:00:00\"}",
                RejectionReason.TIMESTAMP_IN_FUTURE);
        hostile(sent, topic, "{\"user_id\": 7, \"item_id\": 3, \"interaction_type\": \"view\"", RejectionReason.MALFORMED_JSON);

        run(topic, 3, Map.of(), bytesProducer("snappy"), sent, InteractionTypes.DEFAULT, pipeline -> { });
    }

    @Test
    void aNestedShapeWithEpochMillisAndAFourthTypeThroughAliases() throws Exception {
        String topic = TestInfrastructure.name("nested-events");
        Random random = new Random(2);
        List<String> names = new ArrayList<>(aliases().keySet());
        List<Sent<byte[]>> sent = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            String user = "u" + random.nextInt(300);
            String item = "sku-" + random.nextInt(40);
            String name = names.get(random.nextInt(names.size()));
            Instant at = recent(random).truncatedTo(ChronoUnit.MILLIS);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("event", Map.of("id", "evt-" + i, "name", name, "ts", at.toEpochMilli()));
            json.put("user", Map.of("id", user, "traits", Map.of("plan", "pro")));
            json.put("properties", Map.of("product_id", item, "price", 9.99, "tags", List.of("a", "b")));
            sent.add(new Sent<>(new ProducerRecord<>(topic, user, JSON.writeValueAsBytes(json)), new InteractionEvent(
                    "evt-" + i, 1, user, item, FOUR_TYPES.named(aliases().get(name)), at), null));
        }
        long now = Instant.now().toEpochMilli();
        hostile(sent, topic, "{\"event\":{\"id\":\"h1\",\"name\":\"Signed Up\",\"ts\":" + now + "},\"user\":{\"id\":\"u1\"},"
                + "\"properties\":{\"product_id\":\"sku-1\"}}", RejectionReason.UNKNOWN_TYPE);
        hostile(sent, topic, "{\"event\":{\"id\":\"h2\",\"name\":\"Product Viewed\",\"ts\":" + now + "},\"user\":{\"id\":\"u1\"},"
                + "\"properties\":{}}", RejectionReason.MISSING_FIELD);
        hostile(sent, topic, "{\"event\":{\"id\":\"h3\",\"name\":\"Product Viewed\",\"ts\":\"yesterday\"},\"user\":{\"id\":\"u1\"},"
                + "\"properties\":{\"product_id\":\"sku-1\"}}", RejectionReason.INVALID_TIMESTAMP);
        hostile(sent, topic, "{\"event\":{\"id\":\"h4\",\"name\":\"Product Viewed\",\"ts\":" + now + "},\"user\":{\"id\":\"a.b\"},"
                + "\"properties\":{\"product_id\":\"sku-1\"}}", RejectionReason.INVALID_ID);

        run(topic, 6, Map.of(
                "event.fields.user-id", "/user/id",
                "event.fields.item-id", "/properties/product_id",
                "event.fields.type", "/event/name",
                "event.fields.timestamp", "/event/ts",
                "event.fields.event-id", "/event/id",
                "event.timestamp.format", "epoch-millis",
                "event.types", "view,click,purchase,add_to_cart",
                "event.types.aliases", "Product Viewed:view,Product Clicked:click,Order Completed:purchase,Product Added:add_to_cart",
                "analytics.conversion", "purchase/add_to_cart"),
                bytesProducer("zstd"), sent, FOUR_TYPES, pipeline -> apiFollowsTheVocabulary(pipeline, sent));
    }

    /** The API has a byType entry per configured type, sums that match the events, and the configured conversion. */
    private static void apiFollowsTheVocabulary(Pipeline pipeline, List<Sent<byte[]>> sent) throws Exception {
        Map<String, Long> byType = new LinkedHashMap<>();
        FOUR_TYPES.names().forEach(type -> byType.put(type, 0L));
        sent.stream().filter(s -> s.event() != null).forEach(s -> byType.merge(s.event().type().name(), 1L, Long::sum));

        JsonNode summary = JSON.readTree(Http.get(pipeline.serverUrl() + "api/summary").body());
        assertThat(JSON.convertValue(summary.path("types"), List.class)).isEqualTo(FOUR_TYPES.names());
        assertThat(JSON.convertValue(summary.path("byType"), Map.class)).isEqualTo(toJsonNumbers(byType));
        assertThat(summary.path("conversion").path("denominator").asText()).isEqualTo("add_to_cart");

        Map<String, Long> windowSums = new HashMap<>();
        for (JsonNode window : JSON.readTree(Http.get(pipeline.serverUrl() + "api/windows?minutes=10").body())) {
            assertThat(JSON.convertValue(window.path("byType"), Map.class).keySet()).containsExactlyElementsOf(FOUR_TYPES.names());
            window.path("byType").fields().forEachRemaining(e -> windowSums.merge(e.getKey(), e.getValue().asLong(), Long::sum));
        }
        assertThat(windowSums).isEqualTo(byType);

        for (String path : List.of("api/items/top?n=3", "api/items/top?n=3&minutes=60")) {
            JsonNode top = JSON.readTree(Http.get(pipeline.serverUrl() + path).body()).get(0);
            Document item = pipeline.database().getCollection("items").find(new Document("_id", top.path("itemId").asText())).first();
            Document stored = item.get("byType", Document.class);
            for (String type : FOUR_TYPES.names()) {
                assertThat(top.path("byType").path(type).asLong()).as("%s %s", path, type).isEqualTo(((Number) stored.get(type)).longValue());
            }
            assertThat(top.path("conversion").asDouble()).as(path).isEqualTo(
                    ((Number) stored.get("purchase")).doubleValue() / ((Number) stored.get("add_to_cart")).doubleValue());
        }
    }

    private static Map<String, Object> toJsonNumbers(Map<String, Long> counts) {
        Map<String, Object> numbers = new LinkedHashMap<>();
        counts.forEach((type, count) -> numbers.put(type, count <= Integer.MAX_VALUE ? (Object) count.intValue() : count));
        return numbers;
    }

    @Test
    void cloudEventsInStructuredModeCountingUnknownTypesAsOther() throws Exception {
        cloudEvents(TestInfrastructure.name("cloudevents-structured"), Encoding.STRUCTURED, "gzip", 3, true);
    }

    @Test
    void cloudEventsInBinaryMode() throws Exception {
        cloudEvents(TestInfrastructure.name("cloudevents-binary"), Encoding.BINARY, "lz4", 4, false);
    }

    private void cloudEvents(String topic, Encoding encoding, String compression, long seed, boolean unknownAsOther)
            throws Exception {
        InteractionTypes types = unknownAsOther ? InteractionTypes.of(FOUR_TYPES.names(), aliases(), true) : FOUR_TYPES;
        Random random = new Random(seed);
        List<String> names = new ArrayList<>(aliases().keySet());
        List<Sent<CloudEvent>> sent = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            String user = "user-" + random.nextInt(200);
            String item = "item-" + random.nextInt(30);
            String name = names.get(random.nextInt(names.size()));
            Instant at = recent(random).truncatedTo(ChronoUnit.MILLIS);
            sent.add(new Sent<>(new ProducerRecord<>(topic, user, cloudEvent("ce-" + i, name, at,
                    "{\"user_id\":\"" + user + "\",\"item_id\":\"" + item + "\"}")),
                    new InteractionEvent("ce-" + i, 1, user, item, types.named(aliases().get(name)), at), null));
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        sent.add(new Sent<>(new ProducerRecord<>(topic, "h1", cloudEvent("h1", "Signed Up", now,
                "{\"user_id\":\"h1\",\"item_id\":\"i\"}")), unknownAsOther
                ? new InteractionEvent("h1", 1, "h1", "i", types.named("other"), now) : null,
                unknownAsOther ? null : RejectionReason.UNKNOWN_TYPE));
        sent.add(new Sent<>(new ProducerRecord<>(topic, "h2", cloudEvent("h2", "Product Viewed", now,
                "{\"item_id\":\"i\"}")), null, RejectionReason.MISSING_FIELD));
        sent.add(new Sent<>(new ProducerRecord<>(topic, "h3", cloudEvent("h3", "Product Viewed", now,
                "{\"user_id\":{\"$ne\":null},\"item_id\":\"i\"}")), null, RejectionReason.WRONG_TYPE));
        sent.add(new Sent<>(new ProducerRecord<>(topic, "h4", cloudEvent("h4", "Product Viewed", now.plus(Duration.ofDays(1)),
                "{\"user_id\":\"h4\",\"item_id\":\"i\"}")), null, RejectionReason.TIMESTAMP_IN_FUTURE));

        Properties properties = producerProperties(compression);
        properties.put("value.serializer", CloudEventSerializer.class.getName());
        properties.put(CloudEventSerializer.ENCODING_CONFIG, encoding.name());
        properties.put(CloudEventSerializer.EVENT_FORMAT_CONFIG, JsonFormat.CONTENT_TYPE);
        run(topic, 6, Map.of("event.format", "cloudevents",
                        "event.types", "view,click,purchase,add_to_cart",
                        "event.types.aliases", "Product Viewed:view,Product Clicked:click,Order Completed:purchase,Product Added:add_to_cart",
                        "event.types.unknown", unknownAsOther ? "other" : "reject"),
                () -> new KafkaProducer<>(properties), sent, types, pipeline -> { });
    }

    private static CloudEvent cloudEvent(String id, String type, Instant time, String data) {
        return CloudEventBuilder.v1().withId(id).withSource(URI.create("/shop/web")).withType(type)
                .withTime(time.atOffset(ZoneOffset.ofHours(1))).withSubject("interaction")
                .withData("application/json", data.getBytes(StandardCharsets.UTF_8)).build();
    }

    /** Within the last two minutes: valid, and well within the window grace (no event is late). */
    private static Instant recent(Random random) {
        return Instant.now().minusMillis(random.nextInt(120_000));
    }

    private static void hostile(List<Sent<byte[]>> sent, String topic, String value, RejectionReason reason) {
        sent.add(new Sent<>(new ProducerRecord<>(topic, "hostile-" + sent.size(), value.getBytes(StandardCharsets.UTF_8)),
                null, reason));
    }

    private interface ProducerFactory<V> {
        KafkaProducer<String, V> create();
    }

    private interface Check {
        void on(Pipeline pipeline) throws Exception;
    }

    private static Properties producerProperties(String compression) {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", TestInfrastructure.kafkaBootstrapServers());
        properties.put("key.serializer", StringSerializer.class.getName());
        properties.put("value.serializer", ByteArraySerializer.class.getName());
        properties.put("compression.type", compression);
        properties.put("acks", "all");
        properties.put("linger.ms", "20");
        return properties;
    }

    private static ProducerFactory<byte[]> bytesProducer(String compression) {
        return () -> new KafkaProducer<>(producerProperties(compression));
    }

    /**
     * Creates the topic with its partitions, sends every record (valid and hostile, shuffled together by the send
     * order), runs the pipeline with the properties and checks every collection and the dead-letter topic.
     */
    private static <V> void run(String topic, int partitions, Map<String, String> properties, ProducerFactory<V> producers,
                                List<Sent<V>> sent, InteractionTypes types, Check more) throws Exception {
        TestInfrastructure.createTopic(topic, partitions);
        try (KafkaProducer<String, V> producer = producers.create()) {
            for (Sent<V> record : sent) {
                producer.send(record.record());
            }
            producer.flush();
        }
        List<InteractionEvent> valid = sent.stream().map(Sent::event).filter(e -> e != null).toList();
        Map<RejectionReason, Long> reasons = sent.stream().filter(s -> s.reason() != null)
                .collect(Collectors.groupingBy(Sent::reason, Collectors.counting()));
        long rejected = sent.size() - valid.size();
        GroundTruth truth = new GroundTruth(valid, Rollups.DEFAULT, types);

        Pipeline pipeline = new Pipeline(topic);
        properties.forEach(pipeline::with);
        try (pipeline) {
            pipeline.start();
            await().atMost(Duration.ofSeconds(90)).until(() -> pipeline.summaryEvents() == valid.size()
                    && rejectedEvents(pipeline) == rejected);
            await().atMost(Duration.ofSeconds(30)).until(pipeline::fullyCommitted); // committed: the summary's derived fields too

            assertThat(truth.mismatches(pipeline.database())).isEmpty();
            Map<RejectionReason, Long> deadLetters = new HashMap<>();
            for (ConsumerRecord<String, byte[]> dead : Pipeline.readAll(pipeline.deadLetterTopic())) {
                deadLetters.merge(RejectionReason.valueOf(Pipeline.header(dead, "dlq.reason")), 1L, Long::sum);
            }
            assertThat(deadLetters).as("dead letters by reason: the hostile records, and nothing valid")
                    .isEqualTo(reasons);
            assertThat(types.names()).allSatisfy(type -> assertThat(valid.stream().map(e -> e.type().name()))
                    .as("the stream has events of type %s", type).contains(type));
            more.on(pipeline);
        }
    }

    private static long rejectedEvents(Pipeline pipeline) {
        var summary = pipeline.database().getCollection("summary").find(new Document("_id", "global")).first();
        return summary == null ? 0 : ((Number) summary.get("rejectedEvents")).longValue();
    }
}
