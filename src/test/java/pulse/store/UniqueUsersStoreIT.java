package pulse.store;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import pulse.aggregate.BatchDelta;
import pulse.aggregate.Rollup;
import pulse.aggregate.Rollups;
import pulse.aggregate.UniqueUsers;
import pulse.embedded.TestInfrastructure;
import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Unique users against a real MongoDB wire server, compared with distinct users counted here with sets: a writer
 * whose read of a sketch went stale loses nobody, replays and two writers at once add nobody twice, and the summary
 * counts the last hour's users.
 */
@ExtendWith(TestInfrastructure.class)
class UniqueUsersStoreIT {

    private static final int PARTITIONS = 3;
    private static MongoClient client;
    private MongoDatabase database;

    @BeforeAll
    static void connect() {
        client = MongoClients.create(TestInfrastructure.mongoUri());
    }

    @AfterAll
    static void disconnect() {
        client.close();
    }

    @BeforeEach
    void setUp(TestInfo test) {
        database = client.getDatabase("unique-" + test.getTestMethod().orElseThrow().getName());
        database.drop();
    }

    private UniqueUsersStore uniqueUsers() {
        return new UniqueUsersStore(database, Rollups.DEFAULT, new UniqueUsers(UniqueUsers.DEFAULT_LG_K), Clock.systemUTC());
    }

    @Test
    void aWriterWhoseReadWentStaleReadsAgainAndLosesNobody() {
        Instant time = Instant.parse("2026-11-27T10:00:30Z");
        List<ConsumedEvent> first = new ArrayList<>();
        List<ConsumedEvent> second = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            first.add(event(0, i, "a-" + i, "item-1", time));
            second.add(event(1, i, "b-" + i, "item-1", time));
        }
        UniqueUsersStore slow = uniqueUsers();
        UniqueUsersStore fast = uniqueUsers();
        AtomicBoolean interleaved = new AtomicBoolean();
        // the slow writer has read the (empty) sketches; the fast one writes its users before the slow one writes
        slow.beforeWrite(() -> {
            if (interleaved.compareAndSet(false, true)) {
                fast.apply(batch(second));
            }
        });

        slow.apply(batch(first));

