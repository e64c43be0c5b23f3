package pulse.bench;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.Document;
import pulse.event.EventJson;
import pulse.event.InteractionEvent;
import pulse.generator.GeneratorOptions;
import pulse.generator.InteractionGenerator;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Freshness from outside the product. A writer thread sends {@code perTick} events every 10 ms, stamped with the
 * current time (the app's own generator makes them, with a seed); every {@code markerMillis} one of them is a marker:
 * the event of a user of its own, {@code probe-<n>}. A reader thread polls MongoDB every {@code pollMillis} for the
 * user documents of the markers not seen yet; a marker's delay is the wall-clock time it was first seen minus its
 * timestamp (both milliseconds of this machine's clock), so the reader's polling adds about half its period.
 */
final class FreshnessProbe {

    /**
     * @param samples      delays of the markers sent after the warm-up, sorted, ms
     * @param warmup       delays of the markers sent during the warm-up, sorted, ms
     * @param missing      markers never seen
     * @param rate         events/s the writer achieved after the warm-up
     * @param measuredEvents events the writer sent after the warm-up, until stopped
     */
    record Result(long[] samples, long[] warmup, long missing, double rate, long measuredEvents) {
    }

    private record Marker(long sentNanos, long timestampMillis) {
    }

    private static final long TICK_NANOS = 10_000_000L;

    private final String topic;
    private final int perTick;
    private final int markerEveryTicks;
    private final long pollMillis;
    private final MongoCollection<Document> users;
    private final InteractionGenerator generator;
    private final KafkaProducer<String, byte[]> producer;
    /** Markers sent and not seen yet, by id. */
    private final ConcurrentSkipListMap<String, Marker> pending = new ConcurrentSkipListMap<>();
    private final List<long[]> seen = new ArrayList<>(); // {sentNanos, delayMillis}
    private final AtomicLong sent = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean writing = true;
    private volatile boolean reading = true;
    private Thread writer;
    private Thread reader;
    private long writerStopped;

    FreshnessProbe(String brokers, String topic, int perTick, int markerMillis, int pollMillis, MongoDatabase database,
                   GeneratorOptions options) {
        this.topic = topic;
        this.perTick = perTick;
        this.markerEveryTicks = Math.max(1, markerMillis / 10);
        this.pollMillis = pollMillis;
        this.users = database.getCollection("users");
        this.generator = new InteractionGenerator(options, Clock.systemUTC());
        Properties p = new Properties();
        p.put("bootstrap.servers", brokers);
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        // the app's producer settings (application.properties)
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        p.put("compression.type", "lz4");
        p.put("linger.ms", "5");
        p.put("batch.size", "262144");
        this.producer = new KafkaProducer<>(p);
    }

    /** Starts writing and reading; System.nanoTime() of the first tick. */
    long start() {
        producer.partitionsFor(topic);
        long first = System.nanoTime();
        writer = new Thread(() -> write(first), "freshness-probe-writer");
        reader = new Thread(this::read, "freshness-probe-reader");
        writer.setDaemon(true);
        reader.setDaemon(true);
        writer.start();
        reader.start();
        return first;
    }

    private void write(long first) {
        long tick = 0;
        try {
            while (writing) {
                long due = first + tick * TICK_NANOS;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // the tick's schedule, as the app's generator keeps it
                }
                List<InteractionEvent> events = generator.next(perTick);
                for (int i = 0; i < events.size(); i++) {
                    InteractionEvent event = events.get(i);
                    if (i == 0 && tick % markerEveryTicks == 0) {
                        String id = "probe-" + tick / markerEveryTicks;
                        event = new InteractionEvent(event.eventId(), event.schemaVersion(), id, event.itemId(),
                                event.type(), event.timestamp());
                        pending.put(id, new Marker(System.nanoTime(), event.timestamp().toEpochMilli()));
                    }
                    producer.send(new ProducerRecord<>(topic, event.userId(), EventJson.toBytes(event)), (m, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                    });
                }
                sent.addAndGet(events.size());
                tick++;
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    private void read() {
        try {
            while (reading) {
                long started = System.nanoTime();
                List<String> ids = new ArrayList<>(1000);
                for (String id : pending.keySet()) {
                    ids.add(id);
                    if (ids.size() == 1000) {
                        break;
                    }
                }
                if (!ids.isEmpty()) {
                    try {
                        for (Document d : users.find(Filters.in("_id", ids)).projection(Projections.include("_id"))) {
                            long now = Instant.now().toEpochMilli();
                            Marker marker = pending.remove(d.getString("_id"));
                            if (marker != null) {
                                synchronized (seen) {
                                    seen.add(new long[] {marker.sentNanos(), now - marker.timestampMillis()});
                                }
                            }
                        }
                    } catch (RuntimeException e) {
                        // the server is busy or restarting: the next poll tries again
                    }
                }
                long wait = pollMillis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                if (wait > 0) {
                    Thread.sleep(wait); // the reader's polling period
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    long sent() {
        return sent.get();
    }

    long pending() {
        return pending.size();
    }

    long seen() {
        synchronized (seen) {
            return seen.size();
        }
    }

    /**
     * Stops writing, waits up to {@code drainSeconds} for the markers still pending, stops reading.
     *
     * @param warm       System.nanoTime() of the end of the warm-up
     * @param sentAtWarm events sent by then
     */
    Result stop(long warm, long sentAtWarm, int drainSeconds) throws InterruptedException {
        writing = false;
        writer.join(TimeUnit.SECONDS.toMillis(30));
        writerStopped = System.nanoTime();
        long sentTotal = sent.get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(pollMillis); // the reader is finding them
        }
        reading = false;
        reader.join(TimeUnit.SECONDS.toMillis(30));
        producer.close();
        if (failure.get() != null) {
            throw new IllegalStateException("the freshness probe could not send", failure.get());
        }
        List<Long> measured = new ArrayList<>();
        List<Long> early = new ArrayList<>();
        synchronized (seen) {
            for (long[] s : seen) {
                (s[0] >= warm ? measured : early).add(s[1]);
            }
        }
        long[] samples = measured.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] warmup = early.stream().mapToLong(Long::longValue).sorted().toArray();
        long events = sentTotal - sentAtWarm;
        return new Result(samples, warmup, pending.size(), events * 1e9 / (writerStopped - warm), events);
    }
}
