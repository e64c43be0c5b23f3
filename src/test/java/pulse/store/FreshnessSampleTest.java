package pulse.store;

import org.junit.jupiter.api.Test;
import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class FreshnessSampleTest {

    private static final long WRITTEN_AT = Instant.parse("2026-12-02T12:00:00Z").toEpochMilli();

    /** Events whose ages at the write are the given milliseconds, in this order. */
    private static List<ConsumedEvent> eventsAged(long[] ages) {
        List<ConsumedEvent> events = new ArrayList<>();
        for (int i = 0; i < ages.length; i++) {
            events.add(new ConsumedEvent(new InteractionEvent("e" + i, 1, "user-" + i, "item-1", InteractionType.VIEW,
                    Instant.ofEpochMilli(WRITTEN_AT - ages[i])), 0, i));
        }
        return events;
    }

    private static long[] randomAges(int count, long seed) {
        Random random = new Random(seed);
        long[] ages = new long[count];
        for (int i = 0; i < count; i++) {
            ages[i] = random.nextInt(60_000) - 50; // a few events stamped slightly ahead of the writer's clock
        }
        return ages;
    }

    @Test
    void aLiveWriteRecordsEveryEventsAge() {
        long[] ages = randomAges(FreshnessSample.MAX_PER_WRITE, 1);
        assertThat(FreshnessSample.of(eventsAged(ages), WRITTEN_AT)).containsExactly(ages);
    }

    @Test
    void aLargeFoldRecordsAnEvenlySpacedSampleWithinTheBound() {
        long[] ages = randomAges(10 * FreshnessSample.MAX_PER_WRITE + 3, 2); // stride 11
        long[] sample = FreshnessSample.of(eventsAged(ages), WRITTEN_AT);
        assertThat(sample.length).isLessThanOrEqualTo(FreshnessSample.MAX_PER_WRITE);
        long[] expected = new long[(ages.length + 10) / 11];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = ages[i * 11];
        }
        assertThat(sample).containsExactly(expected);
    }

    /**
     * What the timer's p50/p95/p99 are for: the sample's quantiles stay those of all the fold's events. Events in
     * random order are the worst case for a stride (in offset order, the ages of a partition's events fall steadily
     * and a stride sample is within one stride of exact): each sampled quantile must lie within a few standard
     * errors of its rank, sqrt(q(1-q)/n), below a percentile at the sample's size.
     */
    @Test
    void theSamplesQuantilesMatchTheWholeFolds() {
        long[] ages = randomAges(300_000, 3);
        long[] sample = FreshnessSample.of(eventsAged(ages), WRITTEN_AT);
        long[] all = ages.clone();
        Arrays.sort(all);
        Arrays.sort(sample);
        for (double[] quantile : new double[][] {{0.5, 0.02}, {0.95, 0.01}, {0.99, 0.005}}) {
            double q = quantile[0];
            long sampled = sample[(int) (q * (sample.length - 1))];
            int rank = Arrays.binarySearch(all, sampled);
            assertThat(Math.abs(rank / (double) all.length - q)).as("rank of the sampled q%.2f", q)
                    .isLessThan(quantile[1]);
        }
    }
}
