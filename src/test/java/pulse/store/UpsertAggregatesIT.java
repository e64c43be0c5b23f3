package pulse.store;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import pulse.PulseConfiguration;
import pulse.aggregate.BatchDelta;
import pulse.aggregate.DocumentDelta;
import pulse.aggregate.Rollup;
import pulse.aggregate.FunnelTruth;
import pulse.aggregate.Rollups;
import pulse.aggregate.SessionTruth;
import pulse.aggregate.UniqueUsers;
import pulse.config.Settings;
import pulse.embedded.TestInfrastructure;
import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;
import pulse.event.InteractionTypes;
import pulse.it.GroundTruth;
import pulse.testsupport.FreshDatabase;
import routes.UpsertAggregatesRoute;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code upsert-aggregates} routes, as the app runs them, against a real MongoDB wire server: exact totals, and
 * no double counting when batches are replayed with other boundaries, after a partial write, or by two writers at
 * once.
 */
@ExtendWith(TestInfrastructure.class)
class UpsertAggregatesIT {

    private static final int PARTITIONS = 3;
    private static final Duration GRACE = Duration.ofMinutes(5);
    /** Short, so that the five minutes of events (out of order by up to five) make many sessions and merges. */
    private static final Duration SESSION_GAP = Duration.ofSeconds(8);
    private static final List<String> FUNNEL_STEPS = List.of("view", "click", "purchase");
    @RegisterExtension
    static final FreshDatabase MONGO = new FreshDatabase("store-");
    private MongoDatabase database;
    private UpsertRoutes store;
    private List<ConsumedEvent> stream;

    @BeforeEach
    void setUp() {
        database = MONGO.database();
        store = new UpsertRoutes(MONGO.client(), database);
        stream = consumptionOrder(events(4000, 60, 25, 42));
    }

    @AfterEach
    void stopRoutes() {
        store.close();
    }

    /**
     * The routes on the test's database, with the beans the app binds for them; unique users, sessions
     * and funnels on: every scenario below checks unique users against exact counts too, the main ones sessions and
     * funnels as well.
     */
    private static final class UpsertRoutes implements AutoCloseable {
        private final CamelContext context = new DefaultCamelContext();
        private final ProducerTemplate template;

        UpsertRoutes(MongoClient client, MongoDatabase database) {
            context.getRegistry().bind("pulseMongo", client);
            context.getRegistry().bind("uniqueUsersStore", new UniqueUsersStore(database, Rollups.DEFAULT,
                    new UniqueUsers(UniqueUsers.DEFAULT_LG_K), Clock.systemUTC()));
            context.getRegistry().bind("sessionStore", sessionStore(database));
            context.getRegistry().bind("funnelStore", funnelStore(database));
            context.getRegistry().bind("aggregateUpserts", new AggregateUpserts(Rollups.DEFAULT, InteractionTypes.DEFAULT,
                    GRACE, Clock.systemUTC()));
            Properties properties = new Properties();
            properties.setProperty("mongodb.database", database.getName());
            properties.setProperty("analytics.unique-users.enabled", "true");
            properties.setProperty("analytics.sessions.enabled", "true");
            properties.setProperty("analytics.funnels.enabled", "true");
            properties.setProperty("aggregation.retry.initial-delay-ms", "100");
            properties.setProperty("aggregation.retry.max-delay-ms", "1000");
            context.getPropertiesComponent().setInitialProperties(properties);
            context.getRegistry().bind("retryWithBackoff",
                    PulseConfiguration.retryWithBackoff(new Settings(context.getPropertiesComponent()::resolveProperty)));
            try {
                context.addRoutes(new UpsertAggregatesRoute());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            context.start();
            template = context.createProducerTemplate();
        }

        WriteStats apply(BatchDelta batch) {
            return template.requestBody("direct:upsert-aggregates", batch, WriteStats.class);
        }

        @Override
        public void close() {
            context.stop();
        }
    }

    @Test
    void batchesAddUpToExactAggregates() {
        applyInBatches(0, stream.size(), 500);

        assertThat(truth().mismatches(database)).isEmpty();
        assertThat(sessionMismatches()).isEmpty();
        assertThat(funnelMismatches()).isEmpty();
    }

    @Test
    void replayingWithOtherBatchBoundariesChangesNothing() {
        applyInBatches(0, stream.size(), 500);
        Document before = summary();

        applyInBatches(0, stream.size(), 333);
        applyInBatches(1900, stream.size(), 77);

        assertThat(truth().mismatches(database)).isEmpty();
        assertThat(sessionMismatches()).isEmpty();
        assertThat(funnelMismatches()).isEmpty();
        assertThat(summary().get("events")).isEqualTo(before.get("events"));
    }

