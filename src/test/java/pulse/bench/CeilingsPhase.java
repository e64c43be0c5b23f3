package pulse.bench;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import pulse.aggregate.Rollups;
import pulse.event.EventJson;
import pulse.event.EventParser;
import pulse.event.InteractionEvent;
import pulse.event.InvalidEventException;
import pulse.event.ValidationOptions;
import pulse.kafka.KafkaRecord;
import pulse.pipeline.FoldedRecords;
import pulse.pipeline.RecordFolder;
import pulse.pipeline.RecordValidator;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static pulse.bench.Benchmark.say;

/**
 * The benchmark's first phase: Kafka's own ceilings on the seeded events, measured as the app's clients would meet
 * them. A plain KafkaProducer with the app's producer settings fills the topic and a plain KafkaConsumer drains it,
 * each the best of {@value #ROUNDS}; then the cost ladder: the same drain parsing each event, then folding each poll
 * (the app's own classes), and a camel-kafka route like the app's doing nothing. Every later ratio is against these.
 */
final class CeilingsPhase {

    static final int ROUNDS = 3;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final Benchmark b;
    private final BenchmarkOptions o;
    private final Report report;
    private final String brokers;

    CeilingsPhase(Benchmark b) {
        this.b = b;
        this.o = b.options();
        this.report = b.report();
        this.brokers = b.brokers();
    }

    /** The producer's and the consumer's ceilings, in records per second. */
    record Rates(double producer, double consumer) {
    }

