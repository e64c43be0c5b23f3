package pulse.fault;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pulse.embedded.TestInfrastructure;
import pulse.event.EventJson;
import pulse.event.InteractionEvent;
import pulse.testsupport.FreePorts;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** How the app's jar starts, as an operator starts it: configured by environment variables and {@code -D} flags. */
@ExtendWith(TestInfrastructure.class)
class StartupIT {

    private static final int EVENTS = 500;

    /**
     * {@code MONGODB_URI=embedded} beside a real Kafka: the embedded MongoDB server starts and the app writes to it,
     * although Camel reads environment variables before anything the app sets at start.
     */
    @Test
    void mongodbUriEmbeddedAsAnEnvironmentVariableBesideARealKafka() {
        String name = TestInfrastructure.name("startup-env-embedded-mongo");
        int mongoPort = FreePorts.next();
        List<InteractionEvent> events = Faults.events(Faults.seed("StartupIT"), EVENTS);
        TestInfrastructure.createTopic(name, 6);
        try (AppProcess app = AppProcess.start("StartupIT-env-mongo", Map.of(
                "kafka.brokers", TestInfrastructure.kafkaBootstrapServers(),
                "kafka.topic", name,
                "kafka.consumer.group-id", name + "-group",
                "mongodb.database", name,
                "mongodb.embedded.port", String.valueOf(mongoPort),
                "generator.enabled", "false"), Map.of("MONGODB_URI", "embedded"));
             MongoClient embedded = MongoClients.create("mongodb://127.0.0.1:" + mongoPort)) {
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    "bootstrap.servers", TestInfrastructure.kafkaBootstrapServers(), "acks", "all"),
                    new StringSerializer(), new ByteArraySerializer())) {
                events.forEach(e -> producer.send(new ProducerRecord<>(name, e.userId(), EventJson.toBytes(e))));
                producer.flush();
            }
            await("the app aggregates " + EVENTS + " events into its embedded MongoDB").atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofMillis(500)).until(() -> {
                        app.assertAlive();
                        return summaryEvents(embedded, name) == EVENTS;
                    });
            assertThat(app.logText()).contains("Embedded MongoDB").doesNotContain("connection string is invalid");
        }
        try (MongoClient external = MongoClients.create(TestInfrastructure.mongoUri())) {
            assertThat(summaryEvents(external, name)).as("nothing written to the test infrastructure's MongoDB").isZero();
        }
    }

    /**
     * With Jolokia on and its access policy not where Jolokia looks (its own {@code jolokia.policyLocation}; the
     * shipped policy is {@code classpath:/jolokia-access.xml}), Jolokia would allow every operation on every MBean:
     * the app refuses to start, with one line naming the problem.
     */
    @Test
    void withoutItsJolokiaAccessPolicyTheAppRefusesToStart() {
        String name = TestInfrastructure.name("startup-no-policy");
        try (AppProcess app = AppProcess.start("StartupIT-no-policy", Map.of(
                "kafka.brokers", TestInfrastructure.kafkaBootstrapServers(),
                "mongodb.uri", TestInfrastructure.mongoUri(),
                "kafka.topic", name,
                "mongodb.database", name,
                "generator.enabled", "false",
                "jolokia.policyLocation", "classpath:/no-such-policy.xml"))) {
            OptionalInt exit = app.exitWithin(Duration.ofSeconds(90));
            assertThat(exit).as("exit code; log tail:%n%s", app.tail(20)).hasValue(1);
            List<String> problem = app.logLines(Pattern.compile("jolokia"));
            assertThat(problem).as(app.tail(20)).hasSize(1);
            assertThat(problem.get(0)).contains("ERROR", "Invalid configuration: jolokia.policyLocation = "
                    + "'classpath:/no-such-policy.xml': no Jolokia access policy there");
        }
    }

    private static long summaryEvents(MongoClient mongo, String database) {
        Document summary = mongo.getDatabase(database).getCollection("summary").find(new Document("_id", "global")).first();
        return summary == null ? 0 : ((Number) summary.get("events")).longValue();
    }
}
