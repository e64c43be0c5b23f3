package pulse.embedded;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.main.Main;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import pulse.Application;
import pulse.event.EventJson;
import pulse.event.InteractionEvent;
import pulse.generator.GeneratorOptions;
import pulse.generator.InteractionGenerator;
import pulse.testsupport.FreePorts;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code embedded} given as a system property ({@code -Dmongodb.uri=embedded}, {@code -Dkafka.brokers=embedded})
 * beside a real address for the other one: the app starts the embedded server and uses its address, although
 * Camel reads system properties before anything the app sets at start; likewise {@code auto} batch sizes. The test infrastructure is the real one.
 * System properties are global to the test JVM: each test sets one and restores it in {@code finally}.
 */
@ExtendWith(TestInfrastructure.class)
class EmbeddedPrecedenceIT {

    private static final int EVENTS = 2_000;

    @TempDir
    Path dataDir;

    @Test
    void mongodbUriEmbeddedAsASystemPropertyBesideARealKafka() throws Exception {
        String name = TestInfrastructure.name("precedence-mongo");
        int mongoPort = FreePorts.next();
        Map<String, String> overrides = common(name);
        overrides.put("kafka.brokers", TestInfrastructure.kafkaBootstrapServers());
        overrides.put("mongodb.embedded.port", String.valueOf(mongoPort));
        List<InteractionEvent> events = events();
        // "auto" resolved at start wins over a system property the same way
        withSystemProperties(Map.of("mongodb.uri", "embedded", "aggregation.batch.max-records", "auto"), () -> {
            try (Running app = new Running(overrides);
                 MongoClient mongo = MongoClients.create("mongodb://127.0.0.1:" + mongoPort)) {
                assertThat(app.main.getCamelContext().getRoute("aggregate-interactions").getEndpoint().getEndpointUri())
                        .containsPattern("maxPollRecords=[0-9]+");
                // the prefetch's auto too: Kafka's own 1 MiB with sessions and funnels off
                assertThat(((KafkaEndpoint) app.main.getCamelContext().getRoute("aggregate-interactions").getEndpoint())
                        .getConfiguration().getMaxPartitionFetchBytes()).isEqualTo(1 << 20);
                produce(TestInfrastructure.kafkaBootstrapServers(), name, events);
                await().atMost(Duration.ofSeconds(60)).until(() -> summaryEvents(mongo, name) == EVENTS);
                assertThat(mongo.getDatabase(name).getCollection("users").countDocuments())
                        .isEqualTo(events.stream().map(InteractionEvent::userId).distinct().count());
            }
        });
        // nothing reached the test infrastructure's MongoDB: the embedded server got the writes
        try (MongoClient external = MongoClients.create(TestInfrastructure.mongoUri())) {
            assertThat(summaryEvents(external, name)).isZero();
        }
    }

    @Test
    void kafkaBrokersEmbeddedAsASystemPropertyBesideARealMongoDb() throws Exception {
        String name = TestInfrastructure.name("precedence-kafka");
        int kafkaPort = FreePorts.next();
        Map<String, String> overrides = common(name);
        overrides.put("mongodb.uri", TestInfrastructure.mongoUri());
        overrides.put("kafka.embedded.port", String.valueOf(kafkaPort));
        overrides.put("kafka.embedded.controller-port", String.valueOf(FreePorts.next()));
        List<InteractionEvent> events = events();
        withSystemProperties(Map.of("kafka.brokers", "embedded"), () -> {
            try (Running app = new Running(overrides);
                 MongoClient mongo = MongoClients.create(TestInfrastructure.mongoUri())) {
                produce("127.0.0.1:" + kafkaPort, name, events);
                await().atMost(Duration.ofSeconds(60)).until(() -> summaryEvents(mongo, name) == EVENTS);
            }
        });
    }

    private Map<String, String> common(String name) {
        Map<String, String> overrides = new HashMap<>();
        overrides.put("pulse.data-dir", dataDir.toString());
        overrides.put("kafka.topic", name);
        overrides.put("kafka.consumer.group-id", name + "-group");
        overrides.put("mongodb.database", name);
        overrides.put("generator.enabled", "false");
        overrides.put("aggregation.batch.interval-ms", "200");
        overrides.put("camel.server.port", String.valueOf(FreePorts.next()));
        overrides.put("camel.management.port", String.valueOf(FreePorts.next()));
        return overrides;
    }

    private static List<InteractionEvent> events() {
        return new InteractionGenerator(new GeneratorOptions(100, 100, 300, 50, 1.1, 0.8, new double[] {80, 17, 3},
                OptionalLong.of(5)), Clock.systemUTC()).next(EVENTS);
    }

    private static void produce(String bootstrapServers, String topic, List<InteractionEvent> events) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrapServers,
                "acks", "all"), new StringSerializer(), new ByteArraySerializer())) {
            events.forEach(e -> producer.send(new ProducerRecord<>(topic, e.userId(), EventJson.toBytes(e))));
            producer.flush();
        }
    }

    private static long summaryEvents(MongoClient mongo, String database) {
        Document summary = mongo.getDatabase(database).getCollection("summary").find(new Document("_id", "global")).first();
        return summary == null ? 0 : ((Number) summary.get("events")).longValue();
    }

    private interface Body {
        void run() throws Exception;
    }

    private static void withSystemProperties(Map<String, String> properties, Body body) throws Exception {
        Map<String, String> before = new HashMap<>();
        properties.keySet().forEach(key -> before.put(key, System.getProperty(key)));
        properties.forEach(System::setProperty);
        try {
            body.run();
        } finally {
            before.forEach((key, value) -> {
                if (value == null) {
                    System.clearProperty(key);
                } else {
                    System.setProperty(key, value);
                }
            });
        }
    }

    /** The app as {@code Application.main} starts it: Camel Main with the embedded default. */
    private static final class Running implements AutoCloseable {
        final Main main = Application.create();
        final EmbeddedInfrastructureListener embedded = new EmbeddedInfrastructureListener();

        Running(Map<String, String> properties) {
            main.addMainListener(embedded);
            properties.forEach(main::addOverrideProperty);
            try {
                main.start();
            } catch (RuntimeException e) {
                embedded.close();
                throw e;
            }
        }

        @Override
        public void close() {
            try {
                main.stop();
            } finally {
                embedded.close();
            }
        }
    }
}