    /** Produces the first {@code count} pre-serialized events to {@code topic}, before anything is timed. */
    private void fillWithPrefix(String topic, String[] keys, byte[][] values, int count, String purpose) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(b.producerProperties())) {
            for (int k = 0; k < count; k++) {
                producer.send(new ProducerRecord<>(topic, keys[k], values[k]));
            }
            producer.flush();
        }
        say("[prepare] %,d events on %s for %s", count, topic, purpose);
    }

    /**
     * Creates the phases' topics and fills them (the naive baseline's prefix, the invalid records, the AppCDS
     * training run's events, the cold-start runs' prefix), then measures the producer ceiling (filling {@link Benchmark#Benchmark.E2E_TOPIC}, which every
     * later phase reads) and the consumer ceiling, each the best of {@value #ROUNDS}, and the cost ladder.
     */
    Rates run(BenchEvents events) throws Exception {
        if (events.count() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("--events must be below 2^31 (the events are pre-serialized in memory)");
        }
        int n = (int) events.count();
        List<String> producerRounds = new ArrayList<>();
        for (int round = 2; round <= ROUNDS; round++) {
            producerRounds.add(Benchmark.E2E_TOPIC + "-produce-" + round);
        }
        List<String> topics = new ArrayList<>(List.of(Benchmark.E2E_TOPIC, Benchmark.NAIVE_TOPIC, Benchmark.WARMUP_TOPIC));
        topics.addAll(producerRounds);
        b.createTopics(topics);

        say("pre-serializing %,d events with EventJson.toBytes (seed %d, %,d users, %,d items, item Zipf %.2f)",
                n, o.seed, o.users, o.items, o.zipf);
        String[] keys = new String[n];
        byte[][] values = new byte[n][];
        Map<String, String> interned = new HashMap<>();
        long bytes = 0;
        long start = System.nanoTime();
        long nextReport = start + 5 * NANOS_PER_SECOND;
        int i = 0;
        for (InteractionEvent event : events) {
            keys[i] = interned.computeIfAbsent(event.userId(), k -> k);
            values[i] = EventJson.toBytes(event);
            bytes += values[i].length;
            i++;
            if ((i & 0xFFFF) == 0 && System.nanoTime() > nextReport) {
                say("[prepare] %,d / %,d events serialized", i, n);
                nextReport += 5 * NANOS_PER_SECOND;
            }
        }
        say("[prepare] %,d events (%.1f MiB of JSON, %.0f bytes each) in %.1f s", n, bytes / 1048576.0,
                (double) bytes / n, (System.nanoTime() - start) / 1e9);
        report.value("eventBytesMean", Report.round((double) bytes / n, 1));

        if (!o.skipNaive) {
            // the naive baseline's topic: a prefix of the same data, produced before anything is timed
            fillWithPrefix(Benchmark.NAIVE_TOPIC, keys, values, o.naiveEvents, "the naive baseline");
        }
        if (!o.skipInvalid && !o.skipJar) {
            byte[][] invalid = JarPhases.invalidRecords(values, o.invalidEvents);
            b.createTopics(List.of(JarPhases.INVALID_TOPIC, JarPhases.INVALID_TOPIC + ".dlq"));
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(b.producerProperties())) {
                for (int k = 0; k < invalid.length; k++) {
                    producer.send(new ProducerRecord<>(JarPhases.INVALID_TOPIC, keys[k % n], invalid[k]));
                }
                producer.flush();
            }
            say("[prepare] %,d invalid records on %s", invalid.length, JarPhases.INVALID_TOPIC);
        }

        if (!o.skipCds && !o.skipJar) {
            b.createTopics(List.of(Benchmark.CDS_TOPIC));
            fillWithPrefix(Benchmark.CDS_TOPIC, keys, values, (int) Math.min(n, o.cdsEvents), "the AppCDS training run");
        }
        if (o.coldEvents > 0) {
            b.createTopics(List.of(Benchmark.COLD_TOPIC));
            fillWithPrefix(Benchmark.COLD_TOPIC, keys, values, (int) o.coldEvents, "the jar's cold-start runs");
        }

        // a fresh JVM's first sends run interpreted: warm the client and the broker up on a throw-away topic first
        int warmup = Math.min(n, 200_000);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(b.producerProperties())) {
            long warmStart = System.nanoTime();
            for (int k = 0; k < warmup; k++) {
                producer.send(new ProducerRecord<>(Benchmark.WARMUP_TOPIC, keys[k], values[k]));
            }
            producer.flush();
            say("[prepare] producer warm-up: %,d events to %s in %.1f s (not measured)", warmup, Benchmark.WARMUP_TOPIC,
                    (System.nanoTime() - warmStart) / 1e9);
        }
        // the best of three, like the consumer's: each round fills an empty topic, the first the one every later
        // phase reads; the other two are deleted again
        Drain producerCeiling = null;
        for (int round = 1; round <= ROUNDS; round++) {
            String topic = round == 1 ? Benchmark.E2E_TOPIC : producerRounds.get(round - 2);
            Drain produced = produce(topic, keys, values, String.format(Locale.ROOT, " (round %d of %d)", round,
                    ROUNDS));
            if (producerCeiling == null || produced.rate() > producerCeiling.rate()) {
                producerCeiling = produced;
            }
        }
        b.deleteTopics(producerRounds);
        ceilingRow("plain KafkaProducer, app settings, best of " + ROUNDS + " (producer ceiling)", "events/s",
                "producer.eventsPerSecond", producerCeiling);

        // the best of three: the first drain after producing can be slowed by the broker's and the JIT's catching
        // up (once 0.42M against 0.98M records/s), and a ceiling measured low would flatter every ratio below
        Drain ceiling = null;
        for (int round = 1; round <= ROUNDS; round++) {
            Drain drain = drain(Benchmark.E2E_TOPIC, n, String.format(Locale.ROOT, " (round %d of %d)", round, ROUNDS),
                    records -> { });
            if (ceiling == null || drain.rate() > ceiling.rate()) {
                ceiling = drain;
            }
        }
        ceilingRow("plain KafkaConsumer drain, best of " + ROUNDS + " (consumer ceiling)", "records/s",
                "consumer.recordsPerSecond", ceiling);
        if (o.skipLadder) {
            report.note("cost ladder skipped (--skip-ladder)");
        } else {
            costLadder(n, ceiling.rate());
        }
        return new Rates(producerCeiling.rate(), ceiling.rate());
    }

    /** A ceiling's row, and its rate and CPU in the JSON under {@code rateKey}'s prefix. */
    private void ceilingRow(String label, String unit, String rateKey, Drain ceiling) {
        String prefix = rateKey.substring(0, rateKey.indexOf('.') + 1);
        report.row(label, ceiling.rate(), unit, "ceiling; " + ceiling.cpu(), "", null);
        report.value(rateKey, Report.round(ceiling.rate(), 0));
        report.value(prefix + "cpuMicrosPerRecord", Report.round(ceiling.cpuMicrosPerRecord(), 2));
        report.value(prefix + "brokerCpuMicrosPerRecord", Report.round(ceiling.brokerCpuMicrosPerRecord(), 2));
    }

    /** A drain's (or a fill's) rate, and the CPU time of this JVM and of the broker's per record. */
    record Drain(double rate, double cpuMicrosPerRecord, double brokerCpuMicrosPerRecord) {
        String cpu() {
            return String.format(Locale.ROOT, "%.2f + %.2f us CPU/record (client + broker)", cpuMicrosPerRecord,
                    brokerCpuMicrosPerRecord);
        }
    }

    /**
     * Where the consumer ceiling goes before any MongoDB write: the same drain parsing each event (the app's
     * parser), then also folding each poll into one delta (the app's folder), then a camel-kafka route like the
     * app's doing nothing with its records. Tells how much of the ceiling the event format and Camel's consumer
     * leave to the rest of the pipeline (the end-to-end target is half the ceiling).
     */
    private void costLadder(long n, double consumerRate) throws Exception {
        RecordValidator validator = new RecordValidator(new EventParser(ValidationOptions.defaults(), Clock.systemUTC()));
        RecordFolder folder = new RecordFolder(validator, Rollups.DEFAULT);
        AtomicLong invalid = new AtomicLong();
        Drain parse = drain(Benchmark.E2E_TOPIC, n, " + parsing each event (the app's RecordValidator)", records -> {
            for (ConsumerRecord<String, byte[]> record : records) {
                try {
                    validator.validate(kafkaRecord(record));
                } catch (InvalidEventException e) {
                    invalid.incrementAndGet();
                }
            }
        });
        Drain fold = drain(Benchmark.E2E_TOPIC, n, " + parsing and folding each poll (the app's RecordFolder)", records -> {
            FoldedRecords folded = null;
            for (TopicPartition partition : records.partitions()) {
                List<KafkaRecord> partitionRecords = new ArrayList<>();
                records.records(partition).forEach(record -> partitionRecords.add(kafkaRecord(record)));
                FoldedRecords partitionFold = folder.fold(partitionRecords);
                folded = folded == null ? partitionFold : folded.merge(partitionFold);
                invalid.addAndGet(partitionFold.getRejected().size());
            }
        });
        if (invalid.get() > 0) {
            throw new IllegalStateException(invalid.get() + " generated events were rejected by the parser");
        }
        Drain camel = camelKafkaDrain(n);
        ladderRow("  + parse and validate each event", parse, "parse", consumerRate);
        ladderRow("  + fold each poll into one delta", fold, "fold", consumerRate);
        ladderRow("camel-kafka route like the app's, doing nothing", camel, "camelKafka", consumerRate);
    }

    private void ladderRow(String label, Drain drain, String key, double consumerRate) {
        report.row(label, drain.rate(), "records/s", "(info) " + drain.cpu(), Report.ratio(drain.rate() / consumerRate),
                null);
        report.value("consumer." + key + ".recordsPerSecond", Report.round(drain.rate(), 0));
        report.value("consumer." + key + ".cpuMicrosPerRecord", Report.round(drain.cpuMicrosPerRecord(), 2));
        report.value("consumer." + key + ".brokerCpuMicrosPerRecord", Report.round(drain.brokerCpuMicrosPerRecord(), 2));
    }

    private static KafkaRecord kafkaRecord(ConsumerRecord<String, byte[]> record) {
        return new KafkaRecord(record.topic(), record.partition(), record.offset(), record.key(), record.value());
    }

    /**
     * A Camel route consuming the topic with the app's consumer settings (camel-kafka batching mode, its consumer
     * count, batch size, interval and poll timeout: one exchange per record) that does nothing with its records: what
     * a camel-kafka consumer itself drains here. Timed from its first batch to its last full one: the group join
     * and the last, partial batches (they wait for the poll timeout) are left out.
     */
    private Drain camelKafkaDrain(long n) throws Exception {
        Properties app = new Properties();
        try (var in = CeilingsPhase.class.getResourceAsStream("/application.properties")) {
            app.load(in);
        }
        String consumers = app.getProperty("aggregation.consumers");
        // "auto" is its cap on this JVM's large heap (PulseOptions.AUTO_MAX_RECORDS)
        String maxPoll = o.batchRecords.equals("auto") ? "20000" : o.batchRecords;
        int batchSize = Integer.parseInt(maxPoll);
        AtomicLong count = new AtomicLong();
        AtomicLong firstBatchNanos = new AtomicLong();
        AtomicLong firstBatchCpu = new AtomicLong();
        AtomicLong firstBatchBrokerCpu = new AtomicLong();
        AtomicLong lastFullBatchBrokerCpu = new AtomicLong();
        AtomicLong fullBatchRecords = new AtomicLong();
        AtomicLong lastFullBatchNanos = new AtomicLong();
        AtomicLong lastFullBatchCpu = new AtomicLong();
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("kafka:" + Benchmark.E2E_TOPIC + "?brokers=" + brokers + "&groupId=bench-camel-kafka-drain"
                            + "&autoOffsetReset=earliest&consumersCount=" + consumers + "&batching=true"
                            + "&maxPollRecords=" + maxPoll
                            + "&batchingIntervalMs=" + app.getProperty("aggregation.batch.interval-ms")
                            + "&pollTimeoutMs=" + app.getProperty("aggregation.batch.poll-timeout-ms")
                            + "&autoCommitEnable=false&allowManualCommit=true"
                            + "&valueDeserializer=" + ByteArrayDeserializer.class.getName())
                            .routeId("bench-camel-kafka-drain")
                            .process(exchange -> {
                                long size = exchange.getMessage().getBody(List.class).size();
                                long now = System.nanoTime();
                                if (firstBatchNanos.compareAndSet(0, now)) {
                                    firstBatchCpu.set(Benchmark.processCpuNanos());
                                    firstBatchBrokerCpu.set(b.brokerCpuNanos());
                                } else if (size == batchSize) {
                                    fullBatchRecords.addAndGet(size);
                                    lastFullBatchNanos.set(now);
                                    lastFullBatchCpu.set(Benchmark.processCpuNanos());
                                    lastFullBatchBrokerCpu.set(b.brokerCpuNanos());
                                }
                                count.addAndGet(size);
                            });
                }
            });
            say("[consumer] draining %s with a camel-kafka batching route that does nothing (%s consumers,"
                    + " maxPollRecords %s)", Benchmark.E2E_TOPIC, consumers, maxPoll);
            long start = System.nanoTime();
            long startCpu = Benchmark.processCpuNanos();
            long startBrokerCpu = b.brokerCpuNanos();
            camel.start();
            long deadline = start + TimeUnit.MINUTES.toNanos(10);
            while (count.get() < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("camel-kafka drained " + count.get() + " of " + n + " records in"
                            + " 10 minutes");
                }
                Thread.sleep(10);
            }
            long timed = fullBatchRecords.get();
            if (timed == 0) {
                // a small run (the smoke test): timed from the route's start, group join and poll timeouts included
                double rate = n * 1e9 / (System.nanoTime() - start);
                say("[consumer] %,d records with camel-kafka, no full batch after the first; %,.0f records/s from the"
                        + " route's start", n, rate);
                return new Drain(rate, (Benchmark.processCpuNanos() - startCpu) / 1e3 / n,
                        (b.brokerCpuNanos() - startBrokerCpu) / 1e3 / n);
            }
            long elapsed = lastFullBatchNanos.get() - firstBatchNanos.get();
            double rate = timed * 1e9 / elapsed;
            say("[consumer] %,d records with camel-kafka; %,d of them in full batches after the first, in %.2f s"
                    + " (the first came %.1f s after the route started): %,.0f records/s", n, timed, elapsed / 1e9,
                    (firstBatchNanos.get() - start) / 1e9, rate);
            return new Drain(rate, (lastFullBatchCpu.get() - firstBatchCpu.get()) / 1e3 / timed,
                    (lastFullBatchBrokerCpu.get() - firstBatchBrokerCpu.get()) / 1e3 / timed);
        }
    }

    Drain produce(String topic, String[] keys, byte[][] values, String round) throws Exception {
        int n = keys.length;
        SendTally callback = new SendTally();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(b.producerProperties())) {
            producer.partitionsFor(topic); // metadata first: not part of the rate
            say("[producer] producing %,d pre-serialized events to %s as fast as possible (acks=all, idempotent, lz4,"
                    + " linger 5 ms, batch 256 KiB)%s", n, topic, round);
            long start = System.nanoTime();
            long cpuStart = Benchmark.processCpuNanos();
            long brokerCpuStart = b.brokerCpuNanos();
            long nextReport = start + 5 * NANOS_PER_SECOND;
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, keys[i], values[i]), callback);
                if ((i & 0x3FFF) == 0) {
                    long now = System.nanoTime();
                    if (now > nextReport) {
                        say("[producer] %,d / %,d sent, %,d acknowledged, %,.0f events/s so far", i, n, callback.acked(),
                                callback.acked() * 1e9 / (now - start));
                        nextReport += 5 * NANOS_PER_SECOND;
                    }
                    callback.throwIfFailed();
                }
            }
            producer.flush();
            long end = System.nanoTime();
            callback.throwIfFailed();
            double rate = n * 1e9 / (end - start);
            say("[producer] %,d events acknowledged in %.2f s: %,.0f events/s", callback.acked(), (end - start) / 1e9, rate);
            return new Drain(rate, (Benchmark.processCpuNanos() - cpuStart) / 1e3 / n, (b.brokerCpuNanos() - brokerCpuStart) / 1e3 / n);
        }
    }

    /**
     * Reads the whole topic with a plain consumer (assigned, from the beginning), handing every poll to
     * {@code perPoll}; {@code work} says in the log what that does.
     */
    private Drain drain(String topic, long expected, String work, Consumer<ConsumerRecords<String, byte[]>> perPoll) {
        Properties c = new Properties();
        c.put("bootstrap.servers", brokers);
        c.put("key.deserializer", StringDeserializer.class.getName());
        c.put("value.deserializer", ByteArrayDeserializer.class.getName());
        c.put("enable.auto.commit", "false");
        c.put("auto.offset.reset", "earliest");
        String maxPoll = o.batchRecords.equals("auto") ? "100000" : o.batchRecords;
        c.put("max.poll.records", maxPoll);
        say("[consumer] draining %s with a plain KafkaConsumer%s (max.poll.records %s)", topic, work, maxPoll);
        long start = System.nanoTime();
        long cpuStart = Benchmark.processCpuNanos();
        long brokerCpuStart = b.brokerCpuNanos();
        long count = 0;
        long bytes = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long end = consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
            if (end != expected) {
                throw new IllegalStateException(topic + " holds " + end + " records, expected " + expected);
            }
            long deadline = start + TimeUnit.MINUTES.toNanos(10);
            long nextReport = start + 5 * NANOS_PER_SECOND;
            while (count < end) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<String, byte[]> record : records) {
                    bytes += record.value().length + record.key().length();
                }
                perPoll.accept(records);
                count += records.count();
                long now = System.nanoTime();
                if (now > nextReport) {
                    say("[consumer] %,d / %,d records, %,.0f records/s so far", count, end, count * 1e9 / (now - start));
                    nextReport += 5 * NANOS_PER_SECOND;
                }
                if (now > deadline) {
                    throw new IllegalStateException("could not drain " + topic + " within 10 minutes");
                }
            }
        }
        long elapsed = System.nanoTime() - start;
        double rate = count * 1e9 / elapsed;
        say("[consumer] %,d records (%.1f MiB)%s in %.2f s: %,.0f records/s", count, bytes / 1048576.0, work,
                elapsed / 1e9, rate);
        return new Drain(rate, (Benchmark.processCpuNanos() - cpuStart) / 1e3 / count, (b.brokerCpuNanos() - brokerCpuStart) / 1e3 / count);
    }
}
