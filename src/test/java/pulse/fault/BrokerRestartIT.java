package pulse.fault;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pulse.embedded.EmbeddedKafka;
import pulse.embedded.TestInfrastructure;
import pulse.config.PulseOptions;
import pulse.config.Settings;
import pulse.event.InteractionEvent;
import pulse.generator.InteractionGenerator;
import pulse.it.GroundTruth;
import pulse.testsupport.FreePorts;
import pulse.testsupport.TempDirs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Broker restart: the Kafka broker is stopped and started again (same log directory, same ports) while the app
 * both generates events and aggregates them. Every event the app's generator had acknowledged must be on the topic
 * once (nothing lost, nothing written twice: idempotence) and be aggregated, exactly.
 *
 * <p>What was acknowledged is judged outside the topic: the generator is seeded, so the test makes the same
 * sequence of events itself; the app counts an event as produced ({@code pulse_events_produced_total}) only once
 * Kafka acknowledged its whole tick, and ticks are made in sequence. Once the generator route is stopped (its ticks
 * in flight finished) and no send failed, the acknowledged events are exactly the first
 * {@code pulse_events_produced_total} events of that sequence: each must be on the topic, and the topic must hold
 * nothing else. The broker is this test's own, so the other tests' shared broker is never disturbed; MongoDB is the
 * shared one.
 */
@ExtendWith(TestInfrastructure.class)
class BrokerRestartIT {

    private static final String HOST = "127.0.0.1";
    private static final String GENERATOR_ROUTE = "routeId=\"generate-interactions\"";

    private Path kafkaDir;
    private EmbeddedKafka kafka;
    private FaultFixture fixture;

    @AfterEach
    void stopEverything() throws Exception {
        try {
            if (fixture != null) {
                fixture.close();
            }
        } finally {
            if (kafka != null) {
                kafka.close(); // its threads are not daemons
                kafka = null;
            }
            TempDirs.deleteQuietly(kafkaDir);
        }
    }

    @Test
    void restartingTheBrokerWhileGeneratingAndConsumingLosesAndDuplicatesNothing() throws Exception {
        Assumptions.assumeFalse(TestInfrastructure.externalKafka(), "BrokerRestartIT restarts a broker of its own, in the"
                + " test JVM; with -D" + TestInfrastructure.KAFKA_PROPERTY + " the tests judge the external cluster, whose"
                + " brokers they cannot restart");
        long seed = Faults.seed("BrokerRestartIT");
        Random random = new Random(seed);
        kafkaDir = Files.createTempDirectory("pulse-fault-kafka");
        int port = FreePorts.next();
        int controllerPort = FreePorts.next();
        kafka = EmbeddedKafka.start(kafkaDir, HOST, port, controllerPort, "kafka.embedded.port");
        fixture = new FaultFixture("fault-broker-restart", kafka.bootstrapServers(), TestInfrastructure.mongoUri());
        fixture.createTopic();

        // the app's own generator, 1,000 events/s, reproducible ids
        Map<String, String> generator = Map.of(
                "generator.enabled", "true",
                "generator.seed", String.valueOf(seed & Long.MAX_VALUE),
                "generator.period", "100",
                "generator.events-per-tick", "100");
        AppProcess generating = fixture.startApp("BrokerRestartIT-generating", generator);
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
        generating.stopRoute("generate-interactions");
        long acknowledged = (long) generating.metric("pulse_events_produced_total");
        long ticks = (long) generating.metric("camel_exchanges_total", GENERATOR_ROUTE);
        long failedTicks = (long) generating.metric("camel_exchanges_failed_total", GENERATOR_ROUTE);
        assertThat(generating.stop(Duration.ofSeconds(40))).as("the generating app stops").isPresent();

        // what the generator made: the same seed and options give the same ids, users, items and types, in order
        List<ConsumerRecord<String, byte[]>> records = fixture.readAll();
        List<InteractionEvent> events = FaultFixture.parseAll(records);
        List<InteractionEvent> made = sameGenerator(fixture.appProperties(generator)).next(Math.max((int) acknowledged, events.size()) + 1_000);
        Map<String, Integer> madeAt = new HashMap<>();
        for (int i = 0; i < made.size(); i++) {
            madeAt.put(made.get(i).eventId(), i);
        }
        Map<String, Long> onTopic = FaultFixture.counts(events, InteractionEvent::eventId);
        List<String> duplicated = onTopic.entrySet().stream().filter(e -> e.getValue() > 1)
                .map(e -> e.getKey() + " x" + e.getValue()).limit(20).toList();
        List<String> unknown = onTopic.keySet().stream().filter(id -> !madeAt.containsKey(id)).limit(20).toList();
        List<String> lost = made.subList(0, (int) acknowledged).stream().map(InteractionEvent::eventId)
                .filter(id -> !onTopic.containsKey(id)).toList();
        List<String> unacknowledged = onTopic.keySet().stream().filter(id -> madeAt.getOrDefault(id, -1) >= acknowledged)
                .limit(20).toList();
        Faults.note("BrokerRestartIT: the generator acknowledged %d events in %d ticks (%d failed); the topic holds %d (%d"
                + " distinct ids)", acknowledged, ticks, failedTicks, events.size(), onTopic.size());
        // a failed tick would make the acknowledged events other than the first N: the count could not tell them
        assertThat(failedTicks).as("generator ticks whose sends failed (Kafka retries a send for up to 2 minutes)").isZero();
        assertThat(acknowledged).as("events counted by the generator, 100 per tick").isEqualTo(ticks * 100);
        assertThat(acknowledged).as("events acknowledged after the restart").isGreaterThanOrEqualTo(producedBefore + 5_000);
        assertThat(unknown).as("events on the topic that the seeded generator did not make").isEmpty();
        assertThat(duplicated).as("event ids written more than once (idempotent producer)").isEmpty();
        assertThat(lost).as("acknowledged events missing from the topic").isEmpty();
        assertThat(unacknowledged).as("events on the topic beyond those acknowledged").isEmpty();

        // the topic holds exactly the acknowledged events: their aggregates must be exact
        AppProcess draining = fixture.startApp("BrokerRestartIT-draining");
        fixture.awaitExactAggregates(new GroundTruth(events), Duration.ofSeconds(120), draining);
        assertThat(draining.stop(Duration.ofSeconds(40))).as("the draining app stops").isPresent();
    }

    /** A generator with the options the app computes from these properties (application.properties underneath). */
    private static InteractionGenerator sameGenerator(Map<String, String> properties) throws IOException {
        Properties defaults = new Properties();
        try (InputStream in = BrokerRestartIT.class.getResourceAsStream("/application.properties")) {
            defaults.load(in);
        }
        Settings settings = new Settings(key -> Optional.ofNullable(properties.get(key)).or(() -> Optional.ofNullable(defaults.getProperty(key))));
        return new InteractionGenerator(PulseOptions.from(settings).generator(), Clock.systemUTC());
    }
}
