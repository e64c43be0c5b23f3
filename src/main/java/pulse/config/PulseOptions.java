package pulse.config;

import pulse.aggregate.Conversion;
import pulse.aggregate.Rollups;
import pulse.event.EventMapping;
import pulse.event.InteractionTypes;
import pulse.event.ValidationOptions;
import pulse.generator.EventShape;
import pulse.generator.GeneratorOptions;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Every option of the pipeline, read and validated once at start. Defaults and documentation live in
 * application.properties and README.md.
 */
public record PulseOptions(String kafkaTopic, int topicPartitions, short replicationFactor, String consumerGroupId,
                           String mongoUri,
                           String mongoDatabase, GeneratorOptions generator, ValidationOptions validation,
                           Rollups rollups, Duration windowGrace, Duration windowRetention,
                           Duration progressLogInterval, int batchMaxRecords, int maxPartitionFetchBytes, int consumers,
                           int writeMaxEvents,
                           Duration writeMaxDelay, EventMapping events, Conversion conversion, Dedup dedup) {

    /**
     * Dropping duplicates of events already counted ({@code dedup.*}).
     *
     * @param horizon            how far apart in event time an id counts as the same event; null when off
     * @param maxIdsPerPartition the most ids remembered per partition
     */
    public record Dedup(Duration horizon, int maxIdsPerPartition) {
        public boolean isOn() {
            return horizon != null;
        }
    }

    /** Heap one buffered record takes in a camel-kafka batch (its exchange, headers, record and event), measured. */
    static final long BYTES_PER_BUFFERED_RECORD = 1_500;
    /**
     * Heap one event takes in a fold waiting to be written: {@code FoldFootprint} measured 120 bytes on 500k events
     * with 10k users (the event and its share of the deltas), 256 with 1M users, 334 when they are uniform; in the
     * app itself, draining the memory run's topic (one event per user, 1M users), a class histogram with ~198,000
     * events in the two folds and ~21,000 records in batches showed 210 MB live: ~750 bytes per held event once the
     * batches (1.5 KB a record) and the app's ~30 MB are taken out. The larger figure, so folds fit when every event
     * brings a new user (docs/analytics.md, "Memory per active user").
     */
    static final long BYTES_PER_HELD_EVENT = 750;
    /**
     * The largest batch {@code aggregation.batch.max-records = auto} picks. Measured end to end on 6M events (docs/
     * benchmark.md, "Batch size and the JIT from launch"): batches of 2,000 or 5,000 records drained slower, 50,000 took
     * more GC CPU for no less CPU per event.
     */
    static final int AUTO_MAX_RECORDS = 20_000;
    /** Kafka's own default of {@code max.partition.fetch.bytes}. */
    static final int KAFKA_MAX_PARTITION_FETCH_BYTES = 1 << 20;
    /** What {@code kafka.consumer.max-partition-fetch-bytes = auto} picks below a 512 MB heap with per-user state. */
    static final int SMALL_HEAP_MAX_PARTITION_FETCH_BYTES = 256 << 10;
    /** The largest fold {@code aggregation.write.max-events = auto} picks. */
    static final int AUTO_MAX_WRITE_EVENTS = 1_000_000;

    /** The options, with {@code auto} batch sizes fitted to the heap of this JVM. */
    public static PulseOptions from(Settings settings) {
        return from(settings, Runtime.getRuntime().maxMemory());
    }

    /** @param maxHeapBytes the heap {@code aggregation.batch.max-records = auto} fits batches into */
    public static PulseOptions from(Settings settings, long maxHeapBytes) {
        int consumers = settings.intInRange("aggregation.consumers", 1, 64);
        List<Duration> windowSizes = windowSizes(settings, "aggregation.window.sizes");
        // the route endpoints read these through placeholders; validating here gives a clear error first
        settings.positiveInt("aggregation.batch.poll-timeout-ms");
        settings.positiveInt("aggregation.batch.interval-ms");
        settings.positiveLong("aggregation.retry.initial-delay-ms");
        settings.positiveLong("aggregation.retry.max-delay-ms");
        settings.bool("generator.enabled");
        settings.positiveLong("retention.check-interval-ms");
        EventMapping events = events(settings);
        return new PulseOptions(
                topicName(settings, "kafka.topic"),
                settings.positiveInt("kafka.topic.partitions"),
                (short) settings.intInRange("kafka.topic.replication-factor", 1, Short.MAX_VALUE),
                settings.string("kafka.consumer.group-id"),
                settings.string("mongodb.uri"),
                settings.string("mongodb.database"),
                generator(settings, windowSizes.get(0), events.types()),
                new ValidationOptions(
                        settings.positiveInt("validation.max-event-bytes"),
                        settings.positiveInt("validation.max-id-length"),
                        settings.positiveDuration("validation.max-future-skew"),
                        settings.positiveDuration("validation.max-age")),
                Rollups.of(windowSizes),
                settings.positiveDuration("aggregation.window.grace"),
                settings.positiveDuration("retention.windows"),
                settings.positiveDuration("pulse.progress-log-interval"),
                batchMaxRecords(settings, consumers, maxHeapBytes),
                maxPartitionFetchBytes(settings, maxHeapBytes),
                consumers,
                writeMaxEvents(settings, consumers, maxHeapBytes),
                settings.positiveDuration("aggregation.write.max-delay"),
                events,
                parsed(settings, "analytics.conversion", text -> Conversion.parse(text, events.types())),
                new Dedup(settings.string("dedup.horizon").equalsIgnoreCase("off") ? null
                        : settings.positiveDuration("dedup.horizon"), settings.positiveInt("dedup.max-ids")));
    }

    /** Where an event's fields are and how they are read: {@code event.*}. */
    public static EventMapping events(Settings settings) {
        EventMapping.Format format = parsed(settings, "event.format", EventMapping.Format::parse);
        Map<EventMapping.Field, EventMapping.FieldRef> fields = new EnumMap<>(EventMapping.Field.class);
        for (EventMapping.Field field : EventMapping.Field.values()) {
            String key = "event.fields." + field.key();
            Optional<String> value = settings.optionalString(key);
            if (value.isPresent() && field == EventMapping.Field.SCHEMA_VERSION && value.get().equalsIgnoreCase("none")) {
                fields.put(field, null);
            } else if (value.isPresent()) {
                EventMapping.FieldRef ref = parsed(settings, key, EventMapping.FieldRef::parse);
                if (ref.isAttribute() && format != EventMapping.Format.CLOUDEVENTS) {
                    throw new InvalidConfigurationException(key, "= '" + value.get() + "' names a CloudEvents attribute,"
                            + " which needs event.format=cloudevents");
                }
                fields.put(field, ref);
            }
        }
        InteractionTypes types = types(settings);
        return EventMapping.of(format, fields,
                parsed(settings, "event.timestamp.format", EventMapping.TimestampFormat::parse),
                parsed(settings, "event.timestamp.source", EventMapping.TimestampSource::parse),
                parsed(settings, "event.time-zone", text -> {
                    try {
                        return ZoneId.of(text).normalized(); // UTC becomes an offset: the fast path reads it
                    } catch (DateTimeException e) {
                        throw new IllegalArgumentException("is not a time zone such as UTC, Europe/Paris or +01:00");
                    }
                }),
                types);
    }

    /** The vocabulary: {@code event.types}, {@code event.types.aliases}, {@code event.types.unknown}. */
    static InteractionTypes types(Settings settings) {
        List<String> names = Arrays.stream(settings.string("event.types").split(",")).map(String::trim)
                .filter(name -> !name.isEmpty()).toList();
        boolean other = parsed(settings, "event.types.unknown", text -> switch (text.toLowerCase(Locale.ROOT)) {
            case "reject" -> false;
            case "other" -> true;
            default -> throw new IllegalArgumentException("must be reject or other");
        });
        Map<String, String> aliases = new LinkedHashMap<>();
        String aliasKey = "event.types.aliases";
        Optional<String> aliasText = settings.optionalString(aliasKey);
        if (aliasText.isPresent()) {
            for (String pair : aliasText.get().split(",")) {
                int colon = pair.lastIndexOf(':');
                if (colon <= 0 || colon == pair.length() - 1 || pair.substring(0, colon).isBlank()) {
                    throw new InvalidConfigurationException(aliasKey, "= '" + aliasText.get() + "': '" + pair.trim()
                            + "' is not alias:type, such as Product Viewed:view");
                }
                aliases.put(pair.substring(0, colon).trim(), pair.substring(colon + 1).trim());
            }
        }
        try {
            InteractionTypes.of(names, Map.of(), other);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException("event.types", "= '" + settings.string("event.types") + "' "
                    + e.getMessage());
        }
        return parsed(settings, aliasKey, text -> InteractionTypes.of(names, aliases, other), aliasText.orElse(""));
    }

    /** A property's value read by {@code parser}, whose IllegalArgumentException says what is wrong with it. */
    private static <T> T parsed(Settings settings, String key, Function<String, T> parser) {
        return parsed(settings, key, parser, settings.string(key));
    }

    private static <T> T parsed(Settings settings, String key, Function<String, T> parser, String value) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(key, "= '" + value + "' " + e.getMessage());
        }
    }

    /**
     * A number, or {@code auto}: up to 20,000 records, fewer when the consumers' full batches would take more than
     * an eighth of the heap, a 64th with sessions or funnels on (at least 1,000): camel-kafka keeps a batch's
     * exchanges until its write is done, which with per-user documents takes seconds, and the fold that is written
     * still gathers up to {@code aggregation.write.max-events} (the memory run with them on drained new users faster
     * at -Xmx256m with smaller batches: 5,000 against 11,184 records, then 1,398 against 5,592: docs/benchmark.md).
     */
    static int batchMaxRecords(Settings settings, int consumers, long maxHeapBytes) {
        long fitting = maxHeapBytes / (perUserState(settings) ? 64 : 8) / consumers / BYTES_PER_BUFFERED_RECORD;
        return autoOrNumber(settings, "aggregation.batch.max-records", Math.max(1_000, Math.min(AUTO_MAX_RECORDS, fitting)));
    }

    /**
     * A number, or {@code auto}: up to 1,000,000 events, fewer when the consumers' folds would take more than a
     * quarter of the heap, a sixteenth with sessions or funnels on (at least 10,000): their writes hold a fold while the
     * per-user documents of a slice, their caches and the embedded server's pages of two more collections take
     * heap too (at a quarter, the memory run's 256 MB heap does not hold them: docs/analytics.md).
     */
    static int writeMaxEvents(Settings settings, int consumers, long maxHeapBytes) {
        long fitting = maxHeapBytes / (perUserState(settings) ? 16 : 4) / consumers / BYTES_PER_HELD_EVENT;
        return autoOrNumber(settings, "aggregation.write.max-events", Math.max(10_000, Math.min(AUTO_MAX_WRITE_EVENTS, fitting)));
    }

    /**
     * A number, or {@code auto}: {@code camel.component.kafka.max-partition-fetch-bytes} when that is set, else Kafka's
     * 1 MiB, or 256 KiB below a 512 MB heap with sessions or funnels on. The consumer prefetches up to this much per
     * partition, each buffer a humongous object for G1 at such a heap, while the per-user state needs the heap: the
     * memory run with them on at -Xmx256m reached 919,074 users in 900 s with 256 KiB against 715,776 with 1 MiB
     * (docs/benchmark.md, "The small-box start").
     */
    static int maxPartitionFetchBytes(Settings settings, long maxHeapBytes) {
        String key = "kafka.consumer.max-partition-fetch-bytes";
        Optional<String> component = settings.optionalString("camel.component.kafka.max-partition-fetch-bytes");
        if (settings.string(key).equalsIgnoreCase("auto") && component.isPresent()) {
            return settings.positiveInt("camel.component.kafka.max-partition-fetch-bytes");
        }
        boolean small = perUserState(settings) && maxHeapBytes < (512L << 20);
        return autoOrNumber(settings, key, small ? SMALL_HEAP_MAX_PARTITION_FETCH_BYTES : KAFKA_MAX_PARTITION_FETCH_BYTES);
    }

    /** Sessions or funnels on: a document per user read and written with every fold, and their caches. */
    private static boolean perUserState(Settings settings) {
        return settings.bool("analytics.sessions.enabled") || settings.bool("analytics.funnels.enabled");
    }

    private static int autoOrNumber(Settings settings, String key, long auto) {
        String value = settings.string(key);
        if (value.equalsIgnoreCase("auto")) {
            return (int) auto;
        }
        try {
            return settings.positiveInt(key);
        } catch (InvalidConfigurationException e) {
            throw new InvalidConfigurationException(key, "= '" + value + "' must be a positive whole number or auto");
        }
    }

    /**
     * What the consumers' full batches and folds may hold on the heap while a backlog drains, when that is more than
     * half of {@code maxHeapBytes}; empty when it fits.
     */
    public Optional<String> batchMemoryWarning(long maxHeapBytes) {
        long worstCase = consumers * ((long) batchMaxRecords * BYTES_PER_BUFFERED_RECORD
                + (long) writeMaxEvents * BYTES_PER_HELD_EVENT);
        if (worstCase <= maxHeapBytes / 2) {
            return Optional.empty();
        }
        return Optional.of(("aggregation.batch.max-records = %d and aggregation.write.max-events = %d with"
                + " aggregation.consumers = %d can hold about %d MiB while a backlog drains, more than half of the %d MiB"
                + " heap: lower them or give the JVM more heap (-Xmx)").formatted(batchMaxRecords, writeMaxEvents,
                consumers, worstCase >> 20, maxHeapBytes >> 20));
    }

    public String deadLetterTopic() {
        return kafkaTopic + ".dlq";
    }

    /** @param primaryWindowSize what the generator's late events must be late for */
    private static GeneratorOptions generator(Settings settings, Duration primaryWindowSize, InteractionTypes types) {
        return new GeneratorOptions(
                settings.positiveLong("generator.period"),
                settings.positiveInt("generator.events-per-tick"),
                settings.positiveInt("generator.users"),
                settings.positiveInt("generator.items"),
                settings.positiveDouble("generator.item-zipf-exponent"),
                settings.positiveDouble("generator.user-zipf-exponent"),
                typeWeights(settings, "generator.type-mix", types),
                settings.optionalLong("generator.seed"),
                new GeneratorOptions.Faults(settings.ratio("generator.malformed-ratio"), settings.ratio("generator.late-ratio"),
                        settings.ratio("generator.out-of-order-ratio"),
                        settings.positiveDuration("aggregation.window.grace"),
                        primaryWindowSize),
                types,
                parsed(settings, "generator.format", EventShape::parse));
    }

    /**
     * {@code PT1M,PT1H}: distinct tumbling window sizes, the primary first. Each is whole seconds and divides a day
     * (or is whole days), so windows start on round clock times in UTC.
     */
    static List<Duration> windowSizes(Settings settings, String key) {
        String value = settings.string(key);
        List<Duration> sizes = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            Duration size;
            try {
                size = Duration.parse(part.trim());
            } catch (DateTimeParseException e) {
                throw new InvalidConfigurationException(key, "= '" + value + "': '" + part.trim()
                        + "' is not an ISO-8601 duration; use a list such as PT1M or PT1M,PT1H");
            }
            long seconds = size.getSeconds();
            boolean roundSize = size.getNano() == 0 && seconds > 0 && (86_400 % seconds == 0 || seconds % 86_400 == 0);
            if (!roundSize) {
                throw new InvalidConfigurationException(key, "= '" + value + "': " + part.trim() + " must be whole"
                        + " seconds that divide a day (such as PT10S, PT1M, PT5M, PT1H) or whole days");
            }
            if (sizes.contains(size)) {
                throw new InvalidConfigurationException(key, "= '" + value + "' lists " + part.trim() + " twice");
            }
            sizes.add(size);
        }
        return sizes;
    }

    /**
     * {@code view:80,click:17,purchase:3}: relative weights of types of the vocabulary, by name; a type left out is
     * never generated.
     */
    static double[] typeWeights(Settings settings, String key, InteractionTypes types) {
        String value = settings.string(key);
        double[] weights = new double[types.size()];
        boolean[] seen = new boolean[types.size()];
        for (String part : value.split(",")) {
            String[] pair = part.trim().split(":");
            if (pair.length != 2 || !types.contains(pair[0].trim())) {
                throw new InvalidConfigurationException(key, "= '" + value + "' must list type:weight pairs of the types "
                        + types.names() + " (event.types), such as view:80,click:17,purchase:3");
            }
            int index = types.named(pair[0].trim()).index();
            if (seen[index]) {
                throw new InvalidConfigurationException(key, "= '" + value + "' lists " + pair[0].trim() + " twice");
            }
            seen[index] = true;
            try {
                weights[index] = Double.parseDouble(pair[1].trim());
            } catch (NumberFormatException e) {
                weights[index] = Double.NaN;
            }
            if (!(weights[index] >= 0) || !Double.isFinite(weights[index])) {
                throw new InvalidConfigurationException(key, "= '" + value + "': the weight of " + pair[0].trim()
                        + " must be a non-negative number");
            }
        }
        if (Arrays.stream(weights).sum() <= 0) {
            throw new InvalidConfigurationException(key, "= '" + value + "' must have at least one positive weight");
        }
        return weights;
    }

    private static String topicName(Settings settings, String key) {
        String topic = settings.string(key);
        if (!topic.matches("[a-zA-Z0-9._-]{1,200}")) {
            throw new InvalidConfigurationException(key, "= '" + topic + "' is not a valid Kafka topic name"
                    + " (letters, digits, '.', '_' and '-', at most 200)");
        }
        return topic;
    }
}
