package pulse.store;

import pulse.event.ConsumedEvent;

import java.util.List;

/**
 * Which events of a write {@code pulse_freshness_seconds} records: every one while a write holds at most
 * {@link #MAX_PER_WRITE} events (live traffic), else every k-th in the fold's order, k the smallest stride that keeps
 * the sample within that bound. A fold written while a backlog drains holds up to hundreds of thousands of events,
 * and recording each into the timer's percentile histograms took ~120 ns per event (2.3 % of the Java threads' CPU
 * samples in a 6M-event drain, docs/benchmark.md). An evenly spaced sample of
 * 8,192 puts each quantile within a fraction of a percentile of its rank (standard error {@code sqrt(q(1-q)/n)}: 0.55
 * percentiles at p50, 0.11 at p99, for events in random order; a partition's events in offset order do better), finer
 * than the timer's own histogram, which keeps values to ~1 significant digit. The timer's count is then the events
 * recorded, not all events: {@code pulse_events_aggregated_total} counts those.
 */
public final class FreshnessSample {

    /** At 10,000 events/s and 250 ms batches a live write holds ~2,500 events: all of them are recorded. */
    public static final int MAX_PER_WRITE = 8_192;

    private FreshnessSample() {
    }

    /** @return per sampled event, in the fold's order, milliseconds from its timestamp to {@code writtenAtMillis} */
    public static long[] of(List<ConsumedEvent> events, long writtenAtMillis) {
        return of(events, writtenAtMillis, MAX_PER_WRITE);
    }

    static long[] of(List<ConsumedEvent> events, long writtenAtMillis, int maxSamples) {
        int size = events.size();
        int stride = Math.max(1, (size + maxSamples - 1) / maxSamples);
        long[] millis = new long[(size + stride - 1) / stride];
        for (int i = 0; i < millis.length; i++) {
            millis[i] = writtenAtMillis - events.get(i * stride).event().timestamp().toEpochMilli();
        }
        return millis;
    }
}