    @Test
    void crashAfterAPartialWriteThenReplayCountsEveryEventOnce() {
        applyInBatches(0, 1200, 400);
        // the next batch crashed after half of its user updates and all item updates, before windows and summary
        BatchDelta crashed = batch(1200, 1600);
        List<DocumentDelta> users = new ArrayList<>(crashed.deltas(Rollup.USERS));
        write(Rollup.USERS, users.subList(0, users.size() / 2));
        write(Rollup.ITEMS, new ArrayList<>(crashed.deltas(Rollup.ITEMS)));
        sessionStore(database).apply(batch(1200, 1400)); // and the sessions of half its events

        // restart: consumption resumes at the last committed offsets, with other batch boundaries
        applyInBatches(1200, stream.size(), 250);

        assertThat(truth().mismatches(database)).isEmpty();
        assertThat(sessionMismatches()).isEmpty();
        assertThat(funnelMismatches()).isEmpty();
    }

    @Test
    void aRetryAfterTheSummaryCountersWereWrittenStillRefreshesItsDerivedFields() {
        applyInBatches(0, 2000, 500);
        Document stale = summary();
        applyInBatches(2000, stream.size(), 500);
        // MongoDB failed between the last batch's summary counters and its derived fields: they are the earlier ones
        database.getCollection(AggregateUpdates.SUMMARY).updateOne(new Document("_id", AggregateUpdates.SUMMARY_ID),
                Updates.combine(Updates.set("avgInteractionsPerUser", stale.get("avgInteractionsPerUser")),
                        Updates.set("maxItem", stale.get("maxItem")), Updates.set("minItem", stale.get("minItem"))));
        assertThat(truth().mismatches(database)).isNotEmpty();

        store.apply(batch(stream.size() - 500, stream.size())); // the retry of that batch

        assertThat(truth().mismatches(database)).isEmpty();
    }

    @Test
    void aBatchOfMoreDocumentsThanOneBulkWriteIsWrittenInSlicesAndReplaysExactly() {
        stream = consumptionOrder(events(3 * AggregateUpserts.DOCUMENTS_PER_BULK_WRITE, 1_000_000, 25, 7));
        BatchDelta whole = batch(0, stream.size());
        int users = whole.deltas(Rollup.USERS).size();
        assertThat(users).isGreaterThan(2 * AggregateUpserts.DOCUMENTS_PER_BULK_WRITE);
        // a crash after the first slices of users: some landed, the rest did not
        List<DocumentDelta> landed = new ArrayList<>(whole.deltas(Rollup.USERS)).subList(0, AggregateUpserts.DOCUMENTS_PER_BULK_WRITE + 10);
        write(Rollup.USERS, landed);

        WriteStats stats = store.apply(batch(0, stream.size()));
        applyInBatches(stream.size() / 3, stream.size(), 4000); // and a replay with other boundaries

        assertThat(stats.conflicts()).isEqualTo(landed.size());
        assertThat(truth().mismatches(database)).isEmpty();
        assertThat(database.getCollection("users").countDocuments()).isEqualTo(users);
    }

    @Test
    void twoWritersOnDisjointPartitionsShareItemsWindowsAndSummary() {
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> applyPartitions(List.of(0), 300));
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> applyPartitions(List.of(1, 2), 210));
        CompletableFuture.allOf(first, second).join();

