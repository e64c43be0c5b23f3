package pulse.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import pulse.event.EventJson;
import pulse.event.InteractionEvent;

import java.nio.file.Files;
import java.util.Iterator;
import java.util.Locale;

import static pulse.bench.Benchmark.say;

/**
 * {@code --jar-events}: the main topic made longer than the ceilings' pre-serialized events, so that the jar's runs
 * last long enough for the JIT to settle. The events after the first {@code from} of the same seeded sequence are
 * generated, serialized and sent one by one with the app's producer settings (the producer's bounded buffer holds what
 * is in flight; nothing else is kept), keyed by user as the ceilings' events are.
 */
final class TopicExtension {

    /**
     * Room asked for per appended event before it starts: its JSON (~150 B) and key, as if lz4 on the broker saved
     * nothing.
     */
    static final long BYTES_PER_EVENT = 200;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final Benchmark b;

    TopicExtension(Benchmark benchmark) {
        this.b = benchmark;
    }

    /** Appends events {@code from} to {@code all.count()} of {@code all} to {@code topic}, which holds {@code from}. */
    void append(String topic, BenchEvents all, long from) throws Exception {
        long appended = all.count() - from;
        try (Admin admin = b.admin()) {
            long held = JarPhases.endOffsets(admin, topic);
            if (held != from) {
                throw new IllegalStateException(topic + " holds " + held + " records, expected the " + from
                        + " of the ceilings");
            }
        }
        long usable = Files.getFileStore(b.tmp()).getUsableSpace();
        if (usable < appended * BYTES_PER_EVENT) {
            throw new IllegalStateException(String.format(Locale.ROOT, "%,d more events need up to %,d MiB"
                    + " on the broker's disk (%s), %,d MiB are free", appended, appended * BYTES_PER_EVENT >> 20,
                    b.tmp(), usable >> 20));
        }
        say("[append] the events %,d to %,d of the same sequence onto %s, generated and sent one by one (app producer"
                + " settings); %,d MiB free on the broker's disk", from, all.count(), topic, usable >> 20);
        long start = System.nanoTime();
        Iterator<InteractionEvent> events = all.iterator();
        long nextSkipReport = start + 5 * NANOS_PER_SECOND;
        for (long i = 1; i <= from; i++) {
            events.next(); // the generator draws in sequence: the first ones are generated again and dropped
            if ((i & 0xFFFF) == 0 && System.nanoTime() > nextSkipReport) {
                say("[append] %,d / %,d of the first events generated again (dropped), %,.0f events/s", i, from,
                        i * 1e9 / (System.nanoTime() - start));
                nextSkipReport += 5 * NANOS_PER_SECOND;
            }
        }
        say("[append] the first %,d events generated again (dropped) in %.1f s", from, (System.nanoTime() - start) / 1e9);
        SendTally callback = new SendTally();
        long sendStart = System.nanoTime();
        long nextReport = sendStart + 5 * NANOS_PER_SECOND;
        long sent = 0;
        long bytes = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(b.producerProperties())) {
            while (events.hasNext()) {
                InteractionEvent event = events.next();
                byte[] value = EventJson.toBytes(event);
                bytes += value.length;
                producer.send(new ProducerRecord<>(topic, event.userId(), value), callback);
                sent++;
                if ((sent & 0x3FFF) == 0) {
                    callback.throwIfFailed();
                    long now = System.nanoTime();
                    if (now > nextReport) {
                        say("[append] %,d / %,d sent, %,d acknowledged, %,.0f events/s", sent, appended, callback.acked(),
                                callback.acked() * 1e9 / (now - sendStart));
                        nextReport += 5 * NANOS_PER_SECOND;
                    }
                }
            }
            producer.flush();
        }
        callback.throwIfFailed();
        double seconds = (System.nanoTime() - sendStart) / 1e9;
        try (Admin admin = b.admin()) {
            long held = JarPhases.endOffsets(admin, topic);
            if (held != all.count()) {
                throw new IllegalStateException(topic + " holds " + held + " records after the append, expected "
                        + all.count());
            }
        }
        say("[append] %,d events (%.1f MiB of JSON) appended in %.1f s (%,.0f events/s; not measured); %s holds %,d",
                appended, bytes / 1048576.0, seconds, appended / seconds, topic, all.count());
        b.report().value("append.events", appended);
        b.report().value("append.seconds", Report.round(seconds, 1));
        b.report().value("append.regenerateSeconds", Report.round((sendStart - start) / 1e9, 1));
    }
}
