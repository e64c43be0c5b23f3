package pulse.bench;

import com.mongodb.ConnectionString;
import pulse.generator.EventShape;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * The benchmark's flags ({@code --name value}, or {@code --name} alone for a switch). Every field has the default
 * of the scenario: 10k users, 1k items, Zipf 1.1, 6 partitions, 2M events.
 */
public final class BenchmarkOptions {

    long events = 2_000_000;
    /**
     * --jar-events: events of the jar's end-to-end runs on the main topic when more than {@link #events} (0: as many):
     * the ceilings are measured on the first {@code events}, then the rest of the same sequence is appended.
     */
    long jarEvents;
    /**
     * --cold-events: the jar's cold-start runs (plain, and the documented start with AppCDS and the parallel GC) on a
     * topic of their own holding the first K of the events (0: none), so that a run with --jar-events reports the
     * from-launch rate of issue 18 (2M events) next to its steady state.
     */
    long coldEvents;
    int users = 10_000;
    int items = 1_000;
    double zipf = 1.1;
    double userZipf = 0.8;
    int partitions = 6;
    long seed = 42;
    /** aggregation.batch.max-records of the app in the end-to-end phase: the app's default unless a flag says. */
    String batchRecords = appDefault("aggregation.batch.max-records");
    /** "persistent" (the app's embedded default: an H2 file committed after every write) or "memory". */
    String mongo = "persistent";
    /** An existing MongoDB instead of the embedded server (its bench_* databases are dropped first). */
    String mongoUri;
    long e2eTimeoutSeconds = 1_200;
    int naiveEvents = 20_000;
    long naiveTimeoutSeconds = 600;
    int freshnessRate = 10_000;
    /** Long enough for a steady state: the first seconds start the app on an empty database. */
    int freshnessSeconds = 80;
    int freshnessWarmupSeconds = 40;
    int generatorSeconds = 10;
    int generatorWarmupSeconds = 2;
    int generatorMaxTick = 5_000;
    List<Integer> generatorRates = List.of(1_000, 5_000, 10_000);
    boolean skipGenerator;
    boolean skipFreshness;
    boolean skipNaive;
    boolean skipMemory;
    /** No run of the app's jar as its own process (end to end and invalid records). */
    boolean skipJar;
    boolean skipInvalid;
    /** No end-to-end run of the app inside the benchmark's JVM. */
    boolean skipInProcess;
    /**
     * Records of the invalid-stream run (its topic holds only invalid records); by default as many as the valid run's
     * events: the rates compared are from the group join, and the first ~20 s after it are the JIT's warm-up, so a
     * shorter run than the valid one would compare a warm-up against a steady state (200k invalid records took 5.6 s
     * after the join, at 0.499x the 2M valid events' rate).
     */
    int invalidEvents = -1;
    long invalidTimeoutSeconds = 600;
    /** JVM options of the app's jar in its own process (--app-java-options "-Xmx1g -XX:..."): none, as users start it. */
    List<String> appJavaOptions = List.of();
    /** No AppCDS training run and no end-to-end run with its archive. */
    boolean skipCds;
    /** No cost ladder under the consumer ceiling (parse, fold, camel-kafka): quicker experiments. */
    boolean skipLadder;
    /** Events of the AppCDS training run (a prefix of the benchmark's data). */
    long cdsEvents = 20_000;
    /** Further end-to-end runs of the jar, each with its own JVM options (--variant label=options): experiments. */
    Map<String, List<String>> variants = new LinkedHashMap<>();
    /** Events of each event shape's end-to-end run (a prefix of the benchmark's data; all of it when fewer). */
    long shapeEvents = 1_000_000;
    /** Events and passes of each shape's parse-cost measurement. */
    int shapeParseEvents = 200_000;
    int shapeParsePasses = 5;
    /** The shapes with an end-to-end run of their own; the product's own ({@code pulse}) always, as the reference. */
    List<EventShape> shapes = List.of(EventShape.values());
    boolean skipShapes;
    /** Runnable jars (of other commits) compared end to end, in turn: label -> jar. */
    Map<String, Path> compareJars = new LinkedHashMap<>();
    int compareRounds = 2;
    int memoryUsers = 1_000_000;
    /** --memory-timeout; unset: {@link #memoryTimeoutSeconds()}. */
    Long memoryTimeout;
    int memoryWarmupSeconds = 10;
    /** --memory-xmx; unset: {@link #memoryXmx()}. */
    String memoryXmx;
    /**
     * JVM options of the memory run, before --app-java-options and -Xmx: the small-box start of docs/operations.md.
     * G1, named because on a box of less than 1792 MB or one CPU the JVM would pick the serial collector, which kept
     * the run with sessions and funnels in full collections (79 % of its time, 357k events aggregated in 450 s); the
     * JVM trimming glibc's heap every second ({@code TrimNativeHeapInterval}, a product option of Java 17.0.15), which
     * returns what the C2 compiler's arenas and other threads freed (max RSS 473 MiB instead of 489 with G1 alone).
     * Not the parallel collector that docs/operations.md advises for throughput: at -Xmx256m it ran out of memory
     * ({@code GC overhead limit exceeded} at ~550k users, docs/benchmark.md). Direct buffers capped twice: the JDK keeps
     * a temporary direct buffer per thread as large as the largest heap buffer it read or wrote through a channel (the
     * embedded store writes each commit's chunk, MBs, from a heap buffer), so {@code jdk.nio.maxCachedBufferSize} keeps
     * those of up to 1 MiB (a Kafka fetch of 256 KiB partitions) and frees larger ones at once; and Netty's pooled
     * allocator (the HTTP server's) takes 1 MiB chunks instead of 4 MiB per arena ({@code io.netty.allocator.maxOrder}).
     */
    static final List<String> SMALL_BOX_JAVA_OPTIONS = List.of("-XX:+UseG1GC", "-XX:TrimNativeHeapInterval=1000",
            "-Djdk.nio.maxCachedBufferSize=1048576", "-Dio.netty.allocator.maxOrder=7");
    /** The environment of the small-box start: two glibc malloc arenas instead of up to 8 per core. */
    static final Map<String, String> SMALL_BOX_ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "2");
    List<String> memoryJavaOptions = SMALL_BOX_JAVA_OPTIONS;
    /** Environment variables of the memory run's app, added to the benchmark's own (--memory-env). */
    Map<String, String> memoryEnvironment = SMALL_BOX_ENVIRONMENT;
    /** The memory run with unique users, sessions and funnels on (--memory-features). */
    boolean memoryFeatures;

    /**
     * How long the memory run may take to reach its users: a guard against a stuck run, not a target. 900 s, or 1,800
     * with sessions and funnels on: at -Xmx256m they drain ~1,100 new users a second on 2 cores, so 1M users take
     * about 900 s themselves and a busy machine pushed them past it (994,343 in 900 s, docs/benchmark.md).
     */
    /**
     * The memory run's heap: docs/operations.md's small-box start, -Xmx256m, or -Xmx240m with sessions and funnels on,
     * which leaves the JVM's own memory room under 512 MB (max RSS 458.9 MiB against 487.1 at 256m, docs/benchmark.md).
     */
    String memoryXmx() {
        return memoryXmx != null ? memoryXmx : memoryFeatures ? "240m" : "256m";
    }

    long memoryTimeoutSeconds() {
        return memoryTimeout != null ? memoryTimeout : memoryFeatures ? 1_800 : 900;
    }
    Path jar = Path.of("target", "interaction-pulse.jar");
    Path out = Path.of("target", "benchmark.json");
    /** Extra property overrides for every in-process and separate app (--set key=value, repeatable): experiments. */
    Map<String, String> appProperties = new LinkedHashMap<>();
    /** When set, a JFR recording (profile settings) of the end-to-end phase is written there. */
    Path jfr;

    public static BenchmarkOptions defaults() {
        return new BenchmarkOptions();
    }

    public static BenchmarkOptions parse(String... args) {
        BenchmarkOptions o = new BenchmarkOptions();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.isBlank()) {
                continue;
            }
            if (!flag.startsWith("--")) {
                throw new IllegalArgumentException("Unexpected argument '" + flag + "'; flags look like --events 2000000\n" + usage());
            }
            String name = flag.substring(2);
            if (name.equals("help")) {
                throw new IllegalArgumentException(usage());
            }
            switch (name) {
                case "skip-memory" -> o.skipMemory = true;
                case "skip-generator" -> o.skipGenerator = true;
                case "skip-freshness" -> o.skipFreshness = true;
                case "skip-naive" -> o.skipNaive = true;
                case "skip-jar" -> o.skipJar = true;
                case "skip-invalid" -> o.skipInvalid = true;
                case "skip-in-process" -> o.skipInProcess = true;
                case "skip-cds" -> o.skipCds = true;
                case "skip-ladder" -> o.skipLadder = true;
                case "skip-shapes" -> o.skipShapes = true;
                case "memory-features" -> o.memoryFeatures = true;
                default -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(flag + " needs a value\n" + usage());
                    }
                    o.set(name, args[++i]);
                }
            }
        }
        o.validate();
        return o;
    }

    private void set(String name, String value) {
        try {
            switch (name) {
                case "events" -> events = positiveLong(value);
                case "jar-events" -> jarEvents = positiveLong(value);
                case "cold-events" -> coldEvents = positiveLong(value);
                case "users" -> users = positiveInt(value);
                case "items" -> items = positiveInt(value);
                case "zipf" -> zipf = positiveDouble(value);
                case "user-zipf" -> userZipf = positiveDouble(value);
                case "partitions" -> partitions = positiveInt(value);
                case "seed" -> seed = Long.parseLong(value);
                case "batch-records" -> batchRecords = String.valueOf(positiveInt(value));
                case "mongo" -> mongo = value.toLowerCase(Locale.ROOT);
                case "mongo-uri" -> mongoUri = value;
                case "e2e-timeout" -> e2eTimeoutSeconds = positiveLong(value);
                case "naive-events" -> naiveEvents = positiveInt(value);
                case "invalid-events" -> invalidEvents = positiveInt(value);
                case "invalid-timeout" -> invalidTimeoutSeconds = positiveLong(value);
                case "cds-events" -> cdsEvents = positiveLong(value);
                case "variant" -> {
                    int eq = value.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--variant needs label=options, not " + value);
                    }
                    variants.put(value.substring(0, eq).trim(), jvmOptions(value.substring(eq + 1)));
                }
                case "app-java-options" -> appJavaOptions = jvmOptions(value);
                case "naive-timeout" -> naiveTimeoutSeconds = positiveLong(value);
                case "freshness-rate" -> freshnessRate = positiveInt(value);
                case "freshness-seconds" -> freshnessSeconds = positiveInt(value);
                case "freshness-warmup" -> freshnessWarmupSeconds = Integer.parseInt(value);
                case "generator-seconds" -> generatorSeconds = positiveInt(value);
                case "generator-warmup" -> generatorWarmupSeconds = Integer.parseInt(value);
                case "generator-max-tick" -> generatorMaxTick = positiveInt(value);
                case "generator-rates" -> {
                    List<Integer> rates = new ArrayList<>();
                    for (String rate : value.split(",")) {
                        if (!rate.isBlank()) {
                            rates.add(positiveInt(rate.trim()));
                        }
                    }
                    generatorRates = List.copyOf(rates);
                }
                case "shape-events" -> shapeEvents = positiveLong(value);
                case "shape-parse-events" -> shapeParseEvents = positiveInt(value);
                case "shape-parse-passes" -> shapeParsePasses = positiveInt(value);
                case "shapes" -> {
                    List<EventShape> list = new ArrayList<>(List.of(EventShape.PULSE));
                    for (String shape : value.split(",")) {
                        if (!shape.isBlank()) {
                            try {
                                EventShape parsed = EventShape.parse(shape.trim());
                                if (!list.contains(parsed)) {
                                    list.add(parsed);
                                }
                            } catch (IllegalArgumentException e) {
                                throw new IllegalArgumentException("--shapes " + shape.trim() + ": " + e.getMessage());
                            }
                        }
                    }
                    shapes = List.copyOf(list);
                }
                case "compare-jar" -> {
                    int eq = value.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--compare-jar needs label=path, not " + value);
                    }
                    compareJars.put(value.substring(0, eq).trim(), Path.of(value.substring(eq + 1).trim()));
                }
                case "compare-rounds" -> compareRounds = positiveInt(value);
                case "memory-users" -> memoryUsers = positiveInt(value);
                case "memory-timeout" -> memoryTimeout = positiveLong(value);
                case "memory-warmup" -> memoryWarmupSeconds = Integer.parseInt(value);
                case "memory-xmx" -> memoryXmx = value;
                case "memory-java-options" -> memoryJavaOptions = value.trim().equals("none") ? List.of() : jvmOptions(value);
                case "memory-env" -> memoryEnvironment = environment(value);
                case "jar" -> jar = Path.of(value);
                case "out" -> out = Path.of(value);
                case "jfr" -> jfr = Path.of(value);
                case "set" -> {
                    int eq = value.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--set needs key=value, not " + value);
                    }
                    appProperties.put(value.substring(0, eq).trim(), value.substring(eq + 1).trim());
                }
                default -> throw new IllegalArgumentException("Unknown flag --" + name + "\n" + usage());
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " " + value + ": not a valid number");
        }
    }

    /** JVM options as one flag's value, separated by white space; none when blank. */
    private static List<String> jvmOptions(String value) {
        return value.isBlank() ? List.of() : List.of(value.trim().split("\\s+"));
    }

    /** Environment variables as one flag's value, K=V separated by white space; none (or blank): no additions. */
    private static Map<String, String> environment(String value) {
        Map<String, String> environment = new LinkedHashMap<>();
        if (value.isBlank() || value.trim().equals("none")) {
            return environment;
        }
        for (String pair : value.trim().split("\\s+")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--memory-env needs NAME=VALUE pairs, not " + pair);
            }
            environment.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return environment;
    }

    /** Events of the jar's end-to-end runs on the main topic: --jar-events, or --events. */
    long jarEvents() {
        return jarEvents > 0 ? jarEvents : events;
    }

    private void validate() {
        if (jarEvents > 0) {
            if (jarEvents <= events) {
                throw new IllegalArgumentException("--jar-events " + jarEvents + " must be more than --events " + events
                        + " (the jar's runs read the --events of the ceilings and the rest appended after them)");
            }
            if (skipJar) {
                throw new IllegalArgumentException("--jar-events is for the jar's runs: it cannot go with --skip-jar");
            }
            if (!skipInProcess) {
                throw new IllegalArgumentException("--jar-events appends to the topic that the end to end in the"
                        + " benchmark's JVM reads and checks against --events: add --skip-in-process");
            }
        }
        if (coldEvents > 0) {
            if (coldEvents > events) {
                throw new IllegalArgumentException("--cold-events " + coldEvents + " must be at most --events " + events
                        + " (the cold-start topic gets the first of the ceilings' pre-serialized events)");
            }
            if (skipJar) {
                throw new IllegalArgumentException("--cold-events is for the jar's runs: it cannot go with --skip-jar");
            }
        }
        if (invalidEvents < 0) {
            invalidEvents = (int) Math.min(events, Integer.MAX_VALUE - 8);
        }
        if (!mongo.equals("persistent") && !mongo.equals("memory")) {
            throw new IllegalArgumentException("--mongo must be persistent or memory, not " + mongo);
        }
        if (freshnessWarmupSeconds < 0 || freshnessWarmupSeconds >= freshnessSeconds) {
            throw new IllegalArgumentException("--freshness-warmup must be at least 0 and less than --freshness-seconds");
        }
        if (generatorWarmupSeconds < 0) {
            throw new IllegalArgumentException("--generator-warmup must not be negative");
        }
        if (naiveEvents > events) {
            naiveEvents = (int) events; // the naive baseline runs on a prefix of the same data
        }
    }

    /** A default from the app's application.properties, so the benchmark measures what users run. */
    static String appDefault(String key) {
        Properties properties = new Properties();
        try (InputStream in = BenchmarkOptions.class.getResourceAsStream("/application.properties")) {
            properties.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("application.properties is not on the classpath", e);
        }
        return Objects.requireNonNull(properties.getProperty(key), key).trim();
    }

    /** What the run was configured with, for the report. */
    Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("events", events);
        d.put("jarEvents", jarEvents());
        d.put("coldEvents", coldEvents);
        d.put("users", users);
        d.put("items", items);
        d.put("itemZipf", zipf);
        d.put("userZipf", userZipf);
        d.put("partitions", partitions);
        d.put("seed", seed);
        d.put("e2eBatchMaxRecords", batchRecords);
        d.put("mongo", mongoUri != null ? "external MongoDB at " + new ConnectionString(mongoUri).getHosts()
                : mongo.equals("memory") ? "embedded, in memory" : "embedded, persistent (H2 file, commit per write)");
        d.put("naiveEvents", skipNaive ? 0 : naiveEvents);
        d.put("invalidEvents", skipInvalid || skipJar ? 0 : invalidEvents);
        d.put("appJavaOptions", appJavaOptions);
        d.put("appCds", !skipCds && !skipJar);
        d.put("variants", variants);
        d.put("shapes", skipShapes || skipJar ? List.of() : shapes.stream().map(EventShape::property).toList());
        d.put("shapeEvents", Math.min(shapeEvents, events));
        d.put("compareJars", compareJars.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        d.put("compareRounds", compareJars.isEmpty() ? 0 : compareRounds);
        d.put("freshnessRate", freshnessRate);
        d.put("freshnessSeconds", freshnessSeconds);
        d.put("freshnessWarmupSeconds", freshnessWarmupSeconds);
        d.put("generatorSeconds", generatorSeconds);
        d.put("generatorRates", generatorRates);
        d.put("memoryUsers", memoryUsers);
        d.put("memoryTimeoutSeconds", memoryTimeoutSeconds());
        d.put("memoryWarmupSeconds", memoryWarmupSeconds);
        d.put("memoryXmx", memoryXmx());
        d.put("memoryJavaOptions", memoryJavaOptions);
        d.put("memoryEnvironment", memoryEnvironment);
        d.put("memoryFeatures", memoryFeatures);
        d.put("appProperties", appProperties);
        d.put("skipped", skipped());
        return d;
    }

    List<String> skipped() {
        List<String> skipped = new ArrayList<>();
        if (skipNaive) {
            skipped.add("naive");
        }
        if (skipFreshness) {
            skipped.add("freshness");
        }
        if (skipGenerator) {
            skipped.add("generator");
        }
        if (skipMemory) {
            skipped.add("memory");
        }
        if (skipJar) {
            skipped.add("jar");
        }
        if (skipInvalid) {
            skipped.add("invalid");
        }
        if (skipInProcess) {
            skipped.add("in-process");
        }
        if (skipCds) {
            skipped.add("cds");
        }
        if (skipLadder) {
            skipped.add("ladder");
        }
        if (skipShapes) {
            skipped.add("shapes");
        }
        return skipped;
    }

    static String usage() {
        return String.join("\n",
                "Usage: mvn -q test-compile exec:java@bench -Dexec.args=\"--events 2000000 ...\"",
                "  --events N              events of the end-to-end run (2000000)",
                "  --jar-events M          events of the jar's runs on the main topic (--events): after the ceilings on",
                "                          the first N, the rest of the same sequence is appended (needs --skip-in-process)",
                "  --cold-events K         the jar's cold start on a topic of its own with the first K events (K <= N):",
                "                          plain, and with AppCDS and the parallel GC unless --skip-cds (none)",
                "  --users N / --items N   distinct users (10000) and items (1000)",
                "  --zipf X                item popularity Zipf exponent (1.1); --user-zipf X (0.8)",
                "  --partitions N          partitions of the topics (6)",
                "  --seed N                generator seed (42)",
                "  --batch-records N       aggregation.batch.max-records in the end-to-end run (the app's default)",
                "  --mongo persistent|memory  embedded MongoDB store (persistent, like the app's default)",
                "  --mongo-uri URI         use an existing MongoDB instead (its bench_* databases are dropped first)",
                "  --naive-events N        events for the naive baseline (20000); --skip-naive",
                "  --skip-jar              no run of the app's jar as its own JVM (end to end, invalid records)",
                "  --invalid-events N      records of the invalid-stream run (--events); --invalid-timeout S (600); --skip-invalid",
                "  --app-java-options \"..\" JVM options of the app's jar in its own JVM (none)",
                "  --skip-in-process       no end-to-end run inside the benchmark's JVM",
                "  --skip-cds              no AppCDS training run and no end-to-end run with its archive; --cds-events N (20000)",
                "  --skip-ladder           no cost ladder under the consumer ceiling",
                "  --variant L=OPTIONS     one more end-to-end run of the jar with these JVM options, labelled L (repeatable;",
                "                          @cds stands for -XX:SharedArchiveFile=<the AppCDS run's archive>)",
                "  --shape-events N        events of each event shape's end-to-end run (1000000; at most --events);",
                "                          --shapes A,B (the shapes that get one, pulse always: all of generator.format's)",
                "  --shape-parse-events N  events of each shape's parse-cost measurement (200000); --shape-parse-passes N (5)",
                "  --skip-shapes           no per-shape rows",
                "  --compare-jar L=PATH    compare this runnable jar end to end, labelled L (repeatable: the jars run in turn,",
                "                          A B A B ..., on the main topic); --compare-rounds N (2)",
                "  --freshness-rate N      events/s during the freshness run (10000)",
                "  --freshness-seconds N   length of the freshness run (80); --freshness-warmup N (40); --skip-freshness",
                "  --generator-seconds N   length of each generator measurement (10); --generator-warmup N (2)",
                "  --generator-rates A,B   set rates for the rate-error check (1000,5000,10000); --generator-max-tick N (5000)",
                "  --skip-generator",
                "  --memory-users N        distinct users of the memory run, one event each (1000000)",
                "  --memory-timeout S      longest memory run (900; 1800 with --memory-features); --memory-warmup N (10 s, left out of the growth check)",
                "  --memory-xmx SIZE       heap of the memory run (256m; 240m with --memory-features); --skip-memory",
                "  --memory-java-options \"..\" JVM options of the memory run, before --app-java-options and -Xmx",
                "                          (the small-box start of docs/operations.md: -XX:+UseG1GC -XX:TrimNativeHeapInterval=1000",
                "                          -Djdk.nio.maxCachedBufferSize=1048576 -Dio.netty.allocator.maxOrder=7;",
                "                          none: the JVM's defaults)",
                "  --memory-env \"K=V ..\"  environment of the memory run's app (MALLOC_ARENA_MAX=2; none: the benchmark's own)",
                "  --memory-features       the memory run with unique users, sessions and funnels on",
                "  --jar PATH              the runnable jar of the app's own runs (target/interaction-pulse.jar)",
                "  --jfr PATH              record the end-to-end phase with JFR into PATH",
                "  --set KEY=VALUE         extra app property for every app the benchmark starts (repeatable)",
                "  --out PATH              JSON result (target/benchmark.json)");
    }

    private static long positiveLong(String value) {
        long parsed = Long.parseLong(value.replace("_", ""));
        if (parsed <= 0) {
            throw new NumberFormatException();
        }
        return parsed;
    }

    private static int positiveInt(String value) {
        long parsed = positiveLong(value);
        if (parsed > Integer.MAX_VALUE) {
            throw new NumberFormatException();
        }
        return (int) parsed;
    }

    private static double positiveDouble(String value) {
        double parsed = Double.parseDouble(value);
        if (!(parsed > 0) || !Double.isFinite(parsed)) {
            throw new NumberFormatException();
        }
        return parsed;
    }

    @Override
    public String toString() {
        return describe() + (jfr == null ? "" : " jfr=" + jfr);
    }
}
