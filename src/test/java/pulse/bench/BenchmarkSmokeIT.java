package pulse.bench;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark with tiny settings: it must complete every phase (the broker and the app's jar in JVMs of their own;
 * the jar comes from the package phase), write its JSON file, find the aggregates of both end-to-end runs exact,
 * every invalid record on the dead-letter topic and every freshness marker in MongoDB, the aggregates of an
 * event shape besides the product's own exact (its ids and types as the shape carries them), and leave the log
 * levels of the tests that run after it in the same JVM as it found them (the memory and AppCDS runs are left out:
 * more JVMs for rows that need a full-size run to mean anything). No timing thresholds: the numbers of a shared CI
 * machine mean nothing.
 */
class BenchmarkSmokeIT {

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void theBenchmarkRunsEndToEndOnTinySettings() throws Exception {
        Path out = Path.of("target", "benchmark-smoke.json");
        Files.deleteIfExists(out);
        Map<String, String> levelsBefore = logLevels();

        Map<String, Object> result = Benchmark.run(BenchmarkOptions.parse(
                "--events", "20000",
                "--users", "1000",
                "--items", "200",
                "--naive-events", "500",
                "--invalid-events", "300",
                "--freshness-rate", "2000",
                "--freshness-seconds", "4",
                "--freshness-warmup", "1",
                "--generator-seconds", "2",
                "--generator-warmup", "1",
                "--generator-rates", "1000",
                "--generator-max-tick", "1000",
                "--skip-memory",
                "--skip-cds",
                "--shapes", "nested",
                "--out", out.toString()));

        assertThat(out).isRegularFile();
        assertThat(Files.readString(out)).contains("\"e2e.mismatches\"");
        @SuppressWarnings("unchecked")
        Map<String, Object> values = (Map<String, Object>) result.get("values");
        assertThat((List<?>) values.get("failedPhases")).as("phases that failed").isEmpty();
        assertThat(values.get("e2e.complete")).isEqualTo(true);
        assertThat(values.get("e2e.events")).isEqualTo(20_000L);
        assertThat(values.get("e2e.mismatches")).as("end-to-end mismatches with the ground truth").isEqualTo(0);
        assertThat(values.get("jar.complete")).isEqualTo(true);
        assertThat(values.get("jar.done")).isEqualTo(20_000L);
        assertThat(values.get("jar.mismatches")).as("the jar's mismatches with the ground truth").isEqualTo(0);
        // the pulse shape's row is the main run's (as many events); the nested shape has a run of its own, with the
        // ids and types as it carries them; every shape has its parse cost
        assertThat(values.get("shape.pulse.sameAs")).isEqualTo("jar");
        assertThat(values.get("shape.nested.done")).as("nested events aggregated").isEqualTo(20_000L);
        assertThat(values.get("shape.nested.mismatches")).as("nested mismatches").isEqualTo(0);
        for (String shape : List.of("pulse", "minimal", "nested", "cloudevents", "cloudevents-binary")) {
            assertThat((Double) values.get("shape." + shape + ".parseNanosPerEvent")).as(shape + " parse cost").isPositive();
        }
        assertThat(values.get("invalid.done")).as("invalid records on the dead-letter topic").isEqualTo(300L);
        assertThat(values.get("freshness.missingMarkers")).as("freshness markers never seen").isEqualTo(0L);
        assertThat((Integer) values.get("freshness.samples")).as("freshness markers after the warm-up").isPositive();
        assertThat((List<?>) result.get("results")).isNotEmpty();
        assertThat(logLevels()).as("log levels after the benchmark").isEqualTo(levelsBefore);
    }

    /**
     * --jar-events: the ceilings drain exactly the first --events (their drain checks the topic's size), then the rest
     * of the same sequence is appended, and the jar's run takes in all of it and leaves the aggregates of all of it.
     * --cold-events: before it, the cold-start run reads its own topic of the first 10,000 and leaves exactly theirs.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theJarRunsOnTheLongerTopicOfJarEventsAndItsAggregatesAreThoseOfAllOfThemTheColdStartOnlyThoseOfItsPrefix()
            throws Exception {
        Path out = Path.of("target", "benchmark-smoke-jar-events.json");
        Files.deleteIfExists(out);

        Map<String, Object> result = Benchmark.run(BenchmarkOptions.parse(
                "--events", "20000",
                "--jar-events", "50000",
                "--cold-events", "10000",
                "--users", "1000",
                "--items", "200",
                "--skip-in-process", "--skip-naive", "--skip-freshness", "--skip-generator", "--skip-memory",
                "--skip-cds", "--skip-shapes", "--skip-invalid", "--skip-ladder",
                "--out", out.toString()));

        @SuppressWarnings("unchecked")
        Map<String, Object> values = (Map<String, Object>) result.get("values");
        assertThat((List<?>) values.get("failedPhases")).as("phases that failed").isEmpty();
        assertThat((Double) values.get("consumer.recordsPerSecond")).as("consumer ceiling on the first 20,000").isPositive();
        assertThat(values.get("append.events")).isEqualTo(30_000L);
        assertThat(values.get("jar.records")).isEqualTo(50_000L);
        assertThat(values.get("jar.done")).isEqualTo(50_000L);
        assertThat(values.get("jar.mismatches")).as("the jar's mismatches with the ground truth of all 50,000")
                .isEqualTo(0);
        assertThat(values.get("cold.records")).isEqualTo(10_000L);
        assertThat(values.get("cold.done")).isEqualTo(10_000L);
        assertThat(values.get("cold.mismatches")).as("the cold run's mismatches with the ground truth of the first 10,000")
                .isEqualTo(0);
    }

    /** Every configured logger's level, and the levels the loggers of Camel, Vert.x and Jolokia end up with. */
    private static Map<String, String> logLevels() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Map<String, String> levels = new TreeMap<>();
        context.getConfiguration().getLoggers().forEach((name, config) -> levels.put("config " + name, String.valueOf(config.getLevel())));
        for (String name : List.of("org.apache.camel", "org.apache.camel.main", "io.vertx", "org.jolokia", "pulse")) {
            levels.put("logger " + name, String.valueOf(context.getLogger(name).getLevel()));
        }
        return levels;
    }
}
