package pulse.bench;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import pulse.event.EventParser;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;
import pulse.event.InvalidEventException;
import pulse.event.ValidationOptions;
import pulse.generator.EventShape;
import pulse.generator.GeneratedRecord;
import pulse.generator.ShapeProperties;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What parsing costs per event in each shape the generator writes, read with the properties README gives for it:
 * the same events, written in each shape, parsed by the app's {@link EventParser} on one thread, the best of a few
 * passes after a warm-up, in CPU time of that thread.
 *
 * <pre>mvn -q test-compile exec:java -Dexec.mainClass=pulse.bench.ShapeCosts -Dexec.classpathScope=test</pre>
 */
public final class ShapeCosts {

    /** @param nanosPerEvent the parser's CPU time per event; {@code ratio} to the product's own shape */
    record Cost(EventShape shape, double nanosPerEvent, double ratio) {
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ShapeCosts() {
    }

    /**
     * Every shape is parsed once to warm up, then the shapes take turns for {@code passes} rounds (so that the
     * machine's drift spreads over all of them); each keeps its best pass.
     */
    static List<Cost> measure(BenchEvents events, int passes) {
        List<Shape> shapes = new ArrayList<>();
        for (EventShape shape : EventShape.values()) {
            shapes.add(new Shape(shape, events));
        }
        shapes.forEach(Shape::parseAll);
        long[] best = new long[shapes.size()];
        Arrays.fill(best, Long.MAX_VALUE);
        for (int pass = 0; pass < passes; pass++) {
            for (int s = 0; s < shapes.size(); s++) {
                best[s] = Math.min(best[s], shapes.get(s).parseAll());
            }
        }
        double baseline = (double) best[0] / events.size();
        List<Cost> costs = new ArrayList<>();
        for (int s = 0; s < shapes.size(); s++) {
            double nanos = (double) best[s] / events.size();
            costs.add(new Cost(shapes.get(s).shape, nanos, nanos / baseline));
        }
        return costs;
    }

    /** One shape's records, and the parser that reads them. */
    private static final class Shape {
        final EventShape shape;
        final EventParser parser;
        final List<byte[]> values = new ArrayList<>();
        final List<RecordHeaders> headers = new ArrayList<>();

        Shape(EventShape shape, BenchEvents events) {
            this.shape = shape;
            this.parser = new EventParser(ValidationOptions.defaults(), ShapeProperties.mapping(shape), Clock.systemUTC());
            Map<InteractionType, String> spellings = parser.mapping().types().spellings();
            for (InteractionEvent event : events) {
                GeneratedRecord record = shape.write(event, spellings, EventShape.Fault.NONE);
                values.add(record.value());
                RecordHeaders recordHeaders = new RecordHeaders();
                record.headers().forEach((name, value) -> recordHeaders.add(name, value.getBytes(StandardCharsets.UTF_8)));
                headers.add(recordHeaders);
            }
        }

        /** @return the CPU time this thread took to parse every record once */
        long parseAll() {
            long recordTimestamp = Instant.now().toEpochMilli();
            long start = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < values.size(); i++) {
                RecordHeaders recordHeaders = headers.get(i);
                try {
                    parser.parse(values.get(i), recordTimestamp, name -> {
                        Header header = recordHeaders.lastHeader(name);
                        return header == null ? null : header.value();
                    });
                } catch (InvalidEventException e) {
                    throw new IllegalStateException(shape + " record " + i + " does not parse: " + e.getMessage(), e);
                }
            }
            return THREADS.getCurrentThreadCpuTime() - start;
        }
    }

    public static void main(String[] args) {
        BenchEvents events = new BenchEvents(200_000, 10_000, 1_000, 1.1, 0.8, 42, Instant.now());
        for (Cost cost : measure(events, 5)) {
            System.out.printf("%-20s %8.0f ns/event  %.2fx%n", cost.shape().property(), cost.nanosPerEvent(), cost.ratio());
        }
    }
}
