package pulse.store;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.WriteModel;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import pulse.aggregate.AggregateDelta;
import pulse.aggregate.BatchDelta;
import pulse.aggregate.Dimension;
import pulse.embedded.TestInfrastructure;
import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;
import pulse.it.GroundTruth;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store against a real MongoDB wire server: exact totals, and no double counting when batches are replayed
 * with other boundaries, after a partial write, or by two writers at once.
 */
@ExtendWith(TestInfrastructure.class)
class AggregateStoreIT {

    private static final int PARTITIONS = 3;
    private static MongoClient client;
    private MongoDatabase database;
    private AggregateStore store;
    private List<ConsumedEvent> stream;

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
        database = client.getDatabase("store-" + test.getTestMethod().orElseThrow().getName());
        database.drop();
        store = new AggregateStore(database, Clock.systemUTC());
        stream = consumptionOrder(events(4000, 60, 25, 42));
    }

    @Test
    void batchesAddUpToExactAggregates() {
        applyInBatches(0, stream.size(), 500);

        assertThat(truth().mismatches(database)).isEmpty();
    }

    @Test
    void replayingWithOtherBatchBoundariesChangesNothing() {
        applyInBatches(0, stream.size(), 500);
        Document before = summary();

        applyInBatches(0, stream.size(), 333);
        applyInBatches(1900, stream.size(), 77);

        assertThat(truth().mismatches(database)).isEmpty();
        assertThat(summary().get("events")).isEqualTo(before.get("events"));
    }

    @Test
    void crashAfterAPartialWriteThenReplayCountsEveryEventOnce() {
        applyInBatches(0, 1200, 400);
        // the next batch crashed after half of its user updates and all item updates, before windows and summary
        BatchDelta crashed = batch(1200, 1600);
        List<AggregateDelta> users = new ArrayList<>(crashed.deltas(Dimension.USERS));
        write(Dimension.USERS, users.subList(0, users.size() / 2));
        write(Dimension.ITEMS, new ArrayList<>(crashed.deltas(Dimension.ITEMS)));

        // restart: consumption resumes at the last committed offsets, with other batch boundaries
        applyInBatches(1200, stream.size(), 250);

        assertThat(truth().mismatches(database)).isEmpty();
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

    private void write(Dimension dimension, List<AggregateDelta> deltas) {
        MongoCollection<Document> collection = database.getCollection(dimension.collection());
        List<WriteModel<Document>> models = new ArrayList<>();
        deltas.forEach(d -> models.add(AggregateUpdates.upsert(dimension, d)));
        collection.bulkWrite(models, new BulkWriteOptions().ordered(false));
    }

    private Document summary() {
        return database.getCollection("summary").find(new Document("_id", "global")).first();
    }

    private GroundTruth truth() {
        return truthOf(stream);
    }

    private static GroundTruth truthOf(List<ConsumedEvent> events) {
        return new GroundTruth(events.stream().map(ConsumedEvent::event).toList());
    }

    /** Events as Kafka would hold them: keyed by user, so a user's events share a partition, offsets per partition. */
    static List<List<ConsumedEvent>> events(int count, int users, int items, long seed) {
        Random random = new Random(seed);
        Instant start = Instant.parse("2026-11-27T10:00:00Z");
        List<List<ConsumedEvent>> partitions = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            partitions.add(new ArrayList<>());
        }
        InteractionType[] types = InteractionType.values();
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
