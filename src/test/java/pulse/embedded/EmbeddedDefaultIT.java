package pulse.embedded;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.apache.camel.main.Main;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pulse.Application;
import pulse.config.InvalidConfigurationException;
import pulse.config.Settings;
import pulse.event.EventParser;
import pulse.event.InteractionEvent;
import pulse.event.ValidationOptions;
import pulse.it.GroundTruth;
import pulse.it.Pipeline;
import pulse.testsupport.FreePorts;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The newcomer's path: with the default {@code embedded} addresses the app starts its own Kafka broker and
 * MongoDB server, aggregates grow within seconds, and they survive a restart, which adds what was left on the topic
 * and counts nothing twice.
 */
class EmbeddedDefaultIT {

    @TempDir
    Path dataDir;

    @Test
    void theDefaultConfigurationRunsEverythingAndKeepsAggregatesAcrossARestart() throws Exception {
        int mongoPort = FreePorts.next();
        int kafkaPort = FreePorts.next();
        Map<String, String> properties = new HashMap<>(Map.of(
                "pulse.data-dir", dataDir.toString(),
                "kafka.embedded.port", String.valueOf(kafkaPort),
                "kafka.embedded.controller-port", String.valueOf(FreePorts.next()),
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
            // whatever was on the topic but not yet aggregated at the stop is aggregated now, and nothing twice: the
            // truth is the topic itself, every event on it once (the generator's events are all valid)
            String kafka = "127.0.0.1:" + kafkaPort;
            List<InteractionEvent> onTopic = new ArrayList<>();
            EventParser parser = new EventParser(ValidationOptions.defaults(), Clock.systemUTC());
            for (ConsumerRecord<String, byte[]> record : Pipeline.readAll(kafka, "interactions")) {
                onTopic.add(parser.parse(record.value()));
            }
            assertThat(onTopic.stream().map(InteractionEvent::eventId).distinct().count()).as("distinct events on the topic")
                    .isEqualTo(onTopic.size());
            await("the restarted app aggregates and commits the whole topic").atMost(Duration.ofSeconds(30))
                    .until(() -> events(mongo) >= onTopic.size() && fullyCommitted(kafka));
            assertThat(events(mongo)).as("summary.events after the restart: the events on the topic, each once")
                    .isEqualTo(onTopic.size());
            assertThat(new GroundTruth(onTopic).mismatches(mongo.getDatabase("interactions")))
                    .as("differences between the aggregates and the topic after the restart").isEmpty();
        }
    }

    /** Whether the app's consumer group has committed every record of its topic. */
    private static boolean fullyCommitted(String bootstrapServers) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("interaction-pulse")
                    .partitionsToOffsetAndMetadata().get();
            List<TopicPartition> partitions = admin.describeTopics(List.of("interactions")).allTopicNames().get()
                    .get("interactions").partitions().stream().map(p -> new TopicPartition("interactions", p.partition())).toList();
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(partitions.stream()
                    .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()))).all().get();
            return ends.entrySet().stream().allMatch(end -> end.getValue().offset() == 0
                    || (committed.get(end.getKey()) != null && committed.get(end.getKey()).offset() == end.getValue().offset()));
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
