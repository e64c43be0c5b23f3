package pulse.bench;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import pulse.event.EventParser;
import pulse.event.InvalidEventException;
import pulse.event.RejectionReason;
import pulse.event.ValidationOptions;
import pulse.generator.GeneratorOptions;
import pulse.generator.InteractionGenerator;
import pulse.it.GroundTruth;
import pulse.testsupport.FreePorts;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The phases that run Interaction Pulse as users run it: the runnable jar as its own JVM ({@code java -jar
 * target/interaction-pulse.jar}), with its own embedded MongoDB (the default, {@code mongodb.uri=embedded}), against
 * the benchmark's broker, which runs in a JVM of its own too. Everything is read from outside the app: its consumer
 * group from the broker, its aggregates from its MongoDB, its CPU time from {@code /proc}, its own counters from
 * {@code /observe/metrics}.
 */
final class JarPhases {

    static final String INVALID_TOPIC = "bench-invalid";
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** The JIT compilers' share of the app's CPU time below which the run counts as steady. */
    static final double STEADY_JIT_SHARE = 0.10;
    /**
     * Seconds over which that share is taken (a window ending at each one-second sample). 10, not 2: after C2's dense
     * compiling single recompilations still fill a 2-s window to 10-19 % until the end of a 60M-event run (176 s),
     * while over 10 s they stay under 5 % (docs/benchmark.md, "--jar-events").
     */
    static final int STEADY_WINDOW = 10;
    private static final long JOIN_TIMEOUT_SECONDS = 120;
    /**
     * A steady state shorter than this is not reported ("not reached"): two of the app's write cycles while it drains
     * a backlog ({@code aggregation.write.max-delay}, 5 s), so that the span's rate is not one cycle's fold or write
     * phase, and one of the JIT's windows.
     */
    static final double STEADY_MIN_SECONDS = 10;

    /**
     * What a jar run consumes: its topic's records and the app properties that describe them ({@code event.*} for
     * the event shapes of {@link pulse.generator.EventShape}); "default" is the app's own JSON with no property.
     */
    record Shape(String name, String topic, Map<String, String> appProperties) {
    }

    /**
     * How much of a run goes into the table: every row (the main runs); every row but the steady state's (the
     * cold-start runs of --cold-events: a 2M-event run ends before the JIT settles, and --jar-events' runs give that
     * figure); or two lines (shapes, compared jars).
     */
    enum Rows { FULL, COLD_START, COMPACT }

    private final Benchmark b;
    private final BenchmarkOptions o;
    private final Report report;

    JarPhases(Benchmark benchmark) {
        this.b = benchmark;
        this.o = benchmark.options();
        this.report = benchmark.report();
    }

    // ---------------------------------------------------------------- end to end, the jar as its own process

    /**
     * The jar on the pre-filled topic of {@code shape}, from its launch until {@code summary.events} in its MongoDB
     * is the topic's size, then every document checked against {@code truth}.
     *
     * @return the run, for the rows that compare with it
     */
    JarRun endToEnd(Shape shape, BenchEvents truth, String key, String variant, List<String> javaOptions)
            throws Exception {
        return endToEnd(shape, truth, key, variant, javaOptions, Rows.FULL);
    }

    JarRun endToEnd(Shape shape, BenchEvents truth, String key, String variant, List<String> javaOptions, Rows rows)
            throws Exception {
        return endToEnd(shape, truth.count(), () -> new GroundTruth(truth), o.jar, key, variant, javaOptions, rows);
    }

    /**
     * @param events the topic's size
     * @param truth  the aggregates the run must leave, computed once the run is over (it holds every document's)
     * @param jar    the runnable jar to launch
     */
    JarRun endToEnd(Shape shape, long events, Supplier<GroundTruth> truth, Path jar, String key, String variant,
                    List<String> javaOptions, Rows rows) throws Exception {
        long n = events;
        String name = "bench-" + key.replace('.', '-') + "-" + shape.name();
        Map<String, String> props = appProperties(name, shape.topic());
        props.putAll(shape.appProperties());
        props.putAll(o.appProperties);
        MongoAddress mongo = mongoOf(props, name);
        String loadBefore = Report.loadAverage();
        say("[%s] the app's jar %s as its own JVM%s on the pre-filled topic %s (%,d events, shape %s), MongoDB: %s;"
                        + " broker: its own JVM (pid %d); load average %s", key, jar, variant.isEmpty() ? "" : " (" + variant + ")",
                shape.topic(), n, shape.name(), mongo.describe(), b.broker().pid(), loadBefore);
        JarRun run;
        List<String> mismatches;
        try (JarApp app = JarApp.start(name, jar, javaOptions, props, b.tmp().resolve(name),
                Path.of("target", "benchmark-" + name + ".log"));
             MongoClient client = mongo.client()) {
            MongoDatabase database = client.getDatabase(mongo.database());
            run = measure(app, key, props.get("kafka.consumer.group-id"), n,
                    () -> Benchmark.summaryEvents(database), true);
            if (!run.complete()) {
                throw new IllegalStateException("the app aggregated " + run.done() + " of " + n + " events within "
                        + o.e2eTimeoutSeconds + " s; see " + app.jvm.log);
            }
            say("[%s] verifying every document against the ground truth while the app still runs", key);
            mismatches = truth.get().mismatches(database);
        }
        String loadAfter = Report.loadAverage();
        report.value(key + ".loadAverageBefore", loadBefore);
        report.value(key + ".loadAverageAfter", loadAfter);
        report.value(key + ".jar", jar.toString());
        String label = "end to end, the jar as its own JVM" + (variant.isEmpty() ? "" : " (" + variant + ")")
                + (shape.name().equals("default") ? "" : ", shape " + shape.name());
        if (rows == Rows.COMPACT) {
            reportValues(run, key);
        } else {
            reportRun(run, label, key, true, rows == Rows.FULL);
        }
        say("[%s] %d mismatches%s", key, mismatches.size(),
                mismatches.isEmpty() ? "" : ": " + mismatches.subList(0, Math.min(10, mismatches.size())));
        if (rows != Rows.COMPACT || !mismatches.isEmpty()) {
            report.row("  correctness (jar" + (rows != Rows.COMPACT ? "" : ", " + key) + "): mismatches vs ground truth",
                    (long) mismatches.size(), "documents/fields", "0", "", mismatches.isEmpty());
        }
        report.value(key + ".mismatches", mismatches.size());
        return run;
    }

