package pulse.fault;

import pulse.event.InteractionEvent;
import pulse.generator.GeneratorOptions;
import pulse.generator.InteractionGenerator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;

/** Shared bits of the fault tests: reproducible events, random fault moments, and a trace of what happened. */
final class Faults {

    /** Users and items of the generated events: the application's defaults. */
    static final int USERS = 10_000;
    static final int ITEMS = 1_000;

    private Faults() {
    }

    /**
     * The seed of a test's events and fault moments: {@code -Dfault.seed=N} to replay a failed run, else random.
     * Printed, so a failure can be reproduced.
     */
    static long seed(String test) {
        String fixed = System.getProperty("fault.seed");
        long seed = fixed == null || fixed.isBlank() ? new Random().nextLong() : Long.parseLong(fixed.trim());
        note("%s: seed %d (rerun with -Dfault.seed=%d)", test, seed, seed);
        return seed;
    }

    /**
     * {@code count} valid events from the application's own generator (Zipf users and items, view/click/purchase
     * funnel), reproducible from {@code seed}, with event times spread over the last 45 minutes so that they fall
     * into many 1-minute windows.
     */
    static List<InteractionEvent> events(long seed, int count) {
        int perTick = 500;
        SteppingClock clock = new SteppingClock(Instant.now().minus(Duration.ofMinutes(45)).truncatedTo(ChronoUnit.MILLIS));
        InteractionGenerator generator = new InteractionGenerator(new GeneratorOptions(100, perTick, USERS, ITEMS,
                1.1, 0.8, new double[] {80, 17, 3}, OptionalLong.of(seed)), clock);
        int ticks = (count + perTick - 1) / perTick;
        long stepMillis = Duration.ofMinutes(40).toMillis() / Math.max(1, ticks);
        List<InteractionEvent> events = new ArrayList<>(count);
        while (events.size() < count) {
            events.addAll(generator.next(Math.min(perTick, count - events.size())));
            clock.advance(stepMillis);
        }
        return events;
    }

    /** {@code n} distinct random fractions of {@code total} in [from, to], ascending. */
    static long[] moments(Random random, int n, long total, double from, double to) {
        return random.doubles(n, from, to).mapToLong(f -> (long) (f * total)).sorted().toArray();
    }

    /** A line on the test's output and in target/fault-logs/fault-tests.log, with the wall-clock time. */
    static synchronized void note(String format, Object... args) {
        String line = LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " [fault] " + String.format(format, args);
        System.out.println(line);
        try {
            Files.createDirectories(AppProcess.LOG_DIR);
            Files.writeString(AppProcess.LOG_DIR.resolve("fault-tests.log"), line + System.lineSeparator(),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the console line is enough
        }
    }

    static String seconds(long nanos) {
        return "%.1f s".formatted(nanos / 1e9);
    }

    /** A clock the generator reads and the test moves forward. */
    private static final class SteppingClock extends Clock {
        private Instant now;

        SteppingClock(Instant start) {
            this.now = start;
        }

        void advance(long millis) {
            now = now.plusMillis(millis);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
