package pulse.bench;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.sun.management.OperatingSystemMXBean;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.bson.Document;
import pulse.embedded.EmbeddedMongo;
import pulse.embedded.TestInfrastructure;
import pulse.event.EventJson;
import pulse.event.InteractionEvent;
import pulse.generator.RateMeter;
import pulse.it.GroundTruth;
import pulse.metrics.AggregationProgress;
import pulse.testsupport.FreePorts;
import pulse.testsupport.TempDirs;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The benchmark: a Kafka broker in a JVM of its own ({@link BenchBroker}), side by side on the same seeded data,
 * <ol>
 *   <li>the ceilings: a plain KafkaProducer (the app's producer settings) filling the topic and a plain KafkaConsumer
 *   draining it, each the best of three; then what the least work on the events costs: the same drain parsing, then
 *   folding them, and a camel-kafka route like the app's doing nothing ({@link CeilingsPhase});</li>
 *   <li>Interaction Pulse as users run it, the runnable jar as its own JVM with its embedded MongoDB
 *   ({@link JarPhases}): end to end on the pre-filled topic (from its launch, from its group join, in steady state),
 *   checked against the ground truth; then a topic of invalid records until all are dead-lettered; then each event
 *   shape the generator writes, its parse cost and the jar on a topic of that shape ({@link ShapesPhase}); then, when
 *   asked, runnable jars of other commits in turn on the same topic ({@link JarComparison});</li>
 *   <li>the app in this JVM on the same topic (information: a JVM the phases before have warmed up), with this JVM's
 *   embedded MongoDB;</li>
 *   <li>a naive per-event Camel route on a prefix of the same data;</li>
 *   <li>freshness measured from outside the jar: marker events and a reader of its MongoDB;</li>
 *   <li>the generator's maximum rate and its rate error at set rates (in this JVM);</li>
 *   <li>memory of the jar with 256 MB of heap and a million distinct users.</li>
 * </ol>
 * Run: {@code mvn -q package -DskipTests && mvn -q test-compile exec:java@bench -Dexec.args="--events 2000000"};
 * {@code --help} lists the flags.
 */
public final class Benchmark {

    static final String E2E_TOPIC = "bench-events";
    static final String NAIVE_TOPIC = "bench-naive";
    static final String WARMUP_TOPIC = "bench-warmup";
    static final String FRESH_TOPIC = "bench-fresh";
    static final String MEMORY_TOPIC = "bench-memory";
    static final String CDS_TOPIC = "bench-cds-training";
    /** --cold-events: the jar's cold-start runs read the first events of the sequence from a topic of their own. */
    static final String COLD_TOPIC = "bench-cold";
    private static final String TUNED_START = "java -XX:+UseParallelGC -XX:SharedArchiveFile=... -jar";
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** Plain fills and drains of the topic; the fastest is the producer's and the consumer's ceiling. */

    private final BenchmarkOptions o;
    private final Report report;
    private final String brokers;
    /** The broker's own JVM, for its CPU time. */
    private final ChildJvm broker;
    private final String mongoUri;
    private final Path tmp;
    private final MongoClient mongo;
    private final List<String> failedPhases = new ArrayList<>();
    private double consumerRate = Double.NaN;
    private double producerRate = Double.NaN;
    private double e2eRate = Double.NaN;
    /** The AppCDS archive of the app's jar, once its training run wrote it. */
    private Path cdsArchive;

    private Benchmark(BenchmarkOptions o, Report report, String brokers, ChildJvm broker, String mongoUri, Path tmp) {
        this.o = o;
        this.report = report;
        this.brokers = brokers;
        this.broker = broker;
        this.mongoUri = mongoUri;
        this.tmp = tmp;
        this.mongo = MongoClients.create(mongoUri);
    }

    BenchmarkOptions options() {
        return o;
    }

    Report report() {
        return report;
    }

    String brokers() {
        return brokers;
    }

    ChildJvm broker() {
        return broker;
    }

    Path tmp() {
        return tmp;
    }

    double consumerRate() {
        return consumerRate;
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000));
    }

    public static void main(String[] args) {
        int exit = 0;
        try {
            BenchmarkOptions options = BenchmarkOptions.parse(args);
            quietLogs(); // here, not in run(): the smoke test runs it in the JVM of the tests that follow
            Map<String, Object> result = run(options);
            @SuppressWarnings("unchecked")
            List<String> failed = (List<String>) ((Map<String, Object>) result.get("values")).get("failedPhases");
            if (failed != null && !failed.isEmpty()) {
                System.err.println("Phases that failed: " + failed + " (see above)");
                exit = 1;
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            exit = 2;
        } catch (Throwable e) {
            e.printStackTrace();
            exit = 1;
        }
        System.out.flush();
        System.err.flush();
        System.exit(exit); // the embedded broker's threads are not daemons
    }

    /**
     * Runs every phase that is not skipped, prints the table and writes the JSON file.
     *
     * @return what the JSON file holds: machine, config, results (the table), values (by key), notes
     */
    public static Map<String, Object> run(BenchmarkOptions options) throws Exception {
        Report report = new Report(options.describe());
        Path tmp = Files.createTempDirectory("pulse-bench");
        say("Interaction Pulse benchmark: %s", options);
        say("machine: %s cores, %s MiB RAM, java %s, load average %s", Report.machine().get("nproc"),
                Report.machine().get("totalRamMiB"), System.getProperty("java.version"), Report.loadAverage());
        EmbeddedMongo embeddedMongo = null;
        ChildJvm broker = null;
        Benchmark benchmark = null;
        try {
            int[] ports = {FreePorts.next(), FreePorts.next(), FreePorts.next()};
            String mongoUri;
            if (options.mongoUri != null) {
                mongoUri = options.mongoUri;
                dropBenchDatabases(mongoUri);
            } else {
                embeddedMongo = options.mongo.equals("memory")
                        ? EmbeddedMongo.inMemory("127.0.0.1", ports[0])
                        : EmbeddedMongo.persistent(tmp.resolve("mongo").resolve("bench.mv"), "127.0.0.1", ports[0],
                        "mongodb.embedded.port");
                mongoUri = embeddedMongo.connectionString();
            }
            Path brokerLog = Path.of("target", "benchmark-broker.log");
            broker = BenchBroker.start(tmp.resolve("kafka").resolve("log"), ports[1], ports[2], brokerLog, 120);
            String brokers = "127.0.0.1:" + ports[1];
            say("Kafka broker (KRaft) as its own JVM, pid %d, on %s (log: %s); MongoDB for the in-process phases: %s;"
                    + " data in %s", broker.pid(), brokers, brokerLog, options.describe().get("mongo"), tmp);
            benchmark = new Benchmark(options, report, brokers, broker, mongoUri, tmp);
            benchmark.runPhases();
        } finally {
            if (benchmark != null) {
                benchmark.mongo.close();
            }
            if (broker != null) {
                int exit = broker.stop(60);
                if (exit != 0) {
                    say("the broker's JVM ended with %d (see %s)", exit, broker.log);
                }
            }
            if (embeddedMongo != null) {
                embeddedMongo.close();
            }
            TempDirs.deleteQuietly(tmp);
        }
        report.print(System.out);
        report.write(options.out);
        say("results written to %s", options.out.toAbsolutePath());
        return report.toMap();
    }

    private void runPhases() {
        // the jar's runs on the main topic read jarEvents; every other phase its first o.events (the same sequence)
        BenchEvents jarEvents = new BenchEvents(o.jarEvents(), o.users, o.items, o.zipf, o.userZipf, o.seed,
                Instant.now());
        BenchEvents events = jarEvents.prefix(o.events);
        phase("reference: producer and consumer ceilings", () -> {
            CeilingsPhase.Rates ceilings = new CeilingsPhase(this).run(events);
            producerRate = ceilings.producer();
            consumerRate = ceilings.consumer();
        });
        boolean[] extended = {jarEvents.count() == events.count()};
        if (!extended[0]) {
            phase("the end-to-end topic extended to --jar-events", () -> {
                new TopicExtension(this).append(E2E_TOPIC, jarEvents, events.count());
                extended[0] = true;
            });
            report.note(String.format(Locale.ROOT, "--jar-events %d: the jar's end-to-end runs on %s (the main run,"
                    + " AppCDS, variants, compared jars) read %,d events, the first %,d of which the ceilings measured"
                    + " (the rest of the same seeded sequence appended after them) and are checked against the ground"
                    + " truth of all %,d; the event shapes, invalid records, naive baseline, freshness and memory runs"
                    + " read topics of their own", jarEvents.count(), E2E_TOPIC, jarEvents.count(), events.count(),
                    jarEvents.count()));
        }
        JarPhases jar = new JarPhases(this);
        JarRun[] valid = new JarRun[1];
        if (o.skipJar) {
            report.note("the jar's runs skipped (--skip-jar)");
        } else if (!extended[0]) {
            report.note("the jar's runs skipped: the end-to-end topic was not extended to --jar-events (see above)");
        } else {
            JarPhases.Shape shape = new JarPhases.Shape("default", E2E_TOPIC, Map.of());
            if (o.skipCds) {
                report.note("the AppCDS run skipped (--skip-cds)");
            } else {
                phase("AppCDS: the jar's training run", () -> {
                    cdsArchive = jar.trainCds(CDS_TOPIC, o.cdsEvents);
                    if (cdsArchive == null) {
                        throw new IllegalStateException("no AppCDS archive; see target/benchmark-bench-jar-cds-training.log");
                    }
                });
            }
            if (o.coldEvents > 0) {
                // right after the ceilings, as the main runs come without --jar-events
                JarPhases.Shape cold = new JarPhases.Shape("default", COLD_TOPIC, Map.of());
                BenchEvents coldEvents = jarEvents.prefix(o.coldEvents);
                String topic = String.format(Locale.ROOT, "cold start, on the first %,d events", o.coldEvents);
                phase("end to end, the jar's " + topic, () -> jar.endToEnd(cold, coldEvents, "cold", topic,
                        o.appJavaOptions, JarPhases.Rows.COLD_START));
                if (cdsArchive != null) {
                    phase("end to end, the jar's " + topic + " with AppCDS and the parallel GC", () ->
                            jar.endToEnd(cold, coldEvents, "coldTuned", topic + ": " + TUNED_START,
                                    tunedStart(cdsArchive), JarPhases.Rows.COLD_START));
                }
            }
            phase("end to end, the jar as its own JVM", () -> valid[0] = jar.endToEnd(shape, jarEvents, "jar", "",
                    o.appJavaOptions));
            if (cdsArchive != null) {
                phase("end to end, the jar with AppCDS", () -> jar.endToEnd(shape, jarEvents, "jarCds",
                        "AppCDS: java -XX:SharedArchiveFile=... -jar", cdsStart(cdsArchive)));
                phase("end to end, the jar with AppCDS and the parallel GC",
                        () -> jar.endToEnd(shape, jarEvents, "jarTuned", TUNED_START, tunedStart(cdsArchive)));
            }
            for (Map.Entry<String, List<String>> variant : o.variants.entrySet()) {
                phase("end to end, the jar with " + variant.getKey(), () -> {
                    List<String> java = new ArrayList<>();
                    for (String option : variant.getValue()) {
                        if (option.equals("@cds") && cdsArchive == null) {
                            throw new IllegalStateException("@cds needs the AppCDS run (no --skip-cds)");
                        }
                        java.add(option.equals("@cds") ? "-XX:SharedArchiveFile=" + cdsArchive : option);
                    }
                    jar.endToEnd(shape, jarEvents, "variant." + variant.getKey(), variant.getKey() + ": "
                            + String.join(" ", variant.getValue()), java);
                });
            }
            if (o.skipInvalid) {
                report.note("invalid stream skipped (--skip-invalid)");
            } else {
                phase("invalid records, the jar as its own JVM", () -> jar.invalidStream(o.invalidEvents, valid[0]));
            }
            if (o.skipShapes) {
                report.note("event shapes skipped (--skip-shapes)");
            } else {
                phase("event shapes: parse cost and the jar end to end", () -> new ShapesPhase(this, jar).run(events, valid[0]));
            }
            if (!o.compareJars.isEmpty()) {
                phase("jars compared end to end", () -> new JarComparison(this, jar).run(jarEvents));
            }
        }
        if (o.skipInProcess) {
            report.note("end to end in the benchmark's JVM skipped (--skip-in-process)");
        } else {
            phase("end to end in the benchmark's JVM", () -> endToEnd(events));
        }
        if (o.skipNaive) {
            report.note("naive baseline skipped (--skip-naive)");
        } else {
            phase("naive baseline", this::naive);
        }
        if (o.skipFreshness) {
            report.note("freshness skipped (--skip-freshness)");
        } else {
            phase("freshness, from outside the jar", () -> {
                createTopics(List.of(FRESH_TOPIC));
                jar.freshness(FRESH_TOPIC);
            });
        }
        if (o.skipGenerator) {
            report.note("generator skipped (--skip-generator)");
        } else {
            phase("generator", this::generator);
        }
        if (o.skipMemory) {
            report.note("memory skipped (--skip-memory)");
        } else {
            phase("memory", () -> memory(jar, events));
        }
        report.value("failedPhases", failedPhases);
    }

    private interface Phase {
        void run() throws Exception;
    }

    /**
     * README's throughput start (docs/operations.md, and the Dockerfile's): the AppCDS archive and the parallel
     * collector, after --app-java-options.
     */
    private List<String> tunedStart(Path archive) {
        List<String> java = cdsStart(archive);
        java.add("-XX:+UseParallelGC");
        return java;
    }

    /** --app-java-options and the AppCDS archive, which the JVM must map (no run without it under an AppCDS row). */
    private List<String> cdsStart(Path archive) {
        List<String> java = new ArrayList<>(o.appJavaOptions);
        java.add("-XX:SharedArchiveFile=" + archive);
        java.add("-Xshare:on");
        return java;
    }

    private void phase(String name, Phase phase) {
        say("=== %s ===", name);
        long start = System.nanoTime();
        try {
            phase.run();
            say("=== %s done in %.1f s ===", name, (System.nanoTime() - start) / 1e9);
        } catch (Exception | AssertionError e) {
            failedPhases.add(name);
            say("=== %s FAILED after %.1f s: %s ===", name, (System.nanoTime() - start) / 1e9, e);
            e.printStackTrace(System.out);
            report.row(name, "FAILED", "", "", e.getClass().getSimpleName(), false);
            report.note(name + " failed: " + e);
        }
    }

    /** CPU time of the broker's JVM so far. */
    long brokerCpuNanos() {
        return JvmThreadCpu.processNanos(broker.pid());
    }

    /** Producer settings of the app (application.properties: camel.component.kafka.*). */
    Properties producerProperties() {
        return appProducerProperties(brokers);
    }

    /** The app's producer settings (application.properties: camel.component.kafka.*) for a producer to {@code brokers}. */
    static Properties appProducerProperties(String brokers) {
        Properties p = new Properties();
        p.put("bootstrap.servers", brokers);
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        p.put("max.in.flight.requests.per.connection", "5");
        p.put("compression.type", "lz4");
        p.put("linger.ms", "5");
        p.put("batch.size", "262144");
        return p;
    }

    // ---------------------------------------------------------------- 2. end to end

    /** CPU time of this JVM so far, all threads: what a phase costs whatever else the machine runs. */
    static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * The JIT's and the GC's shares of a phase's CPU time: each phase's app is new code for this JVM, which on two
     * cores compiles for over a minute after it starts (measured), and the collector's threads run beside it.
     */
    private void reportJvmThreads(String label, JvmThreadCpu used, long cpuNanos, String key) {
        if (!JvmThreadCpu.isAvailable()) {
            return;
        }
        report.row(label + " JIT compiler / garbage collector threads", String.format(Locale.ROOT, "%.0f / %.0f",
                100.0 * used.jitNanos() / cpuNanos, 100.0 * used.gcNanos() / cpuNanos), "%", "(info)", "", null);
        report.value(key + ".jitCpuSeconds", Report.round(used.jitNanos() / 1e9, 2));
        report.value(key + ".gcCpuSeconds", Report.round(used.gcNanos() / 1e9, 2));
    }

    private void endToEnd(BenchEvents events) throws Exception {
        long n = events.count();
        String name = "bench-e2e";
        Map<String, String> overrides = appOverrides(name, E2E_TOPIC);
        overrides.put("aggregation.batch.max-records", o.batchRecords);
        MongoDatabase database = mongo.getDatabase(overrides.get("mongodb.database"));
        Recording jfr = startJfr();
        say("[e2e] starting Interaction Pulse in this JVM on the pre-filled topic %s (%,d events,"
                + " aggregation.batch.max-records %s)", E2E_TOPIC, n, o.batchRecords);
        long end;
        long cpuUsed;
        long brokerCpuUsed;
        JvmThreadCpu jvmThreadsUsed;
        long cpuStart = processCpuNanos();
        long brokerCpuStart = brokerCpuNanos();
        JvmThreadCpu jvmThreadsStart = JvmThreadCpu.now();
        BenchApp app = BenchApp.start(overrides);
        // what "auto" resolved to, read while the app runs
        String maxBatch = app.context().getPropertiesComponent().resolveProperty("aggregation.batch.max-records")
                .orElse(o.batchRecords);
        String maxWrite = app.context().getPropertiesComponent().resolveProperty("aggregation.write.max-events")
                .orElse("?");
        AggregationProgress progress;
        long flushNanos;
        long summary;
        boolean complete;
        try {
            progress = app.bean("aggregationProgress", AggregationProgress.class);
            AtomicLong flush = new AtomicLong();
            progress.onBatch(stats -> flush.addAndGet(stats.flushNanos()));
            say("[e2e] app started in %.1f s; waiting for summary.events = %,d", app.startupSeconds(), n);
            long deadline = app.startNanos + TimeUnit.SECONDS.toNanos(o.e2eTimeoutSeconds);
            long lastReport = System.nanoTime();
            long lastEvents = 0;
            while (true) {
                summary = summaryEvents(database);
                long now = System.nanoTime();
                if (summary >= n) {
                    end = now;
                    complete = summary == n;
                    break;
                }
                if (now > deadline) {
                    end = now;
                    complete = false;
                    break;
                }
                if (now - lastReport >= 5 * NANOS_PER_SECOND) {
                    long aggregated = progress.events();
                    double recent = (aggregated - lastEvents) * 1e9 / (now - lastReport);
                    double overall = aggregated * 1e9 / (now - app.startNanos);
                    say("[e2e] %,d / %,d events aggregated (%.0f%%), %,.0f events/s over the last %.0f s, %,.0f overall,"
                                    + " %.0f s elapsed, %s", aggregated, n, 100.0 * aggregated / n, recent,
                            (now - lastReport) / 1e9, overall, (now - app.startNanos) / 1e9,
                            recent > 0 ? String.format(Locale.ROOT, "~%.0f s to go", (n - aggregated) / recent)
                                    : aggregated == 0 ? "the first batch is still being processed"
                                    : "a batch is being processed");
                    lastReport = now;
                    lastEvents = aggregated;
                }
                Thread.sleep(50);
            }
            cpuUsed = processCpuNanos() - cpuStart;
            brokerCpuUsed = brokerCpuNanos() - brokerCpuStart;
            jvmThreadsUsed = JvmThreadCpu.now().since(jvmThreadsStart);
            // the summary is written before the batch is committed and recorded: wait for the last batch's stats
            long recorded = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (progress.events() < summary && System.nanoTime() < recorded) {
                Thread.sleep(10);
            }
            flushNanos = flush.get();
        } finally {
            app.close();
            stopJfr(jfr);
        }
        double total = (end - app.startNanos) / 1e9;
        double afterStartup = (end - app.startedNanos) / 1e9;
        long aggregated = progress.events();
        e2eRate = summary / total;
        double steadyRate = summary / afterStartup;
        double writesPerEvent = aggregated == 0 ? Double.NaN : (double) progress.documentsWritten() / aggregated;
        double meanBatch = progress.batches() == 0 ? Double.NaN : (double) aggregated / progress.batches();
        double meanFlushMs = progress.batches() == 0 ? Double.NaN : flushNanos / 1e6 / progress.batches();
        double flushShare = flushNanos / 1e9 / afterStartup;
        say("[e2e] %s: %,d events in %.2f s from start (%.1f s of it Camel Main start): %,.0f events/s; %,.0f events/s"
                        + " after startup; %,d writes (mean %.0f events each), %,d MongoDB document writes (%.4f per event), mean flush"
                        + " %.0f ms, %.0f%% of the time after startup in MongoDB writes",
                complete ? "done" : "NOT COMPLETE (timeout, or summary overshoot)", summary, total, app.startupSeconds(),
                e2eRate, steadyRate, progress.batches(), meanBatch, progress.documentsWritten(), writesPerEvent,
                meanFlushMs, 100 * flushShare);

        double ratio = e2eRate / consumerRate;
        report.row("end to end in the benchmark's JVM (warm): start -> summary.events = N", e2eRate, "events/s",
                "(info)", Report.ratio(ratio), null);
        report.row("  after app startup", steadyRate, "events/s", "(info)",
                Report.ratio(steadyRate / consumerRate), null);
        report.row("  elapsed from start / of it app startup", String.format(Locale.ROOT, "%.1f / %.1f", total,
                app.startupSeconds()), "s");
        double cpuMicrosPerEvent = summary == 0 ? Double.NaN : cpuUsed / 1e3 / summary;
        double brokerMicrosPerEvent = summary == 0 ? Double.NaN : brokerCpuUsed / 1e3 / summary;
        report.row("  CPU time per event: this JVM (app, MongoDB server) / broker", String.format(Locale.ROOT,
                "%.2f / %.2f", cpuMicrosPerEvent, brokerMicrosPerEvent), "us/event", "(info)", "", null);
        report.value("e2e.cpuMicrosPerEvent", Report.round(cpuMicrosPerEvent, 2));
        report.value("e2e.brokerCpuMicrosPerEvent", Report.round(brokerMicrosPerEvent, 2));
        reportJvmThreads("  of this JVM's CPU time:", jvmThreadsUsed, cpuUsed, "e2e");
        report.row("MongoDB writes per event", writesPerEvent, "writes/event", "<= 0.1", "",
                Double.isNaN(writesPerEvent) ? null : writesPerEvent <= 0.1);
        report.row("mean events per write (coalesced batches)", meanBatch, "events/write", "(batches of <= " + maxBatch
                + ", writes of <= " + maxWrite + ")", "", null);
        report.row("mean flush (MongoDB writes of one write)", meanFlushMs, "ms", "(info)", "", null);
        report.row("time in MongoDB writes / time after startup", 100 * flushShare, "%", "(info)", "", null);
        report.value("e2e.events", summary);
        report.value("e2e.complete", complete);
        report.value("e2e.seconds", Report.round(total, 3));
        report.value("e2e.startupSeconds", Report.round(app.startupSeconds(), 3));
        report.value("e2e.eventsPerSecond", Report.round(e2eRate, 0));
        report.value("e2e.afterStartupEventsPerSecond", Report.round(steadyRate, 0));
        report.value("e2e.writes", progress.batches());
        report.value("e2e.documentsWritten", progress.documentsWritten());
        report.value("e2e.writesPerEvent", Report.round(writesPerEvent, 5));
        report.value("e2e.meanEventsPerWrite", Report.round(meanBatch, 1));
        report.value("e2e.meanFlushMs", Report.round(meanFlushMs, 1));
        report.value("e2e.flushShare", Report.round(flushShare, 3));
        report.value("e2e.ratioToConsumerCeiling", Report.round(ratio, 3));

        say("[e2e] verifying every users/items/windows document and the summary against the ground truth"
                + " (the %,d events are generated again from the seed, not held in memory)", n);
        long verifyStart = System.nanoTime();
        List<String> mismatches = new GroundTruth(events).mismatches(database);
        say("[e2e] %d mismatches (checked in %.1f s)%s", mismatches.size(), (System.nanoTime() - verifyStart) / 1e9,
                mismatches.isEmpty() ? "" : "; first ones: " + mismatches.subList(0, Math.min(10, mismatches.size())));
        report.row("correctness: mismatches vs ground truth", (long) mismatches.size(), "documents/fields", "0", "",
                mismatches.isEmpty());
        report.value("e2e.mismatches", mismatches.size());
        report.value("e2e.mismatchExamples", mismatches.subList(0, Math.min(20, mismatches.size())));
        report.note("correctness is checked in full (every user, item and window document and the summary): the "
                + "events are re-generated from the seed for the check rather than kept in memory");
    }

    /** An external MongoDB keeps what earlier runs wrote: start from empty bench_* databases (and only those). */
    private static void dropBenchDatabases(String uri) {
        try (MongoClient client = MongoClients.create(uri)) {
            for (String name : client.listDatabaseNames()) {
                if (name.startsWith("bench_")) {
                    say("dropping database %s left by an earlier benchmark run", name);
                    client.getDatabase(name).drop();
                }
            }
        }
    }

    static long summaryEvents(MongoDatabase database) {
        Document summary = database.getCollection("summary").find(Filters.eq("_id", "global")).first();
        return summary == null || summary.get("events") == null ? 0 : ((Number) summary.get("events")).longValue();
    }

    private Recording startJfr() {
        if (o.jfr == null) {
            return null;
        }
        try {
            Recording recording = new Recording(Configuration.getConfiguration("profile"));
            recording.setName("pulse-bench-e2e");
            recording.setToDisk(true);
            recording.start();
            say("[e2e] JFR recording (profile settings) started; it goes to %s", o.jfr);
            return recording;
        } catch (Exception e) {
            say("[e2e] could not start JFR: %s", e);
            return null;
        }
    }

    private void stopJfr(Recording recording) {
        if (recording == null) {
            return;
        }
        try {
            recording.stop();
            if (o.jfr.toAbsolutePath().getParent() != null) {
                Files.createDirectories(o.jfr.toAbsolutePath().getParent());
            }
            recording.dump(o.jfr);
            say("[e2e] JFR recording written to %s (jfr print --events jdk.ExecutionSample %s)", o.jfr, o.jfr);
            report.value("e2e.jfr", o.jfr.toString());
        } catch (IOException e) {
            say("[e2e] could not write the JFR recording: %s", e);
        } finally {
            recording.close();
        }
    }

    // ---------------------------------------------------------------- 3. naive baseline

    private void naive() throws Exception {
        say("[naive] a plain Camel route (non-batching camel-kafka, auto-commit, Jackson unmarshal, 3 upserts + 1 $inc"
                + " per event) on the first %,d events of the same data", o.naiveEvents);
        NaiveBaseline.Result r = new NaiveBaseline(brokers, mongoUri)
                .run(NAIVE_TOPIC, "bench_naive", o.naiveEvents, Duration.ofSeconds(o.naiveTimeoutSeconds));
        say("[naive] %s%,d events in %.2f s: %,.0f events/s (steady %,.0f events/s)", r.complete() ? "" : "TIMEOUT: ",
                r.events(), r.seconds(), r.rate(), r.steadyRate());
        report.row("naive baseline: per-event route (" + r.events() + " events)", r.rate(), "events/s", "(baseline)",
                "", null);
        double ratio = e2eRate / r.rate();
        report.row("end to end vs naive", ratio, "x", ">= 20x", "", Double.isNaN(ratio) ? null : ratio >= 20);
        report.value("naive.events", r.events());
        report.value("naive.complete", r.complete());
        report.value("naive.eventsPerSecond", Report.round(r.rate(), 1));
        report.value("naive.steadyEventsPerSecond", Report.round(r.steadyRate(), 1));
        report.value("naive.writesPerEvent", 4);
        report.value("e2eVsNaive", Report.round(ratio, 2));
        if (!r.complete()) {
            report.note("the naive baseline did not finish its " + o.naiveEvents + " events within "
                    + o.naiveTimeoutSeconds + " s; its rate is events done / time spent");
        }
    }

    // ---------------------------------------------------------------- 4. freshness: JarPhases.freshness

    /** Nearest-rank percentile of sorted values. */
    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    // ---------------------------------------------------------------- 5. generator

    private void generator() throws Exception {
        say("[generator] each measurement starts the app with its generator on, stops the aggregation route (the"
                + " ceiling had the broker to itself too), waits %d s, then counts generatorRate.total() over %d s",
                o.generatorWarmupSeconds, o.generatorSeconds);
        double max = generatorRate("max", 1, o.generatorMaxTick);
        double ratio = max / producerRate;
        report.row("generator max (period 1 ms, " + o.generatorMaxTick + " per tick)", max, "events/s",
                ">= 0.5x producer ceiling", Report.ratio(ratio), Double.isNaN(ratio) ? null : ratio >= 0.5);
        report.value("generator.maxEventsPerSecond", Report.round(max, 0));
        report.value("generator.maxRatioToProducerCeiling", Report.round(ratio, 3));
        Map<String, Object> errors = new LinkedHashMap<>();
        for (int rate : o.generatorRates) {
            int perTick = Math.max(1, rate / 100);
            int set = perTick * 100;
            double achieved = generatorRate(String.valueOf(set), 10, perTick);
            double error = Math.abs(achieved - set) / set;
            report.row("generator rate error at " + set + "/s (achieved " + Report.format(achieved) + "/s)", 100 * error,
                    "%", "< 2%", "", error < 0.02);
            errors.put(String.valueOf(set), Map.of("achieved", Report.round(achieved, 1), "error", Report.round(error, 5)));
        }
        report.value("generator.rateErrors", errors);
    }

    private double generatorRate(String label, int period, int perTick) throws Exception {
        Map<String, String> overrides = appOverrides("bench-gen-" + label, "bench-gen-" + label);
        overrides.put("generator.enabled", "true");
        overrides.put("generator.period", String.valueOf(period));
        overrides.put("generator.events-per-tick", String.valueOf(perTick));
        double configured = perTick * 1000.0 / period;
        BenchApp app = BenchApp.start(overrides);
        try {
            app.stopRoute("aggregate-interactions");
            RateMeter meter = app.bean("generatorRate", RateMeter.class);
            sleepUntil(app.startedNanos + TimeUnit.SECONDS.toNanos(o.generatorWarmupSeconds));
            long c0 = meter.total();
            long t0 = System.nanoTime();
            long end = t0 + TimeUnit.SECONDS.toNanos(o.generatorSeconds);
            long nextReport = t0 + 5 * NANOS_PER_SECOND;
            while (System.nanoTime() < end) {
                Thread.sleep(Math.max(1, Math.min(250, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
                long now = System.nanoTime();
                if (now >= nextReport && now < end) {
                    say("[generator %s] %,.0f events/s so far", label, (meter.total() - c0) * 1e9 / (now - t0));
                    nextReport += 5 * NANOS_PER_SECOND;
                }
            }
            long c1 = meter.total();
            long t1 = System.nanoTime();
            double rate = (c1 - c0) * 1e9 / (t1 - t0);
            if (c1 == c0) {
                throw new IllegalStateException("the generator produced nothing in " + o.generatorSeconds
                        + " s (is the generator route failing? see the log above)");
            }
            say("[generator %s] configured %,.0f events/s (period %d ms, %d per tick): achieved %,.0f events/s over %.1f s",
                    label, configured, period, perTick, rate, (t1 - t0) / 1e9);
            return rate;
        } finally {
            app.close();
        }
    }

    // ---------------------------------------------------------------- 6. memory

    /** The memory run's topic (one event per user, see JarPhases.memory), then the run. */
    private void memory(JarPhases jar, BenchEvents events) throws Exception {
        long n = o.memoryUsers;
        say("[memory] preparing %,d events, one per user of %,d", n, o.memoryUsers);
        BenchEvents drawn = new BenchEvents(n, o.users, o.items, o.zipf, o.userZipf, o.seed + 1, Instant.now());
        String[] keys = new String[(int) n];
        byte[][] values = new byte[(int) n][];
        int i = 0;
        for (InteractionEvent e : drawn) {
            String user = JarPhases.scrambledUser(i, o.memoryUsers);
            keys[i] = user;
            values[i] = EventJson.toBytes(new InteractionEvent(e.eventId(), e.schemaVersion(), user, e.itemId(), e.type(),
                    e.timestamp()));
            i++;
        }
        createTopics(List.of(MEMORY_TOPIC));
        new CeilingsPhase(this).produce(MEMORY_TOPIC, keys, values, "");
        keys = null;
        values = null;
        jar.memory(MEMORY_TOPIC, n);
    }

    // ---------------------------------------------------------------- helpers

    /** Lines of the log that contain {@code text}, up to the first that contains {@code until} (if not null). */
    static long countLines(Path log, String text, String until) throws IOException {
        try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            return lines.takeWhile(line -> until == null || !line.contains(until)).filter(line -> line.contains(text)).count();
        }
    }

    /** The app pointed at the benchmark's broker and server, with its own topic, group and database. */
    private Map<String, String> appOverrides(String name, String topic) {
        int[] ports = {FreePorts.next(), FreePorts.next()};
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kafka.brokers", brokers);
        m.put("mongodb.uri", mongoUri);
        m.put("kafka.topic", topic);
        m.put("kafka.topic.partitions", String.valueOf(o.partitions));
        m.put("kafka.consumer.group-id", name + "-group");
        m.put("mongodb.database", name.replace('-', '_'));
        m.put("generator.enabled", "false");
        m.put("generator.users", String.valueOf(o.users));
        m.put("generator.items", String.valueOf(o.items));
        m.put("generator.item-zipf-exponent", String.valueOf(o.zipf));
        m.put("generator.user-zipf-exponent", String.valueOf(o.userZipf));
        m.put("generator.seed", String.valueOf(o.seed));
        m.put("camel.server.port", String.valueOf(ports[0]));
        m.put("camel.management.port", String.valueOf(ports[1]));
        m.put("pulse.data-dir", tmp.resolve("app-" + name).toString());
        m.putAll(o.appProperties);
        return m;
    }

    void deleteTopics(List<String> topics) throws Exception {
        try (Admin admin = admin()) {
            admin.deleteTopics(topics).all().get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * Creates the topics, each waited for until every partition's leader serves it (as the tests' topics are): an
     * idempotent producer's first batches to a partition whose leader is still being elected can fail for good.
     */
    void createTopics(List<String> topics) {
        try (Admin admin = admin()) {
            for (String topic : topics) {
                TestInfrastructure.createTopic(admin, topic, o.partitions, (short) 1);
            }
        }
    }

    static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    static void say(String format, Object... args) {
        System.out.println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " [bench] " + String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    /** Camel's start and stop chatter would drown the benchmark's own progress lines; the app's rate logs stay. */
    private static void quietLogs() {
        try {
            Configurator.setLevel("org.apache.camel", Level.WARN);
            Configurator.setLevel("io.vertx", Level.WARN);
            Configurator.setLevel("org.jolokia", Level.WARN);
        } catch (RuntimeException | LinkageError e) {
            // another logging backend: keep its levels
        }
    }
}
