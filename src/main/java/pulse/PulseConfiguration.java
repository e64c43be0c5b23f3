package pulse;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.LoggingLevel;
import org.apache.camel.Processor;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.processor.errorhandler.RedeliveryPolicy;
import org.apache.camel.spi.OnCamelContextStarting;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pulse.api.DashboardViews;
import pulse.api.FunnelViews;
import pulse.api.RecentTopItems;
import pulse.api.SessionViews;
import pulse.api.TrendingItems;
import pulse.api.WindowCollections;
import pulse.aggregate.UniqueUsers;
import pulse.config.AheadOfStart;
import pulse.config.AnalyticsOptions;
import pulse.config.JolokiaAccessPolicy;
import pulse.config.PulseOptions;
import pulse.config.ResolvedProperties;
import pulse.config.Settings;
import pulse.event.DuplicateFilter;
import pulse.event.EventMapping;
import pulse.event.EventParser;
import pulse.event.RejectionReason;
import pulse.generator.InteractionGenerator;
import pulse.generator.RateMeter;
import pulse.health.DeadLetterHealthCheck;
import pulse.health.KafkaHealthCheck;
import pulse.health.MongoHealthCheck;
import pulse.kafka.BatchReader;
import pulse.kafka.ConsumerLag;
import pulse.kafka.DeadLetterStatus;
import pulse.kafka.DeadLetters;
import pulse.kafka.KafkaTopics;
import pulse.kafka.RejectLog;
import pulse.metrics.AggregationProgress;
import pulse.metrics.PipelineMetrics;
import pulse.pipeline.InteractionAggregationStrategy;
import pulse.pipeline.RecordFolder;
import pulse.pipeline.RecordValidator;
import pulse.pipeline.WriteCoalescer;
import pulse.store.AggregateIndexes;
import pulse.store.AggregateUpserts;
import pulse.store.FunnelStore;
import pulse.store.SessionStore;
import pulse.store.UniqueUsersStore;
import pulse.store.WindowRetention;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Reads and validates the options, binds the pipeline's beans by the names the routes use, and creates the
 * topics before the routes start.
 */