        assertThat(truth().mismatches(database)).isEmpty();
    }

    @Test
    void aZombieWriterReplayingTheSamePartitionsAtTheSameTimeCountsNothingTwice() {
        CompletableFuture<Void> owner = CompletableFuture.runAsync(() -> applyInBatches(0, stream.size(), 400));
        CompletableFuture<Void> zombie = CompletableFuture.runAsync(() -> applyInBatches(0, stream.size(), 170));
        CompletableFuture.allOf(owner, zombie).join();

        assertThat(truth().mismatches(database)).isEmpty();
        assertThat(sessionMismatches()).isEmpty();
        assertThat(funnelMismatches()).isEmpty();
    }

    @Test
    void aReplayIsReportedAsConflicts() {
        WriteStats first = store.apply(batch(0, 500));
        WriteStats replay = store.apply(batch(0, 500));

        assertThat(first.conflicts()).isZero();
        assertThat(first.events()).isEqualTo(500);
        assertThat(replay.conflicts()).isPositive();
        assertThat(truthOf(stream.subList(0, 500)).mismatches(database)).isEmpty();
    }

    @Test
    void anEventForAClosedWindowCountsForItsUserAndItemAndAsLateButNotInTheWindow() {
        List<ConsumedEvent> events = lateScenario();
        BatchDelta batch = new BatchDelta();
        events.forEach(batch::add);
        store.apply(batch);

        assertLateScenario();
    }

    @Test
    void latenessIsTheSameWhateverTheBatchBoundariesAndReplays() {
        List<ConsumedEvent> events = lateScenario();
        for (ConsumedEvent event : events) { // one event per batch: stream time carried through the summary
            BatchDelta batch = new BatchDelta();
            batch.add(event);
            store.apply(batch);
        }
        assertLateScenario();

        BatchDelta replay = new BatchDelta(); // replaying everything at once changes nothing
        events.forEach(replay::add);
        store.apply(replay);
        BatchDelta tail = new BatchDelta(); // nor does a replay from the middle
        events.subList(2, events.size()).forEach(tail::add);
        store.apply(tail);
        assertLateScenario();
    }

    @Test
    void retentionRemovesOnlyWindowsOlderThanItsLimit() {
        Instant now = Instant.now();
        MongoCollection<Document> windows = database.getCollection("windows");
        windows.insertOne(new Document("_id", "old").append("windowEnd", Date.from(now.minus(Duration.ofDays(8)))));
        windows.insertOne(new Document("_id", "recent").append("windowEnd", Date.from(now.minus(Duration.ofDays(6)))));
        WindowRetention retention = new WindowRetention(database, Rollups.DEFAULT, Duration.ofDays(7),
                Clock.systemUTC());

        assertThat(retention.removeExpired()).isEqualTo(1);
        assertThat(windows.find().map(d -> d.getString("_id")).into(new ArrayList<>())).containsExactly("recent");
    }

    /**
     * Partition 0: 10:00:10, then 10:07:00 (stream time passes 10:01 + 5 min grace: window 10:00 closes), then
     * 10:00:30 (late) and 10:04:00 (out of order, its window 10:04 is still open). Partition 1: 10:00:40, on time:
     * stream time is per partition.
     */
    private static List<ConsumedEvent> lateScenario() {
        Instant base = Instant.parse("2026-11-27T10:00:00Z");
        return List.of(
                lateEvent(0, 0, "u0", base.plusSeconds(10)),
                lateEvent(0, 1, "u0", base.plusSeconds(7 * 60)),
                lateEvent(1, 0, "u1", base.plusSeconds(40)),
                lateEvent(0, 2, "u0", base.plusSeconds(30)),
                lateEvent(0, 3, "u0", base.plusSeconds(4 * 60)));
    }

    private static ConsumedEvent lateEvent(int partition, long offset, String user, Instant timestamp) {
        return new ConsumedEvent(new InteractionEvent("late-" + partition + "-" + offset, 1, user, "item-x",
                InteractionType.VIEW, timestamp), partition, offset);
    }

    private void assertLateScenario() {
        Document window1000 = database.getCollection("windows").find(new Document("_id", "2026-11-27T10:00:00Z")).first();
        assertThat(window1000.get("total", Number.class).longValue()).isEqualTo(2); // 10:00:10 (p0) and 10:00:40 (p1)
        assertThat(window1000.get("lateEvents", Number.class).longValue()).isEqualTo(1); // 10:00:30 (p0)
        Document window1004 = database.getCollection("windows").find(new Document("_id", "2026-11-27T10:04:00Z")).first();
        assertThat(window1004.get("total", Number.class).longValue()).isEqualTo(1);
        assertThat(window1004.get("lateEvents", Number.class).longValue()).isZero();
        assertThat(database.getCollection("users").find(new Document("_id", "u0")).first().get("total", Number.class).longValue())
                .isEqualTo(4);
        assertThat(database.getCollection("items").find(new Document("_id", "item-x")).first().get("total", Number.class).longValue())
                .isEqualTo(5);
        Document summary = summary();
        assertThat(summary.get("events", Number.class).longValue()).isEqualTo(5);
        assertThat(summary.get("lateEvents", Number.class).longValue()).isEqualTo(1);
    }

    private void applyInBatches(int from, int to, int size) {
        for (int start = from; start < to; start += size) {
            store.apply(batch(start, Math.min(to, start + size)));
        }
    }

    private void applyPartitions(List<Integer> partitions, int size) {
        List<ConsumedEvent> mine = stream.stream().filter(e -> partitions.contains(e.partition())).toList();
        for (int start = 0; start < mine.size(); start += size) {
            BatchDelta batch = new BatchDelta();
            mine.subList(start, Math.min(mine.size(), start + size)).forEach(batch::add);
            store.apply(batch);
        }
    }

    private BatchDelta batch(int from, int to) {
        BatchDelta batch = new BatchDelta();
        stream.subList(from, to).forEach(batch::add);
        return batch;
    }

    private void write(Rollup rollup, List<DocumentDelta> deltas) {
        MongoCollection<Document> collection = database.getCollection(rollup.collection());
        List<WriteModel<Document>> models = new ArrayList<>();
        deltas.forEach(d -> models.add(AggregateUpdates.upsert(rollup, d, InteractionTypes.DEFAULT)));
        collection.bulkWrite(models, new BulkWriteOptions().ordered(false));
    }

    private Document summary() {
        return database.getCollection("summary").find(new Document("_id", "global")).first();
    }

    private static SessionStore sessionStore(MongoDatabase database) {
        return new SessionStore(database, Rollup.WINDOWS, SESSION_GAP, GRACE, Duration.ofDays(7));
    }

    private static FunnelStore funnelStore(MongoDatabase database) {
        return new FunnelStore(database, Rollup.WINDOWS, FUNNEL_STEPS, Duration.ofHours(1),
                Duration.ofDays(7));
    }

    /** Each user's funnel attempts against those computed from the definition over the whole stream ({@link FunnelTruth}). */
    private List<String> funnelMismatches() {
        Map<String, List<FunnelTruth.Attempt>> truth = FunnelTruth.of(stream, FUNNEL_STEPS, Duration.ofHours(1));
        assertThat(truth.values().stream().flatMap(List::stream).filter(a -> a.reached() == 2).count())
                .as("attempts reaching the last step").isPositive();
        return FunnelTruth.mismatches(database, truth);
    }

    /** Each user's sessions against those computed the plain way from the whole stream ({@link SessionTruth}). */
    private List<String> sessionMismatches() {
        Map<String, List<long[]>> truth = SessionTruth.of(stream, SESSION_GAP, GRACE);
        assertThat(truth.values().stream().mapToInt(List::size).sum()).as("sessions").isGreaterThan(2 * truth.size());
        return SessionTruth.mismatches(database, truth);
    }

    private GroundTruth truth() {
        return truthOf(stream);
    }

    private static GroundTruth truthOf(List<ConsumedEvent> events) {
        return new GroundTruth(events.stream().map(ConsumedEvent::event).toList()).withUniqueUsers();
    }

    /** Events as Kafka would hold them: keyed by user, so a user's events share a partition, offsets per partition. */
    static List<List<ConsumedEvent>> events(int count, int users, int items, long seed) {
        Random random = new Random(seed);
        Instant start = Instant.parse("2026-11-27T10:00:00Z");
        List<List<ConsumedEvent>> partitions = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            partitions.add(new ArrayList<>());
        }
        InteractionType[] types = InteractionTypes.DEFAULT.all().toArray(new InteractionType[0]);
        for (int i = 0; i < count; i++) {
            String user = "user-" + random.nextInt(users);
            int partition = Math.floorMod(user.hashCode(), PARTITIONS);
            InteractionEvent event = new InteractionEvent("e" + i, 1, user, "item-" + random.nextInt(items),
                    types[random.nextInt(types.length)], start.plusMillis(random.nextInt(5 * 60_000)));
            List<ConsumedEvent> log = partitions.get(partition);
            log.add(new ConsumedEvent(event, partition, log.size()));
        }
        return partitions;
    }

    /** Interleaves the partitions as a consumer reading all of them would. */
    static List<ConsumedEvent> consumptionOrder(List<List<ConsumedEvent>> partitions) {
        List<ConsumedEvent> order = new ArrayList<>();
        int[] next = new int[partitions.size()];
        boolean more = true;
        while (more) {
            more = false;
            for (int p = 0; p < partitions.size(); p++) {
                List<ConsumedEvent> log = partitions.get(p);
                for (int k = 0; k < 7 && next[p] < log.size(); k++) {
                    order.add(log.get(next[p]++));
                }
                more |= next[p] < log.size();
            }
        }
        return order;
    }
}
