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
 * The benchmark with tiny settings, in-process: it must complete every phase (memory skipped), write its JSON file
 * and find the end-to-end aggregates exact, and leave the log levels of the tests that run after it in the same JVM
 * as it found them. No timing thresholds: the numbers of a shared CI machine mean nothing.
 */
class BenchmarkSmokeIT {

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void theBenchmarkRunsEndToEndOnTinySettings() throws Exception {
        Path out = Path.of("target", "benchmark-smoke.json");
        Files.deleteIfExists(out);
        Map<String, String> levelsBefore = logLevels();

        Map<String, Object> result = Benchmark.run(BenchmarkOptions.parse(
                "--events", "20000",
                "--users", "1000",
                "--items", "200",
                "--naive-events", "500",
                "--freshness-rate", "2000",
                "--freshness-seconds", "3",
                "--freshness-warmup", "1",
                "--generator-seconds", "2",
                "--generator-warmup", "1",
                "--generator-rates", "1000",
                "--generator-max-tick", "1000",
                "--skip-memory",
                "--out", out.toString()));

        assertThat(out).isRegularFile();
        assertThat(Files.readString(out)).contains("\"e2e.mismatches\"");
        @SuppressWarnings("unchecked")
        Map<String, Object> values = (Map<String, Object>) result.get("values");
        assertThat((List<?>) values.get("failedPhases")).as("phases that failed").isEmpty();
        assertThat(values.get("e2e.complete")).isEqualTo(true);
        assertThat(values.get("e2e.events")).isEqualTo(20_000L);
        assertThat(values.get("e2e.mismatches")).as("end-to-end mismatches with the ground truth").isEqualTo(0);
        assertThat((List<?>) result.get("results")).isNotEmpty();
        assertThat(logLevels()).as("log levels after the benchmark").isEqualTo(levelsBefore);
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
