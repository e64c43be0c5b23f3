package pulse.fault;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pulse.embedded.EmbeddedKafka;
import pulse.embedded.TestInfrastructure;
import pulse.event.InteractionEvent;
import pulse.it.GroundTruth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Broker restart: the Kafka broker is stopped and started again (same log directory, same ports) while the app
 * both generates events and aggregates them. The producer must neither lose acknowledged events nor write one
 * twice (idempotence), and the consumer must go on to exact aggregates. The broker is this test's own, so the
 * other tests' shared broker is never disturbed; MongoDB is the shared one.
 */
@ExtendWith(TestInfrastructure.class)
class BrokerRestartIT {

    private static final String HOST = "127.0.0.1";
    private static final Pattern FAILED = Pattern.compile("Failed delivery");

    private Path kafkaDir;
    private EmbeddedKafka kafka;
    private FaultFixture fixture;

    @AfterEach
    void stopEverything() throws IOException {
        try {
            if (fixture != null) {
                fixture.close();
            }
        } finally {
            if (kafka != null) {
                kafka.close(); // its threads are not daemons
                kafka = null;
            }
            if (kafkaDir != null) {
                try (Stream<Path> paths = Files.walk(kafkaDir)) {
                    paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                }
            }
        }
    }

    @Test
    void restartingTheBrokerWhileGeneratingAndConsumingLosesAndDuplicatesNothing() throws Exception {
        long seed = Faults.seed("BrokerRestartIT");
        Random random = new Random(seed);
        kafkaDir = Files.createTempDirectory("pulse-fault-kafka");
        int port = FreePorts.next();
        int controllerPort = FreePorts.next();
        kafka = EmbeddedKafka.start(kafkaDir, HOST, port, controllerPort, "kafka.embedded.port");
        fixture = new FaultFixture("fault-broker-restart", kafka.bootstrapServers(), TestInfrastructure.mongoUri());
        fixture.createTopic();

        // the app's own generator, 1,000 events/s, reproducible ids
        AppProcess generating = fixture.startApp("BrokerRestartIT-generating", Map.of(
                "generator.enabled", "true",
                "generator.seed", String.valueOf(seed & Long.MAX_VALUE),
                "generator.period", "100",
                "generator.events-per-tick", "100"));
        long restartAt = 4_000 + random.nextInt(4_000);
        await("the app generates and aggregates " + restartAt + " events").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    generating.assertAlive();
                    return fixture.summaryEvents() >= restartAt;
                });

        long producedBefore = fixture.endTotal();
        long aggregatedBefore = fixture.summaryEvents();
        long stopping = System.nanoTime();
        kafka.close();
        kafka = null;
        long stoppedNanos = System.nanoTime() - stopping;
        kafka = EmbeddedKafka.start(kafkaDir, HOST, port, controllerPort, "kafka.embedded.port");
        long downNanos = System.nanoTime() - stopping;
        Faults.note("BrokerRestartIT: broker restarted at %d produced / %d aggregated events; stop took %s, down for %s",
                producedBefore, aggregatedBefore, Faults.seconds(stoppedNanos), Faults.seconds(downNanos));

        long recovering = System.nanoTime();
        await("the app produces and aggregates 5,000 more events after the restart").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> {
                    generating.assertAlive();
                    return fixture.endTotal() >= producedBefore + 5_000 && fixture.summaryEvents() >= aggregatedBefore + 5_000;
                });
        Faults.note("BrokerRestartIT: producing and aggregating again %s after the broker came back",
                Faults.seconds(System.nanoTime() - recovering));
        generating.assertAlive();
        assertThat(generating.stop(Duration.ofSeconds(40))).as("the generating app stops").isPresent();

        // the truth is whatever reached the topic
        List<ConsumerRecord<String, byte[]>> records = fixture.readAll();
        List<InteractionEvent> events = FaultFixture.parseAll(records);
        Map<String, Long> ids = FaultFixture.counts(events, InteractionEvent::eventId);
        List<String> duplicated = ids.entrySet().stream().filter(e -> e.getValue() > 1)
                .map(e -> e.getKey() + " x" + e.getValue()).limit(20).toList();
        List<String> failed = generating.logLines(FAILED);
        Faults.note("BrokerRestartIT: %d events on the topic, %d distinct event ids; %d failed deliveries in the app's log%s",
                events.size(), ids.size(), failed.size(), failed.isEmpty() ? ""
                        : ", e.g. " + failed.get(0).substring(0, Math.min(300, failed.get(0).length())));
        assertThat(duplicated).as("event ids written more than once (idempotent producer)").isEmpty();
        // the wait above saw at least 5,000 more; the generator may stop right after reaching it
        assertThat(events.size()).as("events produced after the restart are on the topic")
                .isGreaterThanOrEqualTo((int) producedBefore + 5_000);
        GroundTruth truth = new GroundTruth(events);

        AppProcess draining = fixture.startApp("BrokerRestartIT-draining");
        fixture.awaitExactAggregates(truth, Duration.ofSeconds(120), draining);
        assertThat(draining.stop(Duration.ofSeconds(40))).as("the draining app stops").isPresent();
    }
}
