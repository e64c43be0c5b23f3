package pulse.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Counts the records sent to the dead-letter topic per reason, and logs them without flooding the log: per reason,
 * the first few of each interval one line each, then, once the interval is over, one line with how many more there
 * were. A producer that changes its schema costs a few lines per interval, not one per record.
 */
public class RejectLog {

    private final long intervalNanos;
    private final int linesPerReason;
    private final LongSupplier nanoClock;
    private final Consumer<String> log;
    private final Map<String, AtomicLong> totals = new LinkedHashMap<>();
    private final List<Consumer<String>> newReasonListeners = new CopyOnWriteArrayList<>();
    /** Per reason, the records rejected in the current interval (logged or not). */
    private final Map<String, Long> inInterval = new LinkedHashMap<>();
    private long intervalStart;

    /**
     * @param knownReasons counted (as 0) before any record is rejected for them
     * @param log          where the lines go (a WARN logger)
     */
    public RejectLog(Duration interval, int linesPerReason, Collection<String> knownReasons, LongSupplier nanoClock,
                     Consumer<String> log) {
        this.intervalNanos = interval.toNanos();
        this.linesPerReason = linesPerReason;
        this.nanoClock = nanoClock;
        this.log = log;
        knownReasons.forEach(reason -> totals.put(reason, new AtomicLong()));
        this.intervalStart = nanoClock.getAsLong();
    }

    /** Records acknowledged by the dead-letter topic. */
    public void sent(List<RejectedRecord> rejected) {
        List<String> newReasons = new ArrayList<>(0);
        synchronized (this) {
            flushIfDue();
            for (RejectedRecord record : rejected) {
                AtomicLong total = totals.get(record.reason());
                if (total == null) {
                    total = new AtomicLong();
                    totals.put(record.reason(), total);
                    newReasons.add(record.reason());
                }
                total.incrementAndGet();
                long count = inInterval.merge(record.reason(), 1L, Long::sum);
                if (count <= linesPerReason) {
                    KafkaRecord source = record.record();
                    log.accept("Rejected record %s-%d@%d to the dead-letter topic: %s (%s)".formatted(source.topic(),
                            source.partition(), source.offset(), record.reason(), record.detail()));
                }
            }
        }
        newReasons.forEach(reason -> newReasonListeners.forEach(listener -> listener.accept(reason)));
    }

    /** Once the interval is over: one line per reason with how many were not logged, and a new interval. */
    public synchronized void flushIfDue() {
        long now = nanoClock.getAsLong();
        long elapsed = now - intervalStart;
        if (elapsed < intervalNanos) {
            return;
        }
        inInterval.forEach((reason, count) -> {
            if (count > linesPerReason) {
                log.accept(("%d more records rejected as %s in the last %.1f s were not logged one by one (the first %d"
                        + " were); they are on the dead-letter topic").formatted(count - linesPerReason, reason,
                        elapsed / 1e9, linesPerReason));
            }
        });
        inInterval.clear();
        intervalStart = now;
    }

    /** Records sent to the dead-letter topic for this reason since the start. */
    public synchronized long total(String reason) {
        AtomicLong total = totals.get(reason);
        return total == null ? 0 : total.get();
    }

    /** The reasons counted so far (the known ones among them), and {@code listener} for each new one. */
    public synchronized List<String> reasons(Consumer<String> listener) {
        newReasonListeners.add(listener);
        return new ArrayList<>(totals.keySet());
    }
}
