package pulse.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The steady state of a run, on samples whose CPU times and progress are written out by hand: one sample a second,
 * the app using one second of CPU per second, 100,000 events taken in per second, and the JIT's CPU per second given.
 */
class JarRunTest {

    private static final long SECOND = 1_000_000_000L;
    private static final double QUIET = 0.05;
    private static final double BUSY = 0.3;

    @Test
    void steadyStateStartsAfterTheLastWindowInWhichTheJitWasBusyEvenWhenItHadFallenBefore() {
        // busy to t = 4, quiet 4..8 (a quiet 2-s window ends at t = 6 already), busy again 8..10, then quiet to t = 30:
        // the last window with the JIT at >= 10 % ends at t = 11 (seconds 9..11: (0.3 + 0.05) / 2)
        double[] jit = new double[30];
        for (int second = 0; second < 30; second++) {
            jit[second] = second < 4 ? 0.5 : second < 8 ? QUIET : second < 10 ? BUSY : QUIET;
        }
        JarRun run = run(jit, 1.0);

        JarRun.Steady steady = run.steady(0.10, 2, 10);

        assertThat(steady).isNotNull();
        assertThat(steady.from().t()).isEqualTo(11.0);
        assertThat(steady.seconds()).isEqualTo(19.0);
        assertThat(steady.rate()).isCloseTo((3_000_000 - 1_100_000) / 19.0, within(1e-6));
        assertThat(steady.appCpuMicrosPerEvent()).isCloseTo(19.0 * 1e6 / 1_900_000, within(1e-9));
        assertThat(steady.jitShare()).isCloseTo(QUIET, within(1e-9));
    }

    @Test
    void singleRecompilationsAfterTheDenseCompilingEndTwoSecondWindowsButNotTenSecondOnes() {
        // dense compiling to t = 20, then 3 % with one busy second at t = 30 and one at t = 45, as on a 60M-event run:
        // a 10-s window holding two dense seconds (18, 19) is the last at >= 10 %: it ends at t = 28; a lone busy
        // second is (0.3 + 9 x 0.03) / 10 = 5.7 % of a 10-s window, but 16.5 % of a 2-s one (the last ends at t = 47)
        double[] jit = new double[60];
        for (int second = 0; second < 60; second++) {
            jit[second] = second < 20 ? 0.5 : second == 30 || second == 45 ? BUSY : 0.03;
        }
        JarRun run = run(jit, 1.0);

        assertThat(run.steady(0.10, 10, 10).from().t()).isEqualTo(28.0);
        assertThat(run.steady(0.10, 2, 10).from().t()).isEqualTo(47.0);
    }

    @Test
    void noSteadyStateWhenTheJitKeepsComingBackToTheEnd() {
        // two quiet seconds, two busy ones, over and over: quiet windows come and go, but the last busy one ends at
        // t = 29 of 30
        double[] jit = new double[30];
        for (int second = 0; second < 30; second++) {
            jit[second] = second % 4 < 2 ? QUIET : BUSY;
        }

        assertThat(run(jit, 1.0).steady(0.10, 2, 10)).isNull();
    }

    @Test
    void noSteadyStateWhenTheJitSettlesTooCloseToTheEnd() {
        // busy to t = 22, quiet after: the span from t = 23 would be 7 s, under the 10 s asked for
        double[] jit = new double[30];
        for (int second = 0; second < 30; second++) {
            jit[second] = second < 22 ? BUSY : QUIET;
        }
        JarRun run = run(jit, 1.0);

        assertThat(run.steady(0.10, 2, 10)).isNull();
        assertThat(run.steady(0.10, 2, 7).from().t()).isEqualTo(23.0);
    }

    @Test
    void noSteadyStateWhenTheJitNeverQuietsDown() {
        double[] jit = new double[30];
        Arrays.fill(jit, 0.5);

        assertThat(run(jit, 1.0).steady(0.10, 2, 3)).isNull();
    }

    @Test
    void steadyStateStartsNoEarlierThanTheGroupJoin() {
        // the JIT busy during the start-up only (to t = 3), the consumers join at t = 5
        double[] jit = new double[30];
        for (int second = 0; second < 30; second++) {
            jit[second] = second < 3 ? BUSY : QUIET;
        }

        JarRun.Steady steady = run(jit, 5.0).steady(0.10, 2, 10);

        assertThat(steady).isNotNull();
        assertThat(steady.from().t()).isEqualTo(5.0);
        assertThat(steady.rate()).isCloseTo((3_000_000 - 500_000) / 25.0, within(1e-6));
    }

    /** A complete run of {@code jitPerSecond.length} seconds, one sample a second from t = 0 to its end. */
    private static JarRun run(double[] jitPerSecond, double joinSeconds) {
        int seconds = jitPerSecond.length;
        List<JarRun.Sample> samples = new ArrayList<>();
        long jit = 0;
        for (int t = 0; t <= seconds; t++) {
            samples.add(new JarRun.Sample(t, new JvmThreadCpu(jit, 0, t * SECOND), 0, t * 100_000.0, 0));
            if (t < seconds) {
                jit += Math.round(jitPerSecond[t] * SECOND);
            }
        }
        long events = seconds * 100_000L;
        return new JarRun(events, events, true, joinSeconds, seconds, new JvmThreadCpu(jit, 0, seconds * SECOND), 0,
                samples, 0);
    }
}
