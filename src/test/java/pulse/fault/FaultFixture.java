package pulse.fault;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.Document;
import pulse.event.EventJson;
import pulse.event.EventParser;
import pulse.event.InteractionEvent;
import pulse.event.InvalidEventException;
import pulse.event.ValidationOptions;
import pulse.embedded.TestInfrastructure;
import pulse.it.GroundTruth;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What one fault test works with: its own topic, consumer group and database on a Kafka broker and MongoDB
 * server ({@link TestInfrastructure}'s, in the test JVM or external, or a test's own), the app instances it started
 * (all killed on {@link #close()}), and the views a test needs to judge them: aggregated events, committed and end
 * offsets, group members.
 */
final class FaultFixture implements AutoCloseable {

    static final int PARTITIONS = 6;
    /**
     * With {@link #withAnalytics()}: a short session gap and funnel window, so that the events' 40 minutes make many
     * sessions and attempts per user (a user's events are seconds to minutes apart).
     */
    static final Duration SESSION_GAP = Duration.ofMinutes(1);
    static final Duration FUNNEL_WINDOW = Duration.ofMinutes(5);
    static final List<String> FUNNEL_STEPS = List.of("view", "click", "purchase");
    /** The sessions' lateness: the window grace, set to its default explicitly, so that the truth uses the same. */
    static final Duration GRACE = Duration.ofMinutes(5);

    private final String name;
    private final String bootstrapServers;
    private final String appMongoUri;
    private final short replicationFactor;
    private final Admin admin;
    private final MongoClient mongo;
    private final List<AppProcess> apps = new ArrayList<>();
    private final Map<String, String> appProperties = new LinkedHashMap<>();
    private final List<AutoCloseable> closedAfterwards = new ArrayList<>();

    /**
     * @param appMongoUri where the app instances reach MongoDB (may be a proxy in front of {@code mongoUri})
     */
    FaultFixture(String name, String bootstrapServers, String mongoUri, String appMongoUri) {
        this.name = TestInfrastructure.name(name);
        this.bootstrapServers = bootstrapServers;
        // the shared broker may be an external cluster (-Dit.kafka.replication-factor); a test's own broker is one node
        this.replicationFactor = bootstrapServers.equals(TestInfrastructure.kafkaBootstrapServers())
                ? TestInfrastructure.replicationFactor() : 1;
        this.appMongoUri = appMongoUri;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000));
        this.mongo = MongoClients.create(mongoUri);
        appProperties.put("kafka.brokers", bootstrapServers);
        appProperties.put("mongodb.uri", appMongoUri);
        appProperties.put("kafka.topic", topic());
        appProperties.put("kafka.topic.partitions", String.valueOf(PARTITIONS));
        appProperties.put("kafka.topic.replication-factor", String.valueOf(replicationFactor));
        appProperties.put("kafka.consumer.group-id", group());
        appProperties.put("mongodb.database", this.name);
        appProperties.put("generator.enabled", "false");
        appProperties.put("pulse.progress-log-interval", "PT2S");
        // many writes per run, so kills, outages and rebalances land between and inside them anywhere in the topic
        // (with "auto", a 200k-event topic is written in a few writes); each write coalesces about five batches
        appProperties.put("aggregation.batch.max-records", "1000");
        appProperties.put("aggregation.write.max-events", "5000");
        // a killed member's partitions move after the session timeout: 10 s instead of Kafka's 45 s keeps the
        // suite short (the broker accepts 6..1800 s); heartbeats every 3 s as Kafka's default
        appProperties.put("camel.component.kafka.session-timeout-ms", "10000");
        appProperties.put("camel.component.kafka.heartbeat-interval-ms", "3000");
    }

    /** Sets an app property for the apps this fixture starts from now on. */
    FaultFixture appProperty(String key, String value) {
        appProperties.put(key, value);
        return this;
    }

    FaultFixture(String name, String bootstrapServers, String mongoUri) {
        this(name, bootstrapServers, mongoUri, mongoUri);
    }

    /** Unique users, sessions and funnels on in the apps started from now on; {@link #truth} checks them too. */
    FaultFixture withAnalytics() {
        appProperties.put("analytics.unique-users.enabled", "true");
        appProperties.put("analytics.sessions.enabled", "true");
        appProperties.put("analytics.session.gap", SESSION_GAP.toString());
        appProperties.put("analytics.funnels.enabled", "true");
        appProperties.put("analytics.funnel.steps", String.join(",", FUNNEL_STEPS));
        appProperties.put("analytics.funnel.window", FUNNEL_WINDOW.toString());
        appProperties.put("aggregation.window.grace", GRACE.toString());
        return this;
    }

    /**
     * The ground truth of {@code events} (produced in this order by {@link #produce}): with {@link #withAnalytics()},
     * sessions and funnels exactly and unique users within the sketch's bound too.
     */
    GroundTruth truth(List<InteractionEvent> events) {
        GroundTruth truth = new GroundTruth(events);
        if (!"true".equals(appProperties.get("analytics.sessions.enabled"))) {
            return truth;
        }
        truth.withUniqueUsers().withSessions(SESSION_GAP, GRACE).withFunnels(FUNNEL_STEPS, FUNNEL_WINDOW);
        Faults.note("%s: the truth holds %d sessions of %d users, %d funnel attempts, %d reaching the last step", name,
                truth.sessions(), counts(events, InteractionEvent::userId).size(), truth.funnelAttempts(0),
                truth.funnelAttempts(FUNNEL_STEPS.size() - 1));
        assertThat(truth.sessions()).as("sessions: more than one per user").isGreaterThan(
                counts(events, InteractionEvent::userId).size());
        assertThat(truth.funnelAttempts(FUNNEL_STEPS.size() - 1)).as("funnel attempts reaching the last step").isPositive();
        return truth;
    }

    String topic() {
        return name;
    }

    String group() {
        return name + "-group";
    }

    MongoDatabase database() {
        return mongo.getDatabase(name);
    }

    /** The properties an app started with {@code extra} gets (the HTTP ports and data directory aside). */
    Map<String, String> appProperties(Map<String, String> extra) {
        Map<String, String> props = new LinkedHashMap<>(appProperties);
        props.putAll(extra);
        return props;
    }

    AppProcess startApp(String instance, Map<String, String> extra) {
        Map<String, String> props = new LinkedHashMap<>(appProperties);
        props.putAll(extra);
        AppProcess app = AppProcess.start(instance, props);
        apps.add(app);
        return app;
    }

    AppProcess startApp(String instance) {
        return startApp(instance, Map.of());
    }

    void createTopic() throws Exception {
        TestInfrastructure.createTopic(admin, topic(), PARTITIONS, replicationFactor);
    }

    /** Sends every event keyed by its user, as the generator does, and waits for all acknowledgements. */
    void produce(List<InteractionEvent> events) {
        produce(events, "lz4");
    }

    /** {@link #produce(List)} with that producer compression: none, gzip, snappy, lz4 or zstd. */
    void produce(List<InteractionEvent> events, String compression) {
        long start = System.nanoTime();
        long onTopic = endTotal();
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        props.put("acks", "all");
        props.put("enable.idempotence", "true");
        props.put("linger.ms", "20");
        props.put("batch.size", String.valueOf(256 * 1024));
        props.put("compression.type", compression);
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
            for (InteractionEvent event : events) {
                producer.send(new ProducerRecord<>(topic(), event.userId(), EventJson.toBytes(event)), (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("Could not produce the test events", failure.get());
        }
        assertThat(endTotal()).as("records on %s", topic()).isEqualTo(onTopic + events.size());
        Faults.note("produced %d events to %s in %s", events.size(), topic(), Faults.seconds(System.nanoTime() - start));
    }

    /** summary.events: how many events the aggregates hold. */
    long summaryEvents() {
        Document summary = database().getCollection("summary").find(new Document("_id", "global")).first();
        return summary == null ? 0 : ((Number) summary.get("events")).longValue();
    }

    /**
     * How many events the summary's offsets cover: per partition the summary holds the last offset folded into it, and
     * when every record is a valid event and each is counted once, {@code summary.events} is the sum of those offsets
     * plus one. A replay counted twice makes {@code events} larger, at once.
     *
     * @return {@code {events, covered}}, read from one version of the summary
     */
    long[] summaryEventsAndOffsetsCovered() {
        Document summary = database().getCollection("summary").find(new Document("_id", "global")).first();
        if (summary == null) {
            return new long[] {0, 0};
        }
        long covered = 0;
        Document offsets = summary.get("offsets", Document.class);
        if (offsets != null) {
            for (Object last : offsets.values()) {
                covered += ((Number) last).longValue() + 1;
            }
        }
        return new long[] {((Number) summary.get("events")).longValue(), covered};
    }

    /** The group's committed offset per partition of the topic (absent partitions: nothing committed yet). */
    Map<TopicPartition, Long> committed() {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group())
                    .partitionsToOffsetAndMetadata().get(20, TimeUnit.SECONDS);
            Map<TopicPartition, Long> result = new TreeMap<>(Comparator.comparingInt(TopicPartition::partition));
            offsets.forEach((tp, offset) -> {
                if (offset != null && tp.topic().equals(topic())) {
                    result.put(tp, offset.offset());
                }
            });
            return result;
        } catch (Exception e) {
            throw new IllegalStateException("Could not read the committed offsets of " + group(), e);
        }
    }

    long committedTotal() {
        return committed().values().stream().mapToLong(Long::longValue).sum();
    }

    Map<TopicPartition, Long> ends() {
        try {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                request.put(new TopicPartition(topic(), p), OffsetSpec.latest());
            }
            return admin.listOffsets(request).all().get(20, TimeUnit.SECONDS).entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        } catch (Exception e) {
            throw new IllegalStateException("Could not read the end offsets of " + topic(), e);
        }
    }

    long endTotal() {
        return ends().values().stream().mapToLong(Long::longValue).sum();
    }

    /** Whether the group has committed every record of the topic. */
    boolean fullyCommitted() {
        Map<TopicPartition, Long> committed = committed();
        return ends().entrySet().stream().allMatch(end -> end.getValue() == 0
                || end.getValue().equals(committed.get(end.getKey())));
    }

    /** The group's members and their partitions, by member id. */
    Map<String, List<Integer>> members() {
        try {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(group())).describedGroups()
                    .get(group()).get(20, TimeUnit.SECONDS);
            Map<String, List<Integer>> members = new TreeMap<>();
            for (MemberDescription member : group.members()) {
                members.put(member.consumerId(), member.assignment().topicPartitions().stream()
                        .filter(tp -> tp.topic().equals(topic())).map(TopicPartition::partition).sorted().toList());
            }
            return members;
        } catch (Exception e) {
            throw new IllegalStateException("Could not describe group " + group(), e);
        }
    }

    /**
     * Waits until the aggregates hold exactly {@code truth.events()} events and the group has committed the
     * whole topic, while every app of {@code running} stays alive; then compares every aggregate.
     */
    void awaitExactAggregates(GroundTruth truth, Duration atMost, AppProcess... running) {
        long start = System.nanoTime();
        await("aggregates hold all " + truth.events() + " events and the group has committed the whole topic")
                .atMost(atMost).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    for (AppProcess app : running) {
                        app.assertAlive();
                    }
                    long events = summaryEvents();
                    assertThat(events).as("summary.events never exceeds the events on the topic").isLessThanOrEqualTo(truth.events());
                    return events == truth.events() && fullyCommitted();
                });
        List<String> mismatches = truth.mismatches(database());
        Faults.note("%s: %d events aggregated and committed %s after the last start; %d mismatches with the ground truth",
                name, truth.events(), Faults.seconds(System.nanoTime() - start), mismatches.size());
        assertThat(mismatches).as("differences between MongoDB and the ground truth").isEmpty();
    }

    /** Every record of the topic, from the beginning to its current end. */
    List<ConsumerRecord<String, byte[]>> readAll() {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("key.deserializer", StringDeserializer.class.getName());
        props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        props.put("enable.auto.commit", "false");
        props.put("max.partition.fetch.bytes", String.valueOf(4 * 1024 * 1024));
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic()).stream()
                    .map(p -> new TopicPartition(topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Could not read " + topic() + " to its end within 120 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** The events of records, failing on any record the pipeline would reject. */
    static List<InteractionEvent> parseAll(List<ConsumerRecord<String, byte[]>> records) {
        EventParser parser = new EventParser(ValidationOptions.defaults(), Clock.systemUTC());
        List<InteractionEvent> events = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                events.add(parser.parse(record.value()));
            } catch (InvalidEventException e) {
                throw new AssertionError("invalid record " + record.topic() + "-" + record.partition() + "@" + record.offset(), e);
            }
        }
        return events;
    }

    static <T> Map<T, Long> counts(List<InteractionEvent> events, Function<InteractionEvent, T> key) {
        return events.stream().collect(Collectors.groupingBy(key, Collectors.counting()));
    }

    /** {@code resource} (a proxy, a broker of the test's own; null is ignored) is closed after the fixture's apps. */
    FaultFixture closing(AutoCloseable resource) {
        if (resource != null) {
            closedAfterwards.add(0, resource);
        }
        return this;
    }

    /** Kills every instance still running, closes the clients, then what {@link #closing} was given. */
    @Override
    public void close() throws Exception {
        apps.forEach(AppProcess::close);
        admin.close(Duration.ofSeconds(5));
        mongo.close();
        for (AutoCloseable resource : closedAfterwards) {
            resource.close();
        }
    }
}