        assertThat(interleaved).isTrue();
        for (String collection : List.of("items", "windows", "item_windows")) {
            assertThat(database.getCollection(collection).find().first().get("uniqueUsers", Number.class).longValue())
                    .as(collection).isEqualTo(600);
        }
    }

    @Test
    void aWriterWhoseCachedSketchWentStaleReadsAgainAndLosesNobody() {
        Instant time = Instant.parse("2026-11-27T10:00:30Z");
        List<List<ConsumedEvent>> batches = new ArrayList<>();
        for (int b = 0; b < 3; b++) {
            List<ConsumedEvent> events = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                events.add(event(b, i, "user-" + b + "-" + i, "item-1", time));
            }
            batches.add(events);
        }
        UniqueUsersStore cached = uniqueUsers();
        UniqueUsersStore other = uniqueUsers();
        cached.apply(batch(batches.get(0))); // cached: version 1, 200 users
        other.apply(batch(batches.get(1))); // MongoDB: version 2, 400 users; the cache does not know

        cached.apply(batch(batches.get(2))); // sent under version 1: refused, read again, sent under version 2

        for (String collection : List.of("items", "windows", "item_windows")) {
            Document document = database.getCollection(collection).find().first();
            assertThat(document.get("uniqueUsers", Number.class).longValue()).as(collection).isEqualTo(600);
            assertThat(document.get(UniqueUsersUpdates.VERSION, Number.class).longValue()).as(collection).isEqualTo(3);
        }
        // and with nothing new, the stale-but-complete cache writes nothing
        Map<String, Long> versions = versions();
        assertThat(cached.apply(batch(batches.get(0)))).isZero();
        assertThat(versions()).isEqualTo(versions);
    }

    @Test
    void manyUsersReplayedWithOtherBoundariesAndByTwoWritersAtOnceStayWithinTwoPercent() {
        List<ConsumedEvent> stream = stream(120_000, 40_000, 4, 3);
        UniqueUsersStore owner = uniqueUsers();
        UniqueUsersStore zombie = uniqueUsers();
        CompletableFuture.allOf(
                CompletableFuture.runAsync(() -> applyInBatches(owner, stream, 7_000)),
                CompletableFuture.runAsync(() -> applyInBatches(zombie, stream, 11_000))).join();
        applyInBatches(owner, stream.subList(30_000, stream.size()), 25_000); // a replay from the middle

        Map<String, Set<String>> exact = new HashMap<>();
        for (ConsumedEvent consumed : stream) {
            InteractionEvent event = consumed.event();
            for (Rollup rollup : List.of(Rollup.ITEMS, Rollup.WINDOWS, Rollup.ITEM_WINDOWS)) {
                exact.computeIfAbsent(rollup.collection() + "/" + rollup.keyOf(event), id -> new HashSet<>()).add(event.userId());
            }
        }
        int checked = 0;
        for (String collection : List.of("items", "windows", "item_windows")) {
            for (Document document : database.getCollection(collection).find()) {
                Set<String> users = exact.get(collection + "/" + document.getString("_id"));
                long estimate = document.get("uniqueUsers", Number.class).longValue();
                assertThat(Math.abs(estimate - users.size()) / (double) users.size())
                        .as("%s/%s: %d estimated, %d exact", collection, document.get("_id"), estimate, users.size())
                        .isLessThanOrEqualTo(0.02);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(exact.size());
        assertThat(exact.get("windows/2026-11-27T10:00:00Z")).hasSizeGreaterThan(20_000);

        Map<String, Long> versions = versions();
        assertThat(owner.apply(batch(stream))).as("document updates for a whole replay").isZero();
        assertThat(versions()).as("a replay rewrites no sketch").isEqualTo(versions);
    }

    @Test
    void theSummaryCountsTheDistinctUsersOfTheWindowsOfTheLastHour() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<ConsumedEvent> events = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            events.add(event(0, events.size(), "user-" + i, "item-" + i % 7, now.minus(Duration.ofMinutes(30))));
            events.add(event(0, events.size(), "user-" + (300 + i), "item-" + i % 5, now.minus(Duration.ofMinutes(10))));
            events.add(event(0, events.size(), "user-" + (1_000 + i), "item-1", now.minus(Duration.ofMinutes(90))));
        }
        UniqueUsersStore uniqueUsers = uniqueUsers();
        uniqueUsers.apply(batch(events));
        uniqueUsers.refreshLastHour();
        assertThat(database.getCollection(AggregateUpdates.SUMMARY).countDocuments()).as("no summary yet: left alone").isZero();

        database.getCollection(AggregateUpdates.SUMMARY).insertOne(new Document("_id", AggregateUpdates.SUMMARY_ID));
        uniqueUsers.refreshLastHour();

        Document summary = database.getCollection(AggregateUpdates.SUMMARY).find().first();
        assertThat(summary.get("uniqueUsersLastHour", Number.class).longValue()).isEqualTo(800); // user-0 .. user-799
    }

    private Map<String, Long> versions() {
        Map<String, Long> versions = new HashMap<>();
        for (String collection : List.of("items", "windows", "item_windows")) {
            database.getCollection(collection).find().forEach(document -> versions.put(collection + "/" + document.get("_id"),
                    document.get(UniqueUsersUpdates.VERSION, Number.class).longValue()));
        }
        return versions;
    }

    private static void applyInBatches(UniqueUsersStore store, List<ConsumedEvent> events, int size) {
        for (int from = 0; from < events.size(); from += size) {
            store.apply(batch(events.subList(from, Math.min(events.size(), from + size))));
        }
    }

    private static BatchDelta batch(List<ConsumedEvent> events) {
        BatchDelta batch = new BatchDelta();
        events.forEach(batch::add);
        return batch;
    }

    private static ConsumedEvent event(int partition, long offset, String user, String item, Instant time) {
        return new ConsumedEvent(new InteractionEvent(null, 1, user, item, InteractionType.VIEW, time), partition, offset);
    }

    /** Events keyed by user over 3 partitions, in two minutes, interleaved as a consumer reads them. */
    private static List<ConsumedEvent> stream(int count, int users, int items, long seed) {
        Random random = new Random(seed);
        Instant start = Instant.parse("2026-11-27T10:00:00Z");
        long[] offsets = new long[PARTITIONS];
        List<ConsumedEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String user = "user-" + random.nextInt(users);
            int partition = Math.floorMod(user.hashCode(), PARTITIONS);
            events.add(event(partition, offsets[partition]++, user, "item-" + random.nextInt(items),
                    start.plusMillis(random.nextInt(120_000))));
        }
        return events;
    }
}