    /** The steady state of a run as this benchmark defines it (see README), or null. */
    static JarRun.Steady steady(JarRun run) {
        return run.steady(STEADY_JIT_SHARE, STEADY_WINDOW, STEADY_MIN_SECONDS);
    }

    /**
     * The rows of a run; {@code valid}: a run of valid events, with the targets of issue 18; {@code steadyRow}: with the
     * steady state's row (valid runs only).
     */
    private void reportRun(JarRun run, String label, String key, boolean valid, boolean steadyRow) {
        double consumerRate = b.consumerRate();
        double launch = run.launchRate();
        double join = run.joinRate();
        JarRun.Steady steady = steady(run);
        reportValues(run, key);
        String events = String.format(Locale.ROOT, "%,d", run.records());
        if (valid) {
            report.row(label + ": launch -> every aggregate in MongoDB (" + events + " events)", launch, "events/s",
                    ">= 100,000 events/s", "", launch >= 100_000);
        } else {
            report.row(label + ": launch -> every record on the DLQ (" + events + " records)", launch, "records/s",
                    "(info)", "", null);
        }
        report.row("  from the group join (first fetch) to the end", join, valid ? "events/s" : "records/s", "(info)",
                Report.ratio(join / consumerRate), null);
        if (valid && steadyRow) {
            String from = steady == null ? String.format(Locale.ROOT, "not reached: no %.0f s to the end after it",
                    STEADY_MIN_SECONDS) : String.format(Locale.ROOT, "from t=%.0f s, %.1f s",
                    steady.from().t(), steady.seconds());
            double ratio = steady == null ? Double.NaN : steady.rate() / consumerRate;
            report.row("  in steady state (after the last " + STEADY_WINDOW + "-s window with the JIT >= "
                            + Math.round(100 * STEADY_JIT_SHARE) + "% of the app's CPU; " + from + ")",
                    steady == null ? Double.NaN : steady.rate(), "events/s", ">= 0.25x consumer ceiling",
                    Report.ratio(ratio), steady == null ? Boolean.FALSE : ratio >= 0.25);
        }
        report.row("  elapsed: launch -> group join / -> end", String.format(Locale.ROOT, "%.1f / %.1f", run.joinSeconds(),
                run.endSeconds()), "s");
        report.row("  CPU per record: app process / broker process", String.format(Locale.ROOT, "%.2f / %.2f",
                run.appCpuMicrosPerRecord(), run.brokerCpuMicrosPerRecord()), "us/record", "(info)", "", null);
        report.row("  of the app's CPU: JIT compiler / GC threads", String.format(Locale.ROOT, "%.0f / %.0f",
                100 * run.jitShare(), 100 * run.gcShare()), "%", "(info)", "", null);
        if (steady != null) {
            report.row("  CPU per event in steady state: app / broker", String.format(Locale.ROOT, "%.2f / %.2f",
                    steady.appCpuMicrosPerEvent(), steady.brokerCpuMicrosPerEvent()), "us/event", "(info)", "", null);
            report.row("  JIT compiler threads' share of the app's CPU in steady state",
                    String.format(Locale.ROOT, "%.0f", 100 * steady.jitShare()), "%",
                    "(info)", "", null);
        }
        report.row("  app's max RSS", MemoryProbe.mib(run.maxRss()), "MiB", "(info)", "", null);
    }

    /** A run's figures in the JSON, by key: rates, times, CPU, steady state, and a sample a second. */
    private void reportValues(JarRun run, String key) {
        double consumerRate = b.consumerRate();
        JarRun.Steady steady = steady(run);
        say("[%s] %,d records: %.2f s from launch (group join after %.2f s): %,.0f/s from launch, %,.0f/s from the"
                        + " join%s; app CPU %.2f us/record (JIT %.0f%%, GC %.0f%%), broker %.2f us/record, app RSS up to %d MiB",
                key, run.done(), run.endSeconds(), run.joinSeconds(), run.launchRate(), run.joinRate(),
                steady == null ? "; no steady state" : String.format(Locale.ROOT,
                        ", %,.0f/s in steady state (from t=%.0f s; JIT %.0f%% of the app's CPU in it)", steady.rate(),
                        steady.from().t(), 100 * steady.jitShare()),
                run.appCpuMicrosPerRecord(), 100 * run.jitShare(), 100 * run.gcShare(), run.brokerCpuMicrosPerRecord(),
                MemoryProbe.mib(run.maxRss()));
        report.value(key + ".records", run.records());
        report.value(key + ".done", run.done());
        report.value(key + ".complete", run.complete());
        report.value(key + ".joinSeconds", Report.round(run.joinSeconds(), 3));
        report.value(key + ".endSeconds", Report.round(run.endSeconds(), 3));
        report.value(key + ".launchPerSecond", Report.round(run.launchRate(), 0));
        report.value(key + ".joinPerSecond", Report.round(run.joinRate(), 0));
        report.value(key + ".appCpuMicrosPerRecord", Report.round(run.appCpuMicrosPerRecord(), 2));
        report.value(key + ".brokerCpuMicrosPerRecord", Report.round(run.brokerCpuMicrosPerRecord(), 2));
        report.value(key + ".appJitCpuSeconds", Report.round(run.app().jitNanos() / 1e9, 2));
        report.value(key + ".appGcCpuSeconds", Report.round(run.app().gcNanos() / 1e9, 2));
        report.value(key + ".appMaxRssMiB", MemoryProbe.mib(run.maxRss()));
        if (steady != null) {
            report.value(key + ".steady.fromSeconds", Report.round(steady.from().t(), 1));
            report.value(key + ".steady.seconds", Report.round(steady.seconds(), 1));
            report.value(key + ".steady.perSecond", Report.round(steady.rate(), 0));
            report.value(key + ".steady.ratioToConsumerCeiling", Report.round(steady.rate() / consumerRate, 3));
            report.value(key + ".steady.appCpuMicrosPerEvent", Report.round(steady.appCpuMicrosPerEvent(), 2));
            report.value(key + ".steady.brokerCpuMicrosPerEvent", Report.round(steady.brokerCpuMicrosPerEvent(), 2));
            report.value(key + ".steady.jitShare", Report.round(steady.jitShare(), 3));
        }
        List<Map<String, Object>> samples = new ArrayList<>();
        for (JarRun.Sample s : run.samples()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("t", Report.round(s.t(), 2));
            m.put("appCpuSeconds", Report.round(s.app().totalNanos() / 1e9, 2));
            m.put("appJitCpuSeconds", Report.round(s.app().jitNanos() / 1e9, 2));
            m.put("appGcCpuSeconds", Report.round(s.app().gcNanos() / 1e9, 2));
            m.put("brokerCpuSeconds", Report.round(s.brokerCpuNanos() / 1e9, 2));
            m.put("progress", s.progress());
            m.put("rssMiB", MemoryProbe.mib(s.rss()));
            samples.add(m);
        }
        report.value(key + ".samples", samples);
    }

