package pulse.bench;

import pulse.event.InteractionEvent;
import pulse.generator.GeneratorOptions;
import pulse.generator.InteractionGenerator;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.OptionalLong;

/**
 * The benchmark's data: a reproducible sequence of {@code count} events from the app's own
 * {@link InteractionGenerator} (seeded), with event times that advance at a simulated 10k events/s and end a
 * minute before the run started (so every event passes the app's time validation). The same sequence can be
 * iterated again at any time, so the ground truth of millions of events is checked without holding them.
 */
final class BenchEvents extends AbstractCollection<InteractionEvent> {

    static final double[] TYPE_MIX = {80, 17, 3};
    private static final int CHUNK = 1_000;
    private static final long SIMULATED_RATE = 10_000; // events per second of event time
    private static final long STEP_MILLIS = CHUNK * 1000 / SIMULATED_RATE;

    private final long count;
    private final GeneratorOptions options;
    private final Instant base;

    BenchEvents(long count, int users, int items, double itemZipf, double userZipf, long seed, Instant now) {
        this.count = count;
        this.options = new GeneratorOptions(100, CHUNK, users, items, itemZipf, userZipf, TYPE_MIX, OptionalLong.of(seed));
        long chunks = (count + CHUNK - 1) / CHUNK;
        this.base = now.truncatedTo(ChronoUnit.MILLIS).minusMillis(chunks * STEP_MILLIS).minusSeconds(60);
    }

    /** The first {@code prefix} events of the same sequence. */
    BenchEvents prefix(long prefix) {
        return new BenchEvents(Math.min(prefix, count), this);
    }

    private BenchEvents(long count, BenchEvents of) {
        this.count = count;
        this.options = of.options;
        this.base = of.base;
    }

    @Override
    public int size() {
        return (int) Math.min(Integer.MAX_VALUE, count);
    }

    long count() {
        return count;
    }

    @Override
    public Iterator<InteractionEvent> iterator() {
        InteractionGenerator generator = new InteractionGenerator(options, new SteppingClock(base, STEP_MILLIS));
        return new Iterator<>() {
            private long produced;
            private List<InteractionEvent> chunk = new ArrayList<>();
            private int next;

            @Override
            public boolean hasNext() {
                return produced < count;
            }

            @Override
            public InteractionEvent next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                if (next == chunk.size()) {
                    chunk = generator.next(CHUNK);
                    next = 0;
                }
                produced++;
                return chunk.get(next++);
            }
        };
    }

    /** A clock whose every reading is {@code step} later than the previous one: one reading per generated chunk. */
    private static final class SteppingClock extends Clock {
        private final Instant base;
        private final long stepMillis;
        private long readings;

        SteppingClock(Instant base, long stepMillis) {
            this.base = base;
            this.stepMillis = stepMillis;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return base.plusMillis(stepMillis * readings++);
        }
    }
}
