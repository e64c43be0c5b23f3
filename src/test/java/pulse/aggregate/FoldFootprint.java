package pulse.aggregate;

import pulse.event.ConsumedEvent;
import pulse.event.EventJson;
import pulse.event.EventParser;
import pulse.event.InteractionEvent;
import pulse.event.InvalidEventException;
import pulse.event.ValidationOptions;
import pulse.generator.GeneratorOptions;
import pulse.generator.InteractionGenerator;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Not a test: measures the heap one event takes in a fold waiting to be written (what
 * {@code aggregation.write.max-events = auto} is sized by). Generates {@code events} events over {@code users} users
 * (Zipf {@code user-zipf}; 0 is uniform, the worst case), parses them as the route does and folds them into one
 * {@link BatchDelta}; prints the heap after a GC, before and after, per event.
 *
 * <pre>
 * mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -Xmx4g -cp target/classes:target/test-classes:$(cat /tmp/cp.txt) pulse.aggregate.FoldFootprint [events] [users] [user-zipf]
 * </pre>
 */
public final class FoldFootprint {

    private FoldFootprint() {
    }

    public static void main(String[] args) throws InvalidEventException {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        int users = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        double userZipf = args.length > 2 ? Double.parseDouble(args[2]) : 0.8;
        Clock clock = Clock.systemUTC();
        InteractionGenerator generator = new InteractionGenerator(new GeneratorOptions(100, 1_000, users, 1_000, 1.1,
                userZipf, new double[] {80, 17, 3}, OptionalLong.of(42)), clock);
        List<byte[]> records = new ArrayList<>(events);
        while (records.size() < events) {
            for (InteractionEvent event : generator.next(Math.min(1_000, events - records.size()))) {
                records.add(EventJson.toBytes(event));
            }
        }
        EventParser parser = new EventParser(new ValidationOptions(16_384, 128, Duration.ofMinutes(5),
                Duration.ofDays(30)), clock);

        long before = heapAfterGc();
        BatchDelta fold = new BatchDelta();
        for (int offset = 0; offset < events; offset++) {
            fold.add(new ConsumedEvent(parser.parse(records.get(offset)), offset % 6, offset));
        }
        long after = heapAfterGc();

        System.out.printf(Locale.ROOT, "%,d events, %,d distinct users of %,d (user Zipf %.1f): %.0f bytes per held"
                        + " event%n", fold.events().size(), fold.deltas(Rollup.USERS).size(), users, userZipf,
                (after - before) / (double) events);
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
