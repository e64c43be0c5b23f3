package pulse.bench;

import pulse.event.EventJson;
import pulse.event.EventParser;
import pulse.event.InteractionEvent;
import pulse.event.InvalidEventException;
import pulse.event.ValidationOptions;
import pulse.kafka.KafkaRecord;
import pulse.pipeline.RecordValidator;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;

/**
 * What parsing and validating one record costs the app, isolated from Kafka and MongoDB: the benchmark's own events
 * (seed 42, 10k users, 1k items, Zipf 1.1, written by {@link EventJson} as the benchmark produces them) read by the
 * app's {@link RecordValidator} on one thread, in CPU time and bytes allocated by that thread per event (the events
 * made included). After every pass, outside its timing, each parsed event is checked against the event it was
 * written from, so a faster parser that reads wrongly fails here.
 *
 * <pre>MAVEN_OPTS=-Xmx2g flock /tmp/bench.lock mvn -q test-compile exec:java -Dexec.mainClass=pulse.bench.ParseHarness \
 *     -Dexec.classpathScope=test -Dexec.args="2000000 7"</pre>
 */
public final class ParseHarness {

    private ParseHarness() {
    }

    public static void main(String[] args) throws InvalidEventException {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();

        InteractionEvent[] expected = new InteractionEvent[count];
        KafkaRecord[] records = new KafkaRecord[count];
        int i = 0;
        for (InteractionEvent event : new BenchEvents(count, 10_000, 1_000, 1.1, 0.8, 42, Instant.now())) {
            expected[i] = event;
            records[i] = new KafkaRecord("interactions", 0, i, event.userId(), EventJson.toBytes(event),
                    event.timestamp().toEpochMilli(), null);
            i++;
        }
        RecordValidator validator = new RecordValidator(new EventParser(ValidationOptions.defaults(), Clock.systemUTC()));

        InteractionEvent[] parsed = new InteractionEvent[count];
        long[] nanos = new long[passes];
        long[] bytes = new long[passes];
        for (int pass = -2; pass < passes; pass++) { // two passes of warm-up
            long cpu = threads.getCurrentThreadCpuTime();
            long allocated = threads.getThreadAllocatedBytes(thread);
            for (int r = 0; r < count; r++) {
                parsed[r] = validator.validate(records[r]).event();
            }
            if (pass >= 0) {
                nanos[pass] = threads.getCurrentThreadCpuTime() - cpu;
                bytes[pass] = threads.getThreadAllocatedBytes(thread) - allocated;
            }
            for (int r = 0; r < count; r++) { // outside the timing
                if (!parsed[r].equals(expected[r])) {
                    throw new IllegalStateException("record " + r + " parsed as " + parsed[r] + ", written from " + expected[r]);
                }
            }
        }
        Arrays.sort(nanos);
        Arrays.sort(bytes);
        System.out.printf("%,d events x %d passes: CPU best %.0f ns/event, median %.0f ns/event; allocated median %.0f"
                        + " bytes/event%n", count, passes, (double) nanos[0] / count,
                (double) nanos[passes / 2] / count, (double) bytes[passes / 2] / count);
    }
}
