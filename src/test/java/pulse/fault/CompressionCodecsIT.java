package pulse.fault;

import org.bson.Document;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pulse.embedded.TestInfrastructure;
import pulse.event.InteractionEvent;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Producers compress as they like: records written with each of Kafka's codecs (gzip, snappy, lz4, zstd; snappy and
 * zstd through native libraries) are consumed by the runnable jar, run as its own JVM as users run it. Each codec
 * writes its own items, so each codec's test sees only what its records made.
 */
@ExtendWith(TestInfrastructure.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompressionCodecsIT {

    private static final List<String> CODECS = List.of("gzip", "snappy", "lz4", "zstd");
    private static final int EVENTS_PER_CODEC = 5_000;

    @AutoClose
    private FaultFixture fixture;
    private AppProcess app;
    private final Map<String, Map<String, Long>> expectedByCodec = new HashMap<>();

    @BeforeAll
    void produceWithEveryCodecAndStartTheJar() throws Exception {
        fixture = new FaultFixture("codecs", TestInfrastructure.kafkaBootstrapServers(), TestInfrastructure.mongoUri());
        fixture.createTopic();
        List<InteractionEvent> events = Faults.events(Faults.seed("CompressionCodecsIT"), EVENTS_PER_CODEC * CODECS.size());
        for (int c = 0; c < CODECS.size(); c++) {
            String codec = CODECS.get(c);
            List<InteractionEvent> mine = events.subList(c * EVENTS_PER_CODEC, (c + 1) * EVENTS_PER_CODEC).stream()
                    .map(e -> new InteractionEvent(e.eventId(), e.schemaVersion(), e.userId(), codec + "-" + e.itemId(),
                            e.type(), e.timestamp()))
                    .toList();
            expectedByCodec.put(codec, FaultFixture.counts(mine, InteractionEvent::itemId));
            fixture.produce(mine, codec);
        }
        app = fixture.startApp("CompressionCodecsIT");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void recordsCompressedWithTheCodecAreAggregatedByTheJar(String codec) {
        Map<String, Long> expected = expectedByCodec.get(codec);
        await(codec + " records aggregated").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    app.assertAlive();
                    Map<String, Long> stored = new HashMap<>();
                    fixture.database().getCollection("items").find(new Document("_id", Pattern.compile("^" + codec + "-")))
                            .forEach(item -> stored.put(item.getString("_id"), ((Number) item.get("total")).longValue()));
                    assertThat(stored).isEqualTo(expected);
                });
        assertThat(app.logLines(Pattern.compile(" ERROR "))).as("errors in the app's log").isEmpty();
    }
}
