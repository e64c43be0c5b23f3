package pulse.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The steady state of a run, on samples whose CPU times and progress are written out by hand. */
class JarRunTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void steadyStateStartsAtTheFirstQuietWindowAndReportsTheJitShareAfterIt() {
        // one sample a second for 10 s, join at 1 s; app CPU 1 s per second; JIT 0.5 s per second up to t = 4,
        // 0.05 s per second from t = 4 to 6 (the first quiet 2 s end at t = 6), then 0.3 s per second again
        double[] jitPerSecond = {0.5, 0.5, 0.5, 0.5, 0.05, 0.05, 0.3, 0.3, 0.3, 0.3};
        List<JarRun.Sample> samples = new ArrayList<>();
        long jit = 0;
        for (int t = 0; t <= 10; t++) {
            samples.add(new JarRun.Sample(t, new JvmThreadCpu(jit, 0, t * SECOND), 0, t * 100_000.0, 0));
            if (t < 10) {
                jit += Math.round(jitPerSecond[t] * SECOND);
            }
        }
        JarRun run = new JarRun(1_000_000, 1_000_000, true, 1.0, 10.0, new JvmThreadCpu(jit, 0, 10 * SECOND), 0,
                samples, 0);

        JarRun.Steady steady = run.steady(0.10, 2, 3);

        assertThat(steady).isNotNull();
        assertThat(steady.from().t()).isEqualTo(6.0);
        assertThat(steady.seconds()).isEqualTo(4.0);
        assertThat(steady.rate()).isCloseTo(400_000 / 4.0, within(1e-6)); // 1M done, 600k in by t = 6
        assertThat(steady.appCpuMicrosPerEvent()).isCloseTo(4.0 * 1e6 / 400_000, within(1e-9));
        assertThat(steady.jitShare()).isCloseTo(0.3, within(1e-9)); // C2 back at work after the quiet window
    }

    @Test
    void noSteadyStateWhenTheJitNeverQuietsDown() {
        List<JarRun.Sample> samples = new ArrayList<>();
        for (int t = 0; t <= 10; t++) {
            samples.add(new JarRun.Sample(t, new JvmThreadCpu(t * SECOND / 2, 0, t * SECOND), 0, t * 100_000.0, 0));
        }
        JarRun run = new JarRun(1_000_000, 1_000_000, true, 1.0, 10.0, new JvmThreadCpu(5 * SECOND, 0, 10 * SECOND), 0,
                samples, 0);

        assertThat(run.steady(0.10, 2, 3)).isNull();
    }
}
