package pulse.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchmarkOptionsTest {

    @Test
    void theMemoryRunStartsTheJarAsTheSmallBoxStartOfTheOperationsGuideUnlessToldOtherwise() {
        BenchmarkOptions defaults = BenchmarkOptions.parse();
        assertThat(defaults.memoryJavaOptions).containsExactly("-XX:+UseG1GC", "-XX:TrimNativeHeapInterval=1000",
                "-Djdk.nio.maxCachedBufferSize=1048576", "-Dio.netty.allocator.maxOrder=7");
        assertThat(defaults.memoryEnvironment).isEqualTo(Map.of("MALLOC_ARENA_MAX", "2"));
        assertThat(BenchmarkOptions.parse("--memory-java-options", "-XX:+UseParallelGC").memoryJavaOptions)
                .containsExactly("-XX:+UseParallelGC");
        assertThat(BenchmarkOptions.parse("--memory-java-options", "none").memoryJavaOptions).isEmpty();
        assertThat(BenchmarkOptions.parse("--memory-java-options", " -XX:+UseG1GC  -Xss512k ").memoryJavaOptions)
                .containsExactly("-XX:+UseG1GC", "-Xss512k");
        assertThat(BenchmarkOptions.parse("--memory-env", "none").memoryEnvironment).isEmpty();
        assertThat(BenchmarkOptions.parse("--memory-env", " MALLOC_ARENA_MAX=4  MALLOC_TRIM_THRESHOLD_=0").memoryEnvironment)
                .containsExactly(Map.entry("MALLOC_ARENA_MAX", "4"), Map.entry("MALLOC_TRIM_THRESHOLD_", "0"));
        assertThatThrownBy(() -> BenchmarkOptions.parse("--memory-env", "MALLOC_ARENA_MAX"))
                .hasMessageContaining("NAME=VALUE");
        // the app's other JVM options are separate: they go to every run of the jar, after these
        BenchmarkOptions both = BenchmarkOptions.parse("--app-java-options", "-Xlog:gc", "--memory-java-options", "none");
        assertThat(both.appJavaOptions).isEqualTo(List.of("-Xlog:gc"));
        assertThat(both.describe()).containsEntry("memoryJavaOptions", List.of());
    }

    @Test
    void theMemoryRunWithSessionsAndFunnelsGetsTwiceTheTimeUnlessToldOtherwise() {
        assertThat(BenchmarkOptions.parse().memoryTimeoutSeconds()).isEqualTo(900);
        assertThat(BenchmarkOptions.parse("--memory-features").memoryTimeoutSeconds()).isEqualTo(1_800);
        assertThat(BenchmarkOptions.parse("--memory-features", "--memory-timeout", "600").memoryTimeoutSeconds())
                .isEqualTo(600);
        assertThat(BenchmarkOptions.parse("--memory-features").describe()).containsEntry("memoryTimeoutSeconds", 1_800L);
    }

    /** docs/operations.md advises -Xmx240m on a 512 MB box with sessions and funnels on: the memory run measures that. */
    @Test
    void theMemoryRunWithSessionsAndFunnelsStartsWithTheSmallerHeapOfTheOperationsGuideUnlessToldOtherwise() {
        assertThat(BenchmarkOptions.parse().memoryXmx()).isEqualTo("256m");
        assertThat(BenchmarkOptions.parse("--memory-features").memoryXmx()).isEqualTo("240m");
        assertThat(BenchmarkOptions.parse("--memory-features", "--memory-xmx", "256m").memoryXmx()).isEqualTo("256m");
        assertThat(BenchmarkOptions.parse("--memory-features").describe()).containsEntry("memoryXmx", "240m");
    }

    @Test
    void theJarReadsMoreEventsThanTheCeilingsOnlyWhenToldAndNoPhaseThatReadsTheMainTopicAsTheCeilingsDidRuns() {
        assertThat(BenchmarkOptions.parse("--events", "1000").jarEvents()).isEqualTo(1_000);
        BenchmarkOptions longer = BenchmarkOptions.parse("--events", "1000", "--jar-events", "3000", "--skip-in-process");
        assertThat(longer.events).isEqualTo(1_000);
        assertThat(longer.jarEvents()).isEqualTo(3_000);
        assertThat(longer.describe()).containsEntry("events", 1_000L).containsEntry("jarEvents", 3_000L);
        assertThatThrownBy(() -> BenchmarkOptions.parse("--events", "1000", "--jar-events", "1000", "--skip-in-process"))
                .hasMessageContaining("--jar-events 1000 must be more than --events 1000");
        assertThatThrownBy(() -> BenchmarkOptions.parse("--events", "1000", "--jar-events", "3000"))
                .hasMessageContaining("--skip-in-process");
        assertThatThrownBy(() -> BenchmarkOptions.parse("--events", "1000", "--jar-events", "3000", "--skip-in-process",
                "--skip-jar")).hasMessageContaining("--skip-jar");
    }

    @Test
    void theColdStartRunsReadAPrefixOfTheCeilingsEventsAndNeedTheJar() {
        assertThat(BenchmarkOptions.parse("--events", "1000").coldEvents).isZero();
        BenchmarkOptions cold = BenchmarkOptions.parse("--events", "1000", "--jar-events", "3000", "--skip-in-process",
                "--cold-events", "1000");
        assertThat(cold.coldEvents).isEqualTo(1_000);
        assertThat(cold.describe()).containsEntry("coldEvents", 1_000L);
        assertThatThrownBy(() -> BenchmarkOptions.parse("--events", "1000", "--cold-events", "1001"))
                .hasMessageContaining("--cold-events 1001 must be at most --events 1000");
        assertThatThrownBy(() -> BenchmarkOptions.parse("--events", "1000", "--cold-events", "500", "--skip-jar"))
                .hasMessageContaining("--cold-events").hasMessageContaining("--skip-jar");
        assertThatThrownBy(() -> BenchmarkOptions.parse("--events", "1000", "--cold-events", "0"))
                .hasMessageContaining("cold-events");
    }
}
