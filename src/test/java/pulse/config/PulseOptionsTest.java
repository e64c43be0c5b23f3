package pulse.config;

import org.junit.jupiter.api.Test;
import pulse.aggregate.Rollups;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PulseOptionsTest {

    private static List<Duration> sizes(String value) {
        Map<String, String> properties = Map.of("aggregation.window.sizes", value);
        return PulseOptions.windowSizes(new Settings(key -> Optional.ofNullable(properties.get(key))),
                "aggregation.window.sizes");
    }

    /** The shipped application.properties, with overrides. */
    private static Settings settings(Map<String, String> overrides) throws IOException {
        Properties defaults = new Properties();
        try (InputStream in = PulseOptionsTest.class.getResourceAsStream("/application.properties")) {
            defaults.load(in);
        }
        return new Settings(key -> Optional.ofNullable(overrides.containsKey(key) ? overrides.get(key) : defaults.getProperty(key)));
    }

    private static final Map<String, String> ONE_CONSUMER = Map.of("aggregation.consumers", "1");

    private static PulseOptions options(Map<String, String> overrides) throws IOException {
        return PulseOptions.from(settings(overrides));
    }

    @Test
    void theShippedDefaultsAreValid() throws Exception {
        PulseOptions options = options(Map.of());

        assertThat(options.rollups().all()).extracting(d -> d.collection())
                .containsExactly("users", "items", "windows", "item_windows");
        assertThat(options.consumers()).isPositive();
    }

    @Test
    void whileBehindAFoldIsHeldUpToFiveSeconds() throws Exception {
        // each write touches nearly every user and item of the fold: 2 s made ~0.12 document writes per event in the
        // benchmark's 2M-event drain, 5 s ~0.07 (docs/benchmark.md, "Where the time goes")
        assertThat(options(Map.of()).writeMaxDelay()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void warnsWhenFullBatchesAndFoldsMayNotFitTheHeapAndNamesTheProperties() throws Exception {
        PulseOptions options = options(Map.of("aggregation.batch.max-records", "100000", "aggregation.consumers", "2"));

        assertThat(options.batchMemoryWarning(256L << 20)).hasValueSatisfying(warning -> assertThat(warning)
                .contains("aggregation.batch.max-records = 100000", "aggregation.write.max-events = ",
                        "aggregation.consumers = 2", "256 MiB heap"));
        assertThat(options.batchMemoryWarning(4L << 30)).isEmpty();
    }

    @Test
    void autoBatchesTakeAtMostAnEighthOfTheHeap() throws Exception {
        assertThat(PulseOptions.from(settings(ONE_CONSUMER), 4L << 30).batchMaxRecords()).isEqualTo(20_000);
        int fitted = PulseOptions.from(settings(ONE_CONSUMER), 128L << 20).batchMaxRecords();
        assertThat(fitted).isLessThan(20_000).isGreaterThan(10_000);
        assertThat(fitted * PulseOptions.BYTES_PER_BUFFERED_RECORD).isLessThanOrEqualTo((128L << 20) / 8);
        assertThat(PulseOptions.from(settings(Map.of("aggregation.consumers", "2")), 128L << 20).batchMaxRecords())
                .isEqualTo(fitted / 2);
        // sessions or funnels on: a 64th (at -Xmx256m with 2 consumers, 1,398 records instead of 11,184)
        assertThat(PulseOptions.from(settings(Map.of("aggregation.consumers", "2")), 256L << 20).batchMaxRecords())
                .isEqualTo(11_184);
        for (String perUser : List.of("analytics.sessions.enabled", "analytics.funnels.enabled")) {
            int withPerUser = PulseOptions.from(settings(Map.of("aggregation.consumers", "2", perUser, "true")),
                    256L << 20).batchMaxRecords();
            assertThat(withPerUser).isEqualTo(1_398);
        }
        assertThatThrownBy(() -> options(Map.of("aggregation.batch.max-records", "lots")))
                .hasMessageContaining("aggregation.batch.max-records = 'lots' must be a positive whole number or auto");
    }

    @Test
    void autoPrefetchIsKafkasOwnUnlessPerUserStateSharesASmallHeap() throws Exception {
        assertThat(PulseOptions.from(settings(Map.of()), 256L << 20).maxPartitionFetchBytes()).isEqualTo(1_048_576);
        for (String perUser : List.of("analytics.sessions.enabled", "analytics.funnels.enabled")) {
            assertThat(PulseOptions.from(settings(Map.of(perUser, "true")), 256L << 20).maxPartitionFetchBytes())
                    .isEqualTo(262_144);
            assertThat(PulseOptions.from(settings(Map.of(perUser, "true")), 512L << 20).maxPartitionFetchBytes())
                    .isEqualTo(1_048_576);
        }
        // camel-kafka's component option, which the route's endpoint option would otherwise hide, is honoured
        assertThat(PulseOptions.from(settings(Map.of("analytics.sessions.enabled", "true",
                "camel.component.kafka.max-partition-fetch-bytes", "65536")), 256L << 20).maxPartitionFetchBytes())
                .isEqualTo(65_536);
        assertThat(PulseOptions.from(settings(Map.of("kafka.consumer.max-partition-fetch-bytes", "500000",
                "camel.component.kafka.max-partition-fetch-bytes", "65536")), 256L << 20).maxPartitionFetchBytes())
                .isEqualTo(500_000);
        assertThatThrownBy(() -> options(Map.of("kafka.consumer.max-partition-fetch-bytes", "1MB")))
                .hasMessageContaining("kafka.consumer.max-partition-fetch-bytes = '1MB' must be a positive whole number or auto");
    }

    @Test
    void autoFoldsTakeAtMostAQuarterOfTheHeap() throws Exception {
        assertThat(PulseOptions.from(settings(ONE_CONSUMER), 4L << 30).writeMaxEvents()).isEqualTo(1_000_000);
        int fitted = PulseOptions.from(settings(ONE_CONSUMER), 256L << 20).writeMaxEvents();
        assertThat(fitted).isLessThan(1_000_000).isGreaterThan(80_000);
        assertThat(fitted * PulseOptions.BYTES_PER_HELD_EVENT).isLessThanOrEqualTo((256L << 20) / 4);
        assertThat(PulseOptions.from(settings(Map.of("aggregation.consumers", "2")), 256L << 20).writeMaxEvents())
                .isEqualTo(fitted / 2);
        assertThat(PulseOptions.from(settings(ONE_CONSUMER), 256L << 20).batchMemoryWarning(256L << 20)).isEmpty();
        // sessions or funnels on: a sixteenth, their per-user documents and caches need the rest
        for (String perUser : List.of("analytics.sessions.enabled", "analytics.funnels.enabled")) {
            int withPerUser = PulseOptions.from(settings(Map.of("aggregation.consumers", "1", perUser, "true")),
                    256L << 20).writeMaxEvents();
            assertThat(withPerUser * PulseOptions.BYTES_PER_HELD_EVENT).isLessThanOrEqualTo((256L << 20) / 16);
            assertThat(withPerUser).isEqualTo(fitted / 4);
        }
        assertThat(options(Map.of("aggregation.write.max-events", "5000")).writeMaxEvents()).isEqualTo(5_000);
        assertThatThrownBy(() -> options(Map.of("aggregation.write.max-events", "-1")))
                .hasMessageContaining("aggregation.write.max-events = '-1' must be a positive whole number or auto");
        assertThatThrownBy(() -> options(Map.of("aggregation.write.max-delay", "2s")))
                .hasMessageContaining("aggregation.write.max-delay");
    }

    @Test
    void refusesANumberOfConsumersOutOfRange() {
        assertThatThrownBy(() -> options(Map.of("aggregation.consumers", "0")))
                .hasMessageContaining("aggregation.consumers").hasMessageContaining("from 1 to 64");
    }

    @Test
    void aListOfRoundSizesThePrimaryFirst() {
        assertThat(sizes("PT1M")).containsExactly(Duration.ofMinutes(1));
        assertThat(sizes("PT1M, PT1H,P1D")).containsExactly(Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofDays(1));
        assertThat(Rollups.of(sizes("PT5M,PT1H,PT30S")).all()).extracting(d -> d.collection()).containsExactly(
                "users", "items", "windows", "item_windows", "windows_1h", "item_windows_1h",
                "windows_30s", "item_windows_30s");
    }

    @Test
    void refusesSizesThatDoNotDivideADayAndNamesTheProperty() {
        assertThatThrownBy(() -> sizes("PT7M")).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("aggregation.window.sizes").hasMessageContaining("divide a day");
        assertThatThrownBy(() -> sizes("PT0.5S")).hasMessageContaining("whole seconds");
        assertThatThrownBy(() -> sizes("PT1M,PT60S")).hasMessageContaining("twice");
        assertThatThrownBy(() -> sizes("1 hour")).hasMessageContaining("not an ISO-8601 duration");
        assertThatThrownBy(() -> sizes("PT1M,")).isInstanceOf(InvalidConfigurationException.class);
    }
}