public class PulseConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(PulseConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context.getPropertiesComponent()::resolveProperty);
        JolokiaAccessPolicy.requireIfEnabled(settings);
        PulseOptions options = PulseOptions.from(settings);
        AnalyticsOptions analytics = AnalyticsOptions.from(settings, options.events().types());
        Clock clock = Clock.systemUTC();
        options.batchMemoryWarning(Runtime.getRuntime().maxMemory()).ifPresent(LOG::warn);
        useResolvedBatchSize(context, options);
        Registry registry = context.getRegistry();

        MongoClient mongo = mongoClient(options.mongoUri());
        context.addService(closing(mongo::close));
        registry.bind("pulseMongo", mongo);
        registry.bind("retryWithBackoff", retryWithBackoff(settings));

        registry.bind("interactionGenerator", new InteractionGenerator(options.generator(), clock));
        RateMeter generatorRate = new RateMeter(options.generator().configuredRate(), options.progressLogInterval(), System::nanoTime);
        registry.bind("generatorRate", generatorRate);
        logEventMapping(options);
        registry.bind("recordFolder", new RecordFolder(
                new RecordValidator(new EventParser(options.validation(), options.events(), clock)), options.rollups(),
                options.dedup().isOn() ? new DuplicateFilter(options.dedup().horizon(), options.dedup().maxIdsPerPartition())
                        : DuplicateFilter.off()));
        registry.bind("batchReader", new BatchReader(options.batchMaxRecords()));
        registry.bind("interactionAggregation", new InteractionAggregationStrategy());
        WriteCoalescer coalescer = new WriteCoalescer(options.writeMaxEvents(), options.writeMaxDelay(), System::nanoTime);
        registry.bind("writeCoalescer", coalescer);
        registry.bind("aggregateUpserts", new AggregateUpserts(options.rollups(), options.events().types(),
                options.windowGrace(), clock));
        // the upsert-aggregates route's unique users step and the refresh route run only when unique users are on
        registry.bind("uniqueUsersStore", new UniqueUsersStore(mongo.getDatabase(options.mongoDatabase()), options.rollups(),
                analytics.uniqueUsersEnabled() ? analytics.uniqueUsers() : new UniqueUsers(UniqueUsers.DEFAULT_LG_K), clock));
        SessionStore sessions = new SessionStore(mongo.getDatabase(options.mongoDatabase()), options.rollups().primary().windows(),
                analytics.sessionGap(), options.windowGrace(), options.windowRetention());
        registry.bind("sessionStore", sessions);
        FunnelStore funnels = new FunnelStore(mongo.getDatabase(options.mongoDatabase()), options.rollups().primary().windows(),
                analytics.funnelSteps(), analytics.funnelWindow(), options.windowRetention());
        registry.bind("funnelStore", funnels);
        registry.bind("funnelViews", new FunnelViews(analytics.funnelSteps(), analytics.funnelWindow(), clock,
                analytics.funnelsEnabled()));
        registry.bind("sessionViews", new SessionViews(options.rollups().primary().windows(), clock,
                analytics.sessionsEnabled()));
        AggregateIndexes indexes = new AggregateIndexes(mongo.getDatabase(options.mongoDatabase()), options.rollups());
        WindowRetention retention = new WindowRetention(mongo.getDatabase(options.mongoDatabase()), options.rollups(),
                options.windowRetention(), clock);
        registry.bind("windowRetention", retention);
        AggregationProgress progress = new AggregationProgress(options.progressLogInterval(), System::nanoTime);
        registry.bind("aggregationProgress", progress);
        ConsumerLag lag = new ConsumerLag(() -> kafkaClientProperties(context), options.kafkaTopic(), options.consumerGroupId());
        context.addService(closing(lag));
        registry.bind("consumerLag", lag);
        registry.bind("dashboardViews", new DashboardViews(progress, lag, options.events().types(), options.conversion()));
        registry.bind("recentTopItems", new RecentTopItems(options.events().types(), analytics.uniqueUsers()));
        registry.bind("windowCollections", new WindowCollections(options.rollups()));
        registry.bind("trendingItems", new TrendingItems(options.rollups(), analytics.trendingMinCount(), clock));
        RejectLog rejectLog = rejectLog(context, options.progressLogInterval());
        registry.bind("rejectLog", rejectLog);
        DeadLetterStatus deadLetterStatus = new DeadLetterStatus(options.deadLetterTopic());
        registry.bind("deadLetterStatus", deadLetterStatus);
        registry.bind("deadLetterFailed", (Processor) deadLetterStatus::failed);
        DeadLetters deadLetters = new DeadLetters(options.deadLetterTopic(),
                () -> KafkaTopics.maxMessageBytes(kafkaClientProperties(context), options.deadLetterTopic(), Duration.ofSeconds(5)));
        registry.bind("deadLetters", deadLetters);
        // the dead-letter route keeps the batch's rejected records in exchange property "rejected"
        registry.bind("deadLetterRefit", (Processor) exchange -> deadLetters.refit(exchange, "rejected"));
        PipelineMetrics metrics = new PipelineMetrics(generatorRate, progress, lag, coalescer, rejectLog);

        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        health.register(new MongoHealthCheck(mongo));

        // the topic check (creation) and the indexes, which the consumers wait for, run beside Camel's start of the
        // HTTP servers, JMX, components and endpoints on the main thread rather than after it, so that the consumers
        // start sooner (docs/benchmark.md, "Start-up"). Begun when the context starts: the kafka component is configured
        AheadOfStart<Integer> topicsAndIndexes = new AheadOfStart<>("pulse-topics-and-indexes");
        context.addLifecycleStrategy(LifecycleStrategySupport.adapt((OnCamelContextStarting) camelContext -> {
            Properties kafkaClient = kafkaClientProperties(camelContext);
            topicsAndIndexes.begin(() -> {
                int deadLetterMaxMessageBytes = createTopics(kafkaClient, options);
                createIndexes(indexes, retention, sessions, funnels);
                return deadLetterMaxMessageBytes;
            });
        }));
        context.addStartupListener((camelContext, alreadyStarted) -> {
            if (!alreadyStarted) {
                Properties kafkaClient = kafkaClientProperties(camelContext);
                KafkaHealthCheck kafkaHealth = new KafkaHealthCheck(kafkaClient);
                camelContext.addService(closing(kafkaHealth));
                health.register(kafkaHealth);
                DeadLetterHealthCheck deadLetterHealth = new DeadLetterHealthCheck(deadLetterStatus, kafkaClient);
                camelContext.addService(closing(deadLetterHealth));
                health.register(deadLetterHealth);
                // next to Camel's route metrics, in the registry camel-micrometer-prometheus created
                MeterRegistry meters = camelContext.getRegistry()
                        .lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME, MeterRegistry.class);
                if (meters != null) {
                    metrics.bindTo(meters);
                }
                // before any route starts, as when this ran here: a topic that cannot be used fails the start
                deadLetters.useLimits(producerMaxRequestSize(camelContext), topicsAndIndexes.await());
            }
        });
    }

    /**
     * The route's endpoint reads the batch size as a placeholder: give it the number {@code auto} resolved to (and
     * the write size, for whoever reads the properties), also when {@code auto} came from -D or the environment.
     */
    private static void useResolvedBatchSize(CamelContext context, PulseOptions options) {
        ResolvedProperties.resolve(context.getPropertiesComponent(), "aggregation.batch.max-records", "auto",
                String.valueOf(options.batchMaxRecords()));
        ResolvedProperties.resolve(context.getPropertiesComponent(), "aggregation.write.max-events", "auto",
                String.valueOf(options.writeMaxEvents()));
        ResolvedProperties.resolve(context.getPropertiesComponent(), "kafka.consumer.max-partition-fetch-bytes", "auto",
                String.valueOf(options.maxPartitionFetchBytes()));
        LOG.info("Aggregation: {} consumer(s), batches of up to {} records or every {} ms, prefetching up to {} KiB per"
                        + " partition; while a backlog drains,"
                        + " batches are written together, up to {} events or {} s", options.consumers(), options.batchMaxRecords(),
                context.getPropertiesComponent().resolveProperty("aggregation.batch.interval-ms").orElse("?"),
                options.maxPartitionFetchBytes() >> 10,
                options.writeMaxEvents(), "%.1f".formatted(options.writeMaxDelay().toMillis() / 1000.0));
    }

    /** What the aggregation reads records as: where it finds each field and which types it counts. */
    private static void logEventMapping(PulseOptions options) {
        EventMapping events = options.events();
        StringBuilder fields = new StringBuilder();
        events.fields().forEach((field, ref) -> fields.append(fields.length() == 0 ? "" : ", ").append(field.key())
                .append(' ').append(ref == null ? "not read" : ref));
        LOG.info("Events: {} records, fields {}; timestamps {} from the {} (in {} when zone-less); types {}{}; conversion {}",
                events.format().name().toLowerCase(Locale.ROOT), fields,
                events.timestampFormat().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                events.timestampSource().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                ZoneOffset.UTC.equals(events.timeZone()) ? "UTC" : events.timeZone(),
                events.types().names(), events.types().aliases().isEmpty() ? "" : " (aliases " + events.types().aliases() + ")",
                options.conversion());
        if (options.dedup().isOn()) {
            LOG.info("Duplicates: an event whose event id was counted within {} on its partition is dropped (up to {} ids"
                    + " remembered per partition, about 32 bytes each; a restart forgets them)", options.dedup().horizon(),
                    options.dedup().maxIdsPerPartition());
        }
    }

    /** Connection and security settings of the kafka component, for admin clients. */
    private static Properties kafkaClientProperties(CamelContext context) {
        KafkaComponent kafka = context.getComponent("kafka", KafkaComponent.class);
        Properties client = new Properties();
        kafka.getConfiguration().createProducerProperties().forEach((key, value) -> {
            String name = key.toString();
            if (name.startsWith("security.") || name.startsWith("sasl.") || name.startsWith("ssl.")) {
                client.put(name, value);
            }
        });
        client.put("bootstrap.servers", kafka.getConfiguration().getBrokers());
        return client;
    }

    /** @return the dead-letter topic's max.message.bytes */
    private static int createTopics(Properties client, PulseOptions options) {
        return KafkaTopics.ensure(client, options.kafkaTopic(), options.deadLetterTopic(), options.topicPartitions(),
                options.replicationFactor(), Duration.ofSeconds(30));
    }

    /** The producer's max.request.size, as the kafka component configures it (additional properties included). */
    private static int producerMaxRequestSize(CamelContext context) {
        KafkaComponent kafka = context.getComponent("kafka", KafkaComponent.class);
        return Integer.parseInt(kafka.getConfiguration().createProducerProperties()
                .getProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "1048576"));
    }

    /** Rejected records logged at most 5 per reason per interval, the others counted in one line per interval. */
    private static RejectLog rejectLog(CamelContext context, Duration interval) {
        Logger log = LoggerFactory.getLogger(RejectLog.class);
        List<String> reasons = new ArrayList<>();
        for (RejectionReason reason : RejectionReason.values()) {
            reasons.add(reason.name());
        }
        reasons.add(RecordFolder.PROCESSING_ERROR);
        RejectLog rejectLog = new RejectLog(interval, 5, reasons, System::nanoTime, log::warn);
        // the count of the last interval of a burst is logged even when no record follows
        context.getExecutorServiceManager().newSingleThreadScheduledExecutor(rejectLog, "RejectLog")
                .scheduleWithFixedDelay(rejectLog::flushIfDue, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return rejectLog;
    }

    private static void createIndexes(AggregateIndexes indexes, WindowRetention retention, SessionStore sessions,
                                      FunnelStore funnels) {
        try {
            indexes.ensure();
            sessions.ensureIndexes();
            funnels.ensureIndexes();
            retention.ensureTtlIndex();
        } catch (RuntimeException e) {
            // an optimisation only: the pipeline works without them and retries its writes
            LOG.warn("Could not create MongoDB indexes now ({}); continuing without them", e.getMessage());
        }
    }

    /**
     * The routes' retry while MongoDB is unreachable or Kafka refuses the dead letters: forever, with exponential
     * backoff from {@code aggregation.retry.initial-delay-ms} to {@code max-delay-ms}, each attempt logged at WARN.
     * Forever is safe because every step it repeats is replay-safe and nothing is committed meanwhile.
     */
    public static RedeliveryPolicy retryWithBackoff(Settings settings) {
        return new RedeliveryPolicy()
                .maximumRedeliveries(-1)
                .redeliveryDelay(settings.positiveLong("aggregation.retry.initial-delay-ms"))
                .useExponentialBackOff()
                .backOffMultiplier(2)
                .maximumRedeliveryDelay(settings.positiveLong("aggregation.retry.max-delay-ms"))
                .retryAttemptedLogLevel(LoggingLevel.WARN)
                .logRetryAttempted(true)
                .logExhausted(true);
    }

    /**
     * A client for {@code mongodb.uri}. Writes wait for a majority of the replica set (and its journal) unless the
     * URI says otherwise; a down server fails a write after a few seconds so the route's retry can log it.
     */
    static MongoClient mongoClient(String uri) {
        ConnectionString connection = new ConnectionString(uri);
        MongoClientSettings.Builder settings = MongoClientSettings.builder().applyConnectionString(connection);
        if (connection.getWriteConcern() == null) {
            settings.writeConcern(WriteConcern.MAJORITY.withJournal(true));
        }
        if (!uri.contains("serverSelectionTimeoutMS")) {
            settings.applyToClusterSettings(cluster -> cluster.serverSelectionTimeout(5, TimeUnit.SECONDS));
        }
        // hosts only: the URI may carry credentials
        LOG.info("MongoDB at {}", connection.getHosts());
        return MongoClients.create(settings.build());
    }

    /** Closes a client when Camel stops. */
    private static ServiceSupport closing(AutoCloseable client) {
        return new ServiceSupport() {
            @Override
            protected void doStop() throws Exception {
                client.close();
            }
        };
    }
}