    // ---------------------------------------------------------------- AppCDS

    /**
     * A class-data sharing archive of the app (AppCDS, JDK 17's two steps): a training run of the jar with
     * {@code -XX:ArchiveClassesAtExit} drains {@code topic} (a few thousand events, so that the classes of the whole
     * path are loaded), then stops; the JVM writes the archive as it exits. Later runs start with
     * {@code -XX:SharedArchiveFile}: classes are mapped from the archive instead of being read from the jar, parsed
     * and verified. The archive belongs to this jar file; a rebuilt jar needs a new one.
     *
     * @return the archive, or null when none was written (the reason is logged)
     */
    Path trainCds(String topic, long events) throws Exception {
        Path archive = b.tmp().resolve("interaction-pulse.jsa").toAbsolutePath();
        String name = "bench-jar-cds-training";
        Map<String, String> props = appProperties(name, topic);
        props.putAll(o.appProperties);
        MongoAddress mongo = mongoOf(props, name);
        List<String> java = new ArrayList<>(o.appJavaOptions);
        java.add("-XX:ArchiveClassesAtExit=" + archive);
        say("[cds] training run: the jar with -XX:ArchiveClassesAtExit on %s (%,d events), stopped once they are"
                + " aggregated", topic, events);
        long start = System.nanoTime();
        int exit;
        try (JarApp app = JarApp.start(name, o.jar, java, props, b.tmp().resolve(name),
                Path.of("target", "benchmark-" + name + ".log"));
             MongoClient client = mongo.client()) {
            MongoDatabase database = client.getDatabase(mongo.database());
            long deadline = System.nanoTime() + 300 * NANOS_PER_SECOND;
            long done = 0;
            while (done < events) {
                app.jvm.assertAlive("during the AppCDS training run");
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the AppCDS training run aggregated " + done + " of " + events
                            + " events in 300 s; see " + app.jvm.log);
                }
                Thread.sleep(200); // polling the app's MongoDB
                try {
                    done = Benchmark.summaryEvents(database);
                } catch (RuntimeException notYet) {
                    // the app's server is not up yet
                }
            }
            exit = app.jvm.stop(60);
        }
        if (exit != 0 || !Files.isRegularFile(archive)) {
            say("[cds] the training run ended with %d and left no archive at %s", exit, archive);
            return null;
        }
        say("[cds] archive of %d MiB written in %.0f s (not counted in any rate)",
                Files.size(archive) >> 20, (System.nanoTime() - start) / 1e9);
        report.value("cds.archiveMiB", Files.size(archive) >> 20);
        return archive;
    }

    // ---------------------------------------------------------------- invalid records

    /**
     * A topic of invalid records only, in turn malformed JSON, a missing field and an id with '$', made from the
     * valid events' own JSON so that they are as large; checked against the app's parser before they are produced.
     */
    static byte[][] invalidRecords(byte[][] valid, int count) {
        EventParser parser = new EventParser(ValidationOptions.defaults(), Clock.systemUTC());
        RejectionReason[] reasons = {RejectionReason.MALFORMED_JSON, RejectionReason.MISSING_FIELD, RejectionReason.INVALID_ID};
        byte[][] invalid = new byte[count][];
        for (int i = 0; i < count; i++) {
            String json = new String(valid[i % valid.length], StandardCharsets.UTF_8);
            RejectionReason reason = reasons[i % reasons.length];
            String broken = switch (reason) {
                case MALFORMED_JSON -> json.substring(0, json.length() - 3);
                case MISSING_FIELD -> json.replaceFirst("\"item_id\":\"[^\"]*\",", "\"item\":\"\",");
                default -> json.replaceFirst("\"user_id\":\"", "\"user_id\":\"\\$");
            };
            invalid[i] = broken.getBytes(StandardCharsets.UTF_8);
            try {
                parser.parse(invalid[i]);
                throw new IllegalStateException("an invalid benchmark record parsed: " + broken);
            } catch (InvalidEventException e) {
                if (e.reason() != reason) {
                    throw new IllegalStateException("expected " + reason + ", the parser said " + e.reason() + " of " + broken);
                }
            }
        }
        return invalid;
    }

    /** The jar on a topic of invalid records until every record is on its dead-letter topic. */
    void invalidStream(int count, JarRun valid) throws Exception {
        String name = "bench-jar-invalid";
        Map<String, String> props = appProperties(name, INVALID_TOPIC);
        props.putAll(o.appProperties);
        MongoAddress mongo = mongoOf(props, name);
        String dlq = INVALID_TOPIC + ".dlq";
        say("[jar invalid] the app's jar on %s: %,d invalid records (malformed JSON, a missing field, an id with '$'"
                + " in turn), until all are on %s (read from the broker); MongoDB: %s", INVALID_TOPIC, count, dlq,
                mongo.describe());
        JarRun run;
        Map<RejectionReason, Long> reasons;
        try (JarApp app = JarApp.start(name, o.jar, o.appJavaOptions, props, b.tmp().resolve(name),
                Path.of("target", "benchmark-" + name + ".log"));
             Admin admin = b.admin()) {
            run = measure(app, "jar invalid", props.get("kafka.consumer.group-id"), count,
                    () -> endOffsets(admin, dlq), false);
        }
        reportRun(run, "invalid records, the jar as its own JVM", "invalid", false, false);
        double ratio = valid == null ? Double.NaN : run.joinRate() / valid.joinRate();
        String rate = valid == null ? "" : String.format(Locale.ROOT, "%,.0f vs %,.0f", run.joinRate(), valid.joinRate());
        String sizes = valid == null || valid.records() == run.records() ? "" : String.format(Locale.ROOT,
                "; %,d invalid records against %,d valid events (--jar-events)", run.records(), valid.records());
        report.row("  invalid vs valid records/s (jar, from the group join" + sizes + (run.complete() ? ""
                        : String.format(Locale.ROOT, "; NOT complete: %,d of %,d in %d s", run.done(), count,
                        o.invalidTimeoutSeconds)) + "): " + rate, ratio, "x", ">= 0.5x", "",
                Double.isNaN(ratio) ? null : ratio >= 0.5);
        report.value("invalid.ratioToValid", Report.round(ratio, 3));
    }

    static long endOffsets(Admin admin, String topic) throws Exception {
        Map<String, TopicDescription> topics;
        try {
            topics = admin.describeTopics(List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return 0; // not created yet
        }
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        topics.get(topic).partitions().forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        return admin.listOffsets(request).all().get(5, TimeUnit.SECONDS).values().stream()
                .mapToLong(ListOffsetsResultInfo::offset).sum();
    }

    // ---------------------------------------------------------------- freshness, from outside

    /**
     * Freshness as a user would check it: the jar runs with its generator off while a probe in the benchmark's JVM
     * writes events stamped with the current time at the set rate; every {@code markerMillis} one of them is a marker,
     * an event of a user of its own ({@code probe-<n>}). An independent reader polls the app's MongoDB every
     * {@code pollMillis} for the markers' user documents: a marker's delay is the time the reader first saw its
     * document minus its timestamp. Next to it, the product's own {@code pulse_freshness_seconds} quantiles, scraped
     * from {@code /observe/metrics} at the end of the measured window.
     */
    void freshness(String topic) throws Exception {
        int perTick = Math.max(1, o.freshnessRate / 100);
        int rate = perTick * 100;
        String name = "bench-jar-fresh";
        Map<String, String> props = appProperties(name, topic);
        props.putAll(o.appProperties);
        MongoAddress mongo = mongoOf(props, name);
        say("[freshness] the app's jar with its generator off; a probe writes %,d events/s stamped now (100 every 10 ms),"
                + " one of them every %d ms a marker of a user of its own, for %d s (the first %d s are the warm-up); a"
                + " reader polls the app's MongoDB (%s) for the markers every %d ms", rate, MARKER_MILLIS,
                o.freshnessSeconds, o.freshnessWarmupSeconds, mongo.describe(), POLL_MILLIS);
        FreshnessProbe.Result r;
        Map<String, Double> product;
        JvmThreadCpu app0;
        JvmThreadCpu app1;
        long broker0;
        long broker1;
        long measuredEvents;
        try (JarApp app = JarApp.start(name, o.jar, o.appJavaOptions, props, b.tmp().resolve(name),
                Path.of("target", "benchmark-" + name + ".log"));
             MongoClient client = mongo.client();
             Admin admin = b.admin()) {
            double join = awaitJoin(app, admin, props.get("kafka.consumer.group-id"), "freshness");
            say("[freshness] the app's consumers joined their group %.1f s after its launch; the probe starts", join);
            FreshnessProbe probe = new FreshnessProbe(b.brokers(), topic, perTick, MARKER_MILLIS, POLL_MILLIS,
                    client.getDatabase(mongo.database()), new GeneratorOptions(10, perTick, o.users, o.items, o.zipf,
                    o.userZipf, BenchEvents.TYPE_MIX, OptionalLong.of(o.seed)));
            long start = probe.start();
            long warm = start + o.freshnessWarmupSeconds * NANOS_PER_SECOND;
            long end = start + o.freshnessSeconds * NANOS_PER_SECOND;
            Benchmark.sleepUntil(warm);
            app0 = app.jvm.cpu();
            broker0 = JvmThreadCpu.processNanos(b.broker().pid());
            long produced0 = probe.sent();
            long nextReport = warm;
            while (System.nanoTime() < end) {
                app.jvm.assertAlive("during the freshness run");
                if (System.nanoTime() >= nextReport) {
                    say("[freshness] t=%.0f s: %,d sent, %,d markers seen, %,d pending", (System.nanoTime() - start) / 1e9,
                            probe.sent(), probe.seen(), probe.pending());
                    nextReport += 5 * NANOS_PER_SECOND;
                }
                Benchmark.sleepUntil(Math.min(end, nextReport));
            }
            product = app.metrics();
            for (int attempt = 1; product == null && attempt < 3; attempt++) {
                product = app.metrics(); // a scrape can time out on a loaded machine
            }
            if (product == null) {
                say("[freshness] the app's /observe/metrics did not answer");
            } else if (product.keySet().stream().noneMatch(k -> k.startsWith("pulse_freshness_seconds{"))) {
                say("[freshness] no pulse_freshness_seconds quantile among %s",
                        product.keySet().stream().filter(k -> k.startsWith("pulse_fresh")).toList());
            }
            app1 = app.jvm.cpu();
            broker1 = JvmThreadCpu.processNanos(b.broker().pid());
            measuredEvents = probe.sent() - produced0;
            r = probe.stop(warm, produced0, 60);
        }
        if (r.samples().length == 0) {
            throw new IllegalStateException("no marker was seen in MongoDB after the warm-up");
        }
        long[] all = r.samples();
        double p50 = Benchmark.percentile(all, 50);
        double p95 = Benchmark.percentile(all, 95);
        double p99 = Benchmark.percentile(all, 99);
        double max = all[all.length - 1];
        double own50 = 1000 * JarApp.sum(product == null ? Map.of() : product, "pulse_freshness_seconds", "quantile=\"0.5\"");
        double own95 = 1000 * JarApp.sum(product == null ? Map.of() : product, "pulse_freshness_seconds", "quantile=\"0.95\"");
        double own99 = 1000 * JarApp.sum(product == null ? Map.of() : product, "pulse_freshness_seconds", "quantile=\"0.99\"");
        double ownMax = 1000 * JarApp.value(product, "pulse_freshness_seconds_max");
        say("[freshness] %,d markers after the warm-up: p50 %.0f, p95 %.0f, p99 %.0f, max %.0f ms (from outside); the"
                        + " product's own: p50 %.0f, p95 %.0f, p99 %.0f, max %.0f ms; probe %,.0f events/s; %d markers never seen",
                all.length, p50, p95, p99, max, own50, own95, own99, ownMax, r.rate(), r.missing());
        String at = " @ " + rate + "/s";
        report.row("freshness from outside, p50 / p95" + at + " (marker events, read from the app's MongoDB)",
                String.format(Locale.ROOT, "%.0f / %.0f", p50, p95), "ms", "", "", null);
        report.row("freshness from outside, p99" + at, p99, "ms", "< 1000 ms", "", p99 < 1000);
        report.row("  the product's own pulse_freshness_seconds p50 / p95 / p99 (its window, warm-up included)",
                String.format(Locale.ROOT, "%.0f / %.0f / %.0f", own50, own95, own99), "ms", "(info)", "", null);
        if (r.warmup().length > 0) {
            report.row("  from outside, p99 during the warm-up (first " + o.freshnessWarmupSeconds + " s after the join)",
                    Benchmark.percentile(r.warmup(), 99), "ms", "(info)", "", null);
        }
        Map<String, Double> m = product == null ? Map.of() : product;
        double pauses = JarApp.sum(m, "jvm_gc_pause_seconds_count", "");
        double pauseSeconds = JarApp.sum(m, "jvm_gc_pause_seconds_sum", "");
        double pauseMax = m.entrySet().stream().filter(e -> e.getKey().startsWith("jvm_gc_pause_seconds_max"))
                .mapToDouble(Map.Entry::getValue).max().orElse(Double.NaN);
        report.row("  the app's GC pauses since its start: count / total / longest of the last minutes",
                String.format(Locale.ROOT, "%.0f / %.2f s / %.0f ms", pauses, pauseSeconds, 1000 * pauseMax), "",
                "(info)", "", null);
        report.value("freshness.gcPauses", pauses);
        report.value("freshness.gcPauseSeconds", Report.round(pauseSeconds, 3));
        report.value("freshness.gcPauseMaxMs", Report.round(1000 * pauseMax, 1));
        report.row("  markers seen after / during the warm-up / never", String.format(Locale.ROOT, "%,d / %,d / %,d",
                all.length, r.warmup().length, r.missing()), "markers", "0 never", "", r.missing() == 0);
        double appMicros = (app1.totalNanos() - app0.totalNanos()) / 1e3 / measuredEvents;
        double brokerMicros = (broker1 - broker0) / 1e3 / measuredEvents;
        report.row("  probe rate; CPU per event after the warm-up: app / broker", String.format(Locale.ROOT,
                "%,.0f; %.1f / %.1f", r.rate(), appMicros, brokerMicros), "events/s; us", "(info)", "", null);
        report.value("freshness.samples", all.length);
        report.value("freshness.p50Ms", p50);
        report.value("freshness.p95Ms", p95);
        report.value("freshness.p99Ms", p99);
        report.value("freshness.maxMs", max);
        report.value("freshness.warmupP99Ms", r.warmup().length == 0 ? Double.NaN : Benchmark.percentile(r.warmup(), 99));
        report.value("freshness.missingMarkers", r.missing());
        report.value("freshness.product.p50Ms", Report.round(own50, 1));
        report.value("freshness.product.p95Ms", Report.round(own95, 1));
        report.value("freshness.product.p99Ms", Report.round(own99, 1));
        report.value("freshness.product.maxMs", Report.round(ownMax, 1));
        report.value("freshness.probeEventsPerSecond", Report.round(r.rate(), 0));
        report.value("freshness.appCpuMicrosPerEvent", Report.round(appMicros, 2));
        report.value("freshness.brokerCpuMicrosPerEvent", Report.round(brokerMicros, 2));
    }

    static final int MARKER_MILLIS = 50;
    static final int POLL_MILLIS = 20;

    /** Waits for the first partition assignment in the app's group; seconds from the launch. */
    private double awaitJoin(JarApp app, Admin admin, String group, String label) throws InterruptedException {
        while (!assigned(admin, group)) {
            app.jvm.assertAlive("during the " + label + " run");
            if (System.nanoTime() - app.jvm.launchNanos > JOIN_TIMEOUT_SECONDS * NANOS_PER_SECOND) {
                throw new IllegalStateException("no consumer of the app got a partition within " + JOIN_TIMEOUT_SECONDS
                        + " s of its launch; see " + app.jvm.log);
            }
            Thread.sleep(50); // polling the broker for the group's state
        }
        return (System.nanoTime() - app.jvm.launchNanos) / 1e9;
    }

    // ---------------------------------------------------------------- memory with 1M distinct users

    /**
     * A user scrambled from the event's position: {@code a * i mod users} with {@code a} prime to {@code users}
     * visits every user once in {@code users} events.
     */
    static String scrambledUser(long i, int users) {
        long a = 7_919; // prime; a divisor of users would repeat users early
        while (users % a == 0) {
            a += 2;
        }
        return InteractionGenerator.userId((int) ((a * i) % users) + 1);
    }

    /** What --memory-features switches on in the memory run: analytics.<feature>.enabled. */
    static final List<String> MEMORY_FEATURES = List.of("unique-users", "sessions", "funnels");

    /**
     * Memory with as many distinct users as {@code --memory-users}: a topic pre-filled with one event per user
     * (users in a scrambled order; items, types and times as the benchmark's generator draws them), drained by the jar
     * with {@code -Xmx} of {@code --memory-xmx} and its own embedded MongoDB, started by default as docs/operations.md
     * advises for a 512 MB box ({@code MALLOC_ARENA_MAX=2}, {@code -XX:+UseG1GC -XX:TrimNativeHeapInterval=1000}, direct
     * buffers capped: {@link BenchmarkOptions#SMALL_BOX_JAVA_OPTIONS}).
     * RSS from {@code /proc} and heap from {@code /observe/metrics} every second until every event is aggregated; then
     * the users documents are counted.
     */

    void memory(String topic, long events) throws Exception {
        String name = "bench-jar-memory";
        Map<String, String> props = appProperties(name, topic);
        if (o.memoryFeatures) {
            for (String feature : MEMORY_FEATURES) {
                props.put("analytics." + feature + ".enabled", "true");
            }
        }
        props.putAll(o.appProperties);
        MongoAddress mongo = mongoOf(props, name);
        List<String> java = new ArrayList<>(o.memoryJavaOptions);
        java.addAll(o.appJavaOptions);
        java.add("-Xmx" + o.memoryXmx());
        StringBuilder env = new StringBuilder();
        o.memoryEnvironment.forEach((key, value) -> env.append(key).append('=').append(value).append(' '));
        boolean smallBox = o.memoryJavaOptions.equals(BenchmarkOptions.SMALL_BOX_JAVA_OPTIONS)
                && o.memoryEnvironment.equals(BenchmarkOptions.SMALL_BOX_ENVIRONMENT);
        say("[memory] the app's jar with %sjava %s (%s) and MongoDB: %s, on %s: %,d events, one per user, %,d distinct"
                        + " users%s", env, String.join(" ", java),
                smallBox ? "the small-box start of docs/operations.md" : "not the small-box start of docs/operations.md",
                mongo.describe(), topic, events, o.memoryUsers,
                o.memoryFeatures ? ", with " + String.join(", ", MEMORY_FEATURES) + " on" : "");
        Path log = Path.of("target", "benchmark-memory-app.log");
        List<MemoryProbe.Sample> samples = new ArrayList<>();
        long users;
        double aggregated = 0;
        int exitCode;
        double seconds;
        try (JarApp app = JarApp.start(name, o.jar, o.memoryEnvironment, java, props, b.tmp().resolve(name), log);
             MongoClient client = mongo.client()) {
            long launch = app.jvm.launchNanos;
            long deadline = launch + o.memoryTimeoutSeconds() * NANOS_PER_SECOND;
            long next = launch;
            long nextReport = launch + 10 * NANOS_PER_SECOND;
            while (aggregated < events && System.nanoTime() < deadline) {
                app.jvm.assertAlive("during the memory run");
                Benchmark.sleepUntil(next);
                next += NANOS_PER_SECOND;
                Map<String, Double> m = app.metrics();
                double heap = m == null ? Double.NaN : JarApp.sum(m, "jvm_memory_used_bytes", "area=\"heap\"");
                aggregated = m == null ? aggregated : JarApp.value(m, "pulse_events_aggregated_total");
                if (Double.isNaN(aggregated)) {
                    aggregated = 0;
                }
                MemoryProbe.Sample s = new MemoryProbe.Sample((System.nanoTime() - launch) / 1e9,
                        MemoryProbe.rss(app.pid()), Double.isNaN(heap) ? -1 : (long) heap, aggregated, Double.NaN);
                samples.add(s);
                if (System.nanoTime() >= nextReport) {
                    say("[memory] t=%.0f s: %,.0f / %,d aggregated, RSS %d MiB, heap used %d MiB", s.t(), aggregated,
                            events, MemoryProbe.mib(s.rss()), MemoryProbe.mib(s.heap()));
                    nextReport += 10 * NANOS_PER_SECOND;
                }
            }
            seconds = (System.nanoTime() - launch) / 1e9;
            // the count command, not countDocuments: the embedded server answers countDocuments' aggregation by
            // reading every document, which runs a 256 MB heap out of memory with a million users
            users = client.getDatabase(mongo.database()).getCollection("users").estimatedDocumentCount();
            exitCode = app.jvm.stop(45);
        }
        MemoryProbe.Result r = MemoryProbe.summarize(samples, o.memoryWarmupSeconds, exitCode, log);
        double maxRssMb = MemoryProbe.mibTenths(r.maxRss());
        double rssGrowth = r.maxRssFirstHalf() <= 0 ? Double.NaN
                : (double) (r.maxRssSecondHalf() - r.maxRssFirstHalf()) / r.maxRssFirstHalf();
        double heapGrowth = r.maxHeapFirstHalf() <= 0 ? Double.NaN
                : (double) (r.maxHeapSecondHalf() - r.maxHeapFirstHalf()) / r.maxHeapFirstHalf();
        // a heap that is too small shows as OutOfMemoryError and failed batches, not as RSS: check the app's log too
        // (ERROR lines only before the stop: Camel's shutdown timeout interrupts Kafka clients, which log that)
        long outOfMemory = Benchmark.countLines(log, "OutOfMemoryError", null);
        long errors = Benchmark.countLines(log, " ERROR ", "is shutting down");
        say("[memory] %,d users documents, %,.0f events aggregated in %.0f s; max RSS %.1f MiB (halves after the %d s"
                        + " warm-up: %d -> %d), max heap used %d MiB; %d OutOfMemoryError and %d ERROR lines in %s; exit %d",
                users, aggregated, seconds, maxRssMb, o.memoryWarmupSeconds, MemoryProbe.mib(r.maxRssFirstHalf()),
                MemoryProbe.mib(r.maxRssSecondHalf()), MemoryProbe.mib(r.maxHeap()), outOfMemory, errors, log, exitCode);
        String at = " (" + env + String.join(" ", java) + ", the app's jar and its embedded MongoDB"
                + (o.memoryFeatures ? ", " + String.join(", ", MEMORY_FEATURES) + " on" : "") + ")";
        report.row("memory: distinct users reached (users documents in MongoDB)", users, "users",
                String.format(Locale.ROOT, "%,d reached", o.memoryUsers), "", users >= o.memoryUsers);
        report.row("memory: max RSS of the app's process" + at, String.format(Locale.ROOT, "%.1f", maxRssMb), "MiB", "< 512 MB", "",
                MemoryProbe.underTarget(r.maxRss()));
        report.row("  OutOfMemoryError / ERROR (before stop) lines in the app's log", outOfMemory + " / " + errors,
                "lines", "0 / 0", "", outOfMemory == 0 && errors == 0);
        report.row("  RSS growth, 2nd vs 1st half after the " + o.memoryWarmupSeconds + " s warm-up (max "
                + MemoryProbe.mib(r.maxRssFirstHalf()) + " -> " + MemoryProbe.mib(r.maxRssSecondHalf()) + " MiB)",
                100 * rssGrowth, "%", "no growth (<= 10%)", "", !(rssGrowth > 0.10));
        report.row("  max heap used; heap growth 2nd vs 1st half", String.format(Locale.ROOT, "%d MiB; %+.0f%%",
                MemoryProbe.mib(r.maxHeap()), 100 * heapGrowth), "", "(info)", "", null);
        report.row("  aggregated with that many new users (launch -> last write)", aggregated / seconds, "events/s",
                "(info)", "", null);
        report.value("memory.features", o.memoryFeatures ? MEMORY_FEATURES : List.of());
        report.value("memory.javaOptions", java);
        report.value("memory.environment", o.memoryEnvironment);
        report.value("memory.smallBoxStart", smallBox);
        report.value("memory.usersReached", users);
        report.value("memory.events", events);
        report.value("memory.aggregated", aggregated);
        report.value("memory.seconds", Report.round(seconds, 1));
        report.value("memory.maxRssMiB", maxRssMb);
        report.value("memory.maxRssBytes", r.maxRss());
        report.value("memory.maxHeapUsedMiB", MemoryProbe.mib(r.maxHeap()));
        report.value("memory.rssGrowth", Report.round(rssGrowth, 4));
        report.value("memory.heapGrowth", Report.round(heapGrowth, 4));
        report.value("memory.rssSlopeMiBPerMinute", Report.round(r.rssSlope() * 60 / 1048576, 2));
        report.value("memory.exitCode", exitCode);
        report.value("memory.outOfMemoryErrors", outOfMemory);
        report.value("memory.errorLines", errors);
        report.value("memory.log", log.toString());
        List<Map<String, Object>> out = new ArrayList<>();
        for (MemoryProbe.Sample s : samples) {
            out.add(Map.of("t", Report.round(s.t(), 1), "rssMiB", MemoryProbe.mibTenths(s.rss()), "heapMiB",
                    MemoryProbe.mib(s.heap()), "aggregated", s.aggregated()));
        }
        report.value("memory.samples", out);
    }

    // ---------------------------------------------------------------- measuring a run

    interface Counter {
        long read() throws Exception;
    }

    /**
     * Watches the app from its launch: the first partition assignment in its group (polled from the broker every
     * 50 ms), {@code done} (polled every 20 ms after that, 100 ms when it asks the broker) until it reaches
     * {@code records} or the deadline, and a
     * sample a second of both processes' CPU time, the app's RSS and its progress counters.
     *
     * @param aggregated whether progress is the app's aggregated-plus-held events (else it is {@code done})
     */
    JarRun measure(JarApp app, String label, String group, long records, Counter done, boolean aggregated) throws Exception {
        long launch = app.jvm.launchNanos;
        long timeout = (aggregated ? o.e2eTimeoutSeconds : o.invalidTimeoutSeconds) * NANOS_PER_SECOND;
        JvmThreadCpu broker0 = b.broker().cpu();
        List<JarRun.Sample> samples = new ArrayList<>();
        long joined = 0;
        long end;
        long count = 0;
        long maxRss = 0;
        long nextSample = launch;
        long nextReport = launch + 5 * NANOS_PER_SECOND;
        JarRun.Sample lastReported = null;
        try (Admin admin = b.admin()) {
            while (true) {
                long now = System.nanoTime();
                app.jvm.assertAlive("during the " + label + " run");
                if (joined == 0 && assigned(admin, group)) {
                    joined = System.nanoTime();
                    say("[%s] the app's consumers joined their group %.2f s after the launch", label, (joined - launch) / 1e9);
                } else if (joined == 0 && now - launch > JOIN_TIMEOUT_SECONDS * NANOS_PER_SECOND) {
                    throw new IllegalStateException("no consumer of the app got a partition within " + JOIN_TIMEOUT_SECONDS
                            + " s of its launch; see " + app.jvm.log);
                }
                if (joined != 0) {
                    try {
                        count = done.read();
                    } catch (Exception e) {
                        // not answering yet
                    }
                    if (count >= records) {
                        end = System.nanoTime();
                        break;
                    }
                }
                if (now >= nextSample) {
                    double progress = Double.NaN;
                    if (joined != 0) {
                        if (aggregated) {
                            Map<String, Double> m = app.metrics();
                            if (m != null) {
                                progress = JarApp.value(m, "pulse_events_aggregated_total") + JarApp.value(m, "pulse_events_held");
                            }
                        } else {
                            progress = count;
                        }
                    }
                    long rss = MemoryProbe.rss(app.pid());
                    maxRss = Math.max(maxRss, rss);
                    JarRun.Sample sample = new JarRun.Sample((now - launch) / 1e9, app.jvm.cpu(),
                            b.broker().cpu().since(broker0).totalNanos(), progress, rss);
                    samples.add(sample);
                    nextSample += NANOS_PER_SECOND;
                    if (now >= nextReport) {
                        report(label, sample, lastReported, count, records);
                        lastReported = sample;
                        nextReport += 5 * NANOS_PER_SECOND;
                    }
                }
                if (now - launch > timeout) {
                    end = now;
                    say("[%s] deadline: %,d of %,d records done after %.0f s", label, count, records, (now - launch) / 1e9);
                    break;
                }
                // polling from outside, as a user's check would: its MongoDB is cheap to ask, the broker less so
                Thread.sleep(joined == 0 ? 50 : aggregated ? 20 : 100);
            }
        }
        JvmThreadCpu appCpu = app.jvm.cpu();
        long brokerCpu = b.broker().cpu().since(broker0).totalNanos();
        maxRss = Math.max(maxRss, MemoryProbe.rss(app.pid()));
        return new JarRun(records, count, count >= records, joined == 0 ? Double.NaN : (joined - launch) / 1e9,
                (end - launch) / 1e9, appCpu, brokerCpu, samples, maxRss);
    }

    private static void report(String label, JarRun.Sample s, JarRun.Sample previous, long done, long records) {
        JvmThreadCpu app = previous == null ? s.app() : s.app().since(previous.app());
        double seconds = previous == null ? s.t() : s.t() - previous.t();
        long broker = previous == null ? s.brokerCpuNanos() : s.brokerCpuNanos() - previous.brokerCpuNanos();
        say("[%s] t=%.0f s: %,d / %,d done, %,.0f taken in; app %.0f%% of a core (JIT %.0f%%, GC %.0f%%), broker %.0f%%,"
                        + " RSS %d MiB", label, s.t(), done, records, s.progress(), 100 * app.totalNanos() / 1e9 / seconds,
                100 * app.jitNanos() / 1e9 / seconds, 100 * app.gcNanos() / 1e9 / seconds, 100 * broker / 1e9 / seconds,
                MemoryProbe.mib(s.rss()));
    }

    private static boolean assigned(Admin admin, String group) {
        try {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).describedGroups()
                    .get(group).get(5, TimeUnit.SECONDS);
            return description.members().stream().anyMatch(m -> !m.assignment().topicPartitions().isEmpty());
        } catch (Exception e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- the app's configuration

    /** The app's properties for a jar run: the benchmark's broker, its own ports, group and data directory. */
    Map<String, String> appProperties(String name, String topic) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kafka.brokers", b.brokers());
        m.put("kafka.topic", topic);
        m.put("kafka.topic.partitions", String.valueOf(o.partitions));
        m.put("kafka.consumer.group-id", name + "-group");
        m.put("generator.enabled", "false");
        if (!o.batchRecords.equalsIgnoreCase("auto")) {
            // "auto" is the default; given as a system property it would win over the number the app resolves it to
            m.put("aggregation.batch.max-records", o.batchRecords);
        }
        m.put("camel.server.port", String.valueOf(FreePorts.next()));
        m.put("camel.management.port", String.valueOf(FreePorts.next()));
        m.put("mongodb.embedded.port", String.valueOf(FreePorts.next()));
        m.put("pulse.data-dir", b.tmp().resolve(name).resolve("data").toString());
        if (o.mongoUri != null) {
            m.put("mongodb.uri", o.mongoUri);
            m.put("mongodb.database", name.replace('-', '_'));
        }
        return m;
    }

    /** Where the app of these properties keeps its aggregates: its embedded server unless mongodb.uri says otherwise. */
    private static MongoAddress mongoOf(Map<String, String> props, String name) {
        String uri = props.get("mongodb.uri");
        String database = props.getOrDefault("mongodb.database", BenchmarkOptions.appDefault("mongodb.database"));
        if (uri == null || uri.equalsIgnoreCase("embedded")) {
            return new MongoAddress("mongodb://127.0.0.1:" + props.get("mongodb.embedded.port"), database, true);
        }
        return new MongoAddress(uri, database, false);
    }

    private record MongoAddress(String uri, String database, boolean embedded) {
        String describe() {
            return embedded ? "the app's own embedded server (mongodb.uri=embedded, persistent)" : "external, " + uri;
        }

        /** A client that fails fast while the app's server is not up yet. */
        MongoClient client() {
            return MongoClients.create(MongoClientSettings.builder().applyConnectionString(new ConnectionString(uri))
                    .applyToClusterSettings(c -> c.serverSelectionTimeout(2, TimeUnit.SECONDS))
                    .applyToSocketSettings(s -> s.connectTimeout(2, TimeUnit.SECONDS)).build());
        }
    }

    static void say(String format, Object... args) {
        Benchmark.say(format, args);
    }
}
