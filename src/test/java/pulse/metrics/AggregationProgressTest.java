package pulse.metrics;

import org.junit.jupiter.api.Test;
import pulse.store.WriteStats;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class AggregationProgressTest {

    private static final long MS = 1_000_000L;

    private final AtomicLong clock = new AtomicLong(123 * MS);
    private final AggregationProgress progress = new AggregationProgress(Duration.ofHours(1), clock::get);

    private void write(long events) {
        progress.record(new WriteStats(events, 0, 0, events, 0, MS, new long[0]));
    }

    /** An instance whose dashboard nobody opens never reads the rate: what it keeps for it must not grow with writes. */
    @Test
    void whatTheRateKeepsStaysBoundedWhenNobodyReadsIt() {
        for (int i = 0; i < 100_000; i++) {
            clock.addAndGet(MS);
            write(10);
        }
        assertThat(progress.retainedRateSamples()).isLessThanOrEqualTo(AggregationProgress.RATE_BUCKETS);
        assertThat(progress.events()).isEqualTo(1_000_000);
    }

    @Test
    void rateCountsTheWritesOfTheLastFiveSeconds() {
        long start = clock.get();
        long[] writeTimes = new long[100_000];
        for (int i = 0; i < writeTimes.length; i++) {
            clock.addAndGet(MS);
            writeTimes[i] = clock.get();
            write(10);
        }
        long now = clock.addAndGet(37 * MS);
        // the rate is kept in 100 ms slices: the window is the last 4.9 to 5.0 s, whatever the current slice holds
        long lastFiveSeconds = eventsSince(writeTimes, now - 5_000 * MS);
        long lastFourPointNine = eventsSince(writeTimes, now - 4_900 * MS);
        assertThat(progress.eventsPerSecond()).isBetween(lastFourPointNine / 5.0, lastFiveSeconds / 5.0);
        assertThat(now - start).isGreaterThan(60_000 * MS); // the ring wrapped many times
    }

    @Test
    void rateFallsToZeroFiveSecondsAfterTheLastWrite() {
        write(1_000);
        clock.addAndGet(4_800 * MS);
        assertThat(progress.eventsPerSecond()).isEqualTo(200.0);
        clock.addAndGet(300 * MS);
        assertThat(progress.eventsPerSecond()).isZero();
        // 8 rounds of the ring after the first write, in the slot that counted it: the slot starts from zero again
        clock.set(123 * MS + 8 * 5_000 * MS);
        write(5);
        assertThat(progress.eventsPerSecond()).isEqualTo(1.0);
    }

    private static long eventsSince(long[] writeTimes, long from) {
        long events = 0;
        for (long time : writeTimes) {
            if (time > from) {
                events += 10;
            }
        }
        return events;
    }
}
