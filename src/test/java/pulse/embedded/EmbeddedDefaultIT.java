package pulse.embedded;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.apache.camel.main.Main;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pulse.Application;
import pulse.config.InvalidConfigurationException;
import pulse.config.Settings;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The newcomer's path: with the default {@code embedded} addresses the app starts its own Kafka broker and
 * MongoDB server, aggregates grow within seconds, and they survive a restart.
 */
class EmbeddedDefaultIT {

    @TempDir
    Path dataDir;

    @Test
    void theDefaultConfigurationRunsEverythingAndKeepsAggregatesAcrossARestart() throws Exception {
        int mongoPort = Ports.free();
        Map<String, String> properties = new HashMap<>(Map.of(
                "pulse.data-dir", dataDir.toString(),
                "kafka.embedded.port", String.valueOf(Ports.free()),
                "kafka.embedded.controller-port", String.valueOf(Ports.free()),
                "mongodb.embedded.port", String.valueOf(mongoPort)));

        long eventsBeforeRestart;
        try (Running app = new Running(properties);
             MongoClient mongo = MongoClients.create("mongodb://127.0.0.1:" + mongoPort)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> events(mongo) >= 1000);
            assertThat(mongo.getDatabase("interactions").getCollection("users").countDocuments()).isPositive();
            app.main.getCamelContext().getRouteController().stopRoute("generate-interactions");
            eventsBeforeRestart = events(mongo);
        }

        properties.put("generator.enabled", "false");
        try (Running app = new Running(properties);
             MongoClient mongo = MongoClients.create("mongodb://127.0.0.1:" + mongoPort)) {
            assertThat(events(mongo)).as("aggregates kept in %s", dataDir).isGreaterThanOrEqualTo(eventsBeforeRestart);
            // whatever was on the topic but not yet aggregated at the stop is aggregated now, and nothing twice
            await().atMost(Duration.ofSeconds(30)).until(() -> events(mongo) >= eventsBeforeRestart);
        }
    }

    @Test
    void aTakenPortFailsWithTheNameOfThePropertyToChange() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            Settings settings = new Settings(key -> Optional.ofNullable(Map.of(
                    "pulse.data-dir", dataDir.toString(),
                    "mongodb.embedded.host", "127.0.0.1",
                    "mongodb.embedded.port", String.valueOf(taken.getLocalPort())).get(key)));

            assertThatThrownBy(() -> EmbeddedInfrastructure.start(settings, false, true))
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("mongodb.embedded.port")
                    .hasMessageContaining("already in use");
        }
    }

    private static long events(MongoClient mongo) {
        Document summary = mongo.getDatabase("interactions").getCollection("summary").find(new Document("_id", "global")).first();
        return summary == null ? 0 : ((Number) summary.get("events")).longValue();
    }

    /** The app as {@code mvn camel:run} starts it: Camel Main with the embedded default. */
    private static final class Running implements AutoCloseable {
        final Main main = Application.create();
        final EmbeddedInfrastructureListener embedded = new EmbeddedInfrastructureListener();

        Running(Map<String, String> properties) {
            main.addMainListener(embedded);
            properties.forEach(main::addOverrideProperty);
            main.start();
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
