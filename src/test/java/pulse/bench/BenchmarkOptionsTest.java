package pulse.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BenchmarkOptionsTest {

    @Test
    void theMemoryRunStartsTheJarWithTheJvmDefaultsUnlessToldOtherwise() {
        assertThat(BenchmarkOptions.parse().memoryJavaOptions).isEmpty();
        assertThat(BenchmarkOptions.parse("--memory-java-options", "-XX:+UseParallelGC").memoryJavaOptions)
                .containsExactly("-XX:+UseParallelGC");
        assertThat(BenchmarkOptions.parse("--memory-java-options", "none").memoryJavaOptions).isEmpty();
        assertThat(BenchmarkOptions.parse("--memory-java-options", " -XX:+UseG1GC  -Xss512k ").memoryJavaOptions)
                .containsExactly("-XX:+UseG1GC", "-Xss512k");
        // the app's other JVM options are separate: they go to every run of the jar, after these
        BenchmarkOptions both = BenchmarkOptions.parse("--app-java-options", "-Xlog:gc", "--memory-java-options", "none");
        assertThat(both.appJavaOptions).isEqualTo(List.of("-Xlog:gc"));
        assertThat(both.describe()).containsEntry("memoryJavaOptions", List.of());
    }
}
