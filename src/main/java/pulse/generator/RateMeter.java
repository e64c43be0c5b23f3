package pulse.generator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Counts what the generator produced and, every interval, logs the rate achieved against the rate configured.
 */
public class RateMeter {

    private static final Logger LOG = LoggerFactory.getLogger(RateMeter.class);

    private final double configuredRate;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong total = new AtomicLong();
    private long windowStart;
    private long windowCount;
    private volatile double lastRate;

    public RateMeter(double configuredRate, Duration interval, LongSupplier nanoClock) {
        this.configuredRate = configuredRate;
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
        this.windowStart = nanoClock.getAsLong();
    }

    public synchronized void record(int events) {
        total.addAndGet(events);
        windowCount += events;
        long now = nanoClock.getAsLong();
        long elapsed = now - windowStart;
        if (elapsed >= intervalNanos) {
            lastRate = windowCount * 1e9 / elapsed;
            LOG.info("Generated {} events in {} s: {} events/s (configured {} events/s, {}%), {} in total",
                    windowCount, "%.1f".formatted(elapsed / 1e9), "%.0f".formatted(lastRate),
                    "%.0f".formatted(configuredRate), "%.1f".formatted(100 * lastRate / configuredRate), total.get());
            windowStart = now;
            windowCount = 0;
        }
    }

    public long total() {
        return total.get();
    }

    /** The rate measured over the last complete interval, in events per second. */
    public double lastRate() {
        return lastRate;
    }
}
