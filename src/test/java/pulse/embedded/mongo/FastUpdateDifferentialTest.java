package pulse.embedded.mongo;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoCommandException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateManyModel;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import org.bson.Document;
import org.bson.types.Binary;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import pulse.aggregate.DocumentDelta;
import pulse.aggregate.Rollup;
import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;
import pulse.event.InteractionTypes;
import pulse.store.AggregateUpdates;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded backend, with its fast path for simple updates, answers every update (and sorted query) exactly as
 * mongo-java-server's own H2 backend does: same write results, same errors (code, message, index), same documents
 * (types and field order included) and the same collection size. Each step runs against both servers through the
 * MongoDB driver.
 */
class FastUpdateDifferentialTest {

    private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().ordered(false);
    private static final BulkWriteOptions ORDERED = new BulkWriteOptions().ordered(true);
    private static final UpdateOptions UPSERT = new UpdateOptions().upsert(true);
    private static final UpdateOptions NO_UPSERT = new UpdateOptions();
    private static final JsonWriterSettings TYPED_JSON = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");
    private static final AtomicInteger COLLECTIONS = new AtomicInteger();

    private static MongoServer upstreamServer;
    private static MongoServer embeddedServer;
    private static MongoClient upstreamClient;
    private static MongoClient embeddedClient;

    @BeforeAll
    static void startServers() {
        upstreamServer = new MongoServer(new H2Backend(MVStore.open(null)));
        embeddedServer = new MongoServer(new EmbeddedMongoBackend(null));
        upstreamClient = MongoClients.create(upstreamServer.bindAndGetConnectionString());
        embeddedClient = MongoClients.create(embeddedServer.bindAndGetConnectionString());
    }

    @AfterAll
    static void stopServers() {
        upstreamClient.close();
        embeddedClient.close();
        upstreamServer.shutdown();
        embeddedServer.shutdown();
    }

    @Test
    void theAppsUpsertsWithReplaysAnswerAsUpstream() {
        for (long seed = 0; seed < 20; seed++) {
            Random random = new Random(seed);
            for (Rollup rollup : List.of(Rollup.USERS, Rollup.ITEMS, Rollup.WINDOWS, Rollup.ITEM_WINDOWS)) {
                Twin twin = new Twin("seed " + seed + " " + rollup.collection());
                AppWorkload workload = new AppWorkload(random, rollup);
                for (int batch = 0; batch < 12; batch++) {
                    twin.bulkWrite(workload.batch(1 + random.nextInt(30)), UNORDERED);
                }
            }
        }
    }

    @Test
    void theSummaryUpdateAnswersAsUpstream() {
        Twin twin = new Twin("summary");
        for (int round = 0; round < 6; round++) {
            long first = round % 3 == 2 ? 0 : round * 10L; // every third round is a replay: duplicate key
            Document filter = new Document("_id", "global")
                    .append("offsets.p0", AggregateUpdates.notAtOrBeyond(first))
                    .append("offsets.p1", AggregateUpdates.notAtOrBeyond(first + 1));
            Document update = new Document("$inc", new Document("events", 5L).append("users", round % 2)
                    .append("lateEvents", 0L))
                    .append("$set", new Document("offsets.p0", first + 9).append("offsets.p1", first + 8))
                    .append("$max", new Document("streamTime.p0", Date.from(T0.plusSeconds(round))));
            twin.findOneAndUpdate(filter, update, true);
            twin.bulkWrite(List.of(new UpdateOneModel<>(new Document("_id", "global").append("events", 5L * (round + 1)),
                    new Document("$set", new Document("avgInteractionsPerUser", round / 3.0)
                            .append("updatedAt", Date.from(T0.plusSeconds(round)))
                            .append("maxItem", new Document("itemId", "i" + round).append("total", (long) round))))), ORDERED);
        }
    }

    @Test
    void edgeCasesAnswerAsUpstream() {
        Twin twin = new Twin("edges");
        Document document = new Document("_id", "doc").append("int", 1).append("long", 5L).append("double", 2.5)
                .append("maxInt", Integer.MAX_VALUE).append("minInt", Integer.MIN_VALUE).append("maxLong", Long.MAX_VALUE)
                .append("s", "text").append("flag", true).append("nothing", null)
                .append("when", Date.from(T0)).append("sub", new Document("a", 1).append("b", new Document("c", 2L)))
                .append("subList", new Document("l", List.of(1, 2))).append("zero", 0.0).append("negativeZero", -0.0)
                .append("one", 1).append("two", 2).append("bigLong", (1L << 53) + 1)
                .append("bin", new Binary(new byte[]{1, 2, 3}));
        twin.insert(document);
        twin.insert(new Document(document).append("_id", "withList").append("list", List.of(1, 2, new Document("k", 3))));
        List<Document> updates = List.of(
                // $inc: missing, int/long/double mixes, overflow, nested new paths
                inc("missing", 1), inc("missingLong", 1L), inc("missingDouble", 0.5),
                inc("int", 1), inc("int", 2L), inc("int", 0.5), inc("long", 1), inc("long", 0.25),
                inc("maxInt", 1), inc("minInt", -1), inc("maxLong", 1L), inc("maxLong", 1), inc("double", -2.5),
                inc("fresh.a.b.c", 1L), inc("sub.b.d", 4), inc("sub.a", 1L), inc("sub.a", 0), inc("sub.a", 0L),
                // $set: equal values of other number types stay as they are, -0.0, strings, dates, documents
                set("int", 1L), set("long", 5.0), set("zero", -0.0), set("double", 2.5f), set("s", "text"),
                set("s", "other"), set("s", 7), set("when", Date.from(T0)), set("when", Date.from(T0.plusMillis(1))),
                set("newDoc", new Document("x", 1).append("y", new Document("z", "w"))), set("sub.b.c", 3),
                set("sub.e.f", "deep"), set("sub", new Document("replaced", true)), set("flag", false),
                set("sub", 5), set("other", new Document("x", 1)), set("other", new Document("x", 1)),
                // $min/$max: missing fields, dates, numbers of several types, strings, mixed types
                min("firstSeen", Date.from(T0)), min("firstSeen", Date.from(T0.minusSeconds(5))),
                min("firstSeen", Date.from(T0.plusSeconds(5))), max("lastSeen", Date.from(T0)),
                max("lastSeen", Date.from(T0.plusSeconds(5))), max("lastSeen", Date.from(T0.minusSeconds(5))),
                min("int", 0L), max("int", 10.5), max("long", 3), min("s", "a"), max("s", "z"), min("a.b", 3),
                max("s", 5), min("int", "string"), max("when", 1), min("flag", true),
                // changed, but not modified as upstream counts it; equal after normalising, so left alone
                inc("one", 0L), inc("negativeZero", 0.0), inc("zero", -0.0), set("zero", -0.0), set("two", 2.0),
                max("two", 2L), min("two", 2.0), set("bigLong", (double) ((1L << 53) + 1)), set("bigLong", (1L << 53) + 1),
                max("bigLong", (double) (1L << 53)), inc("subList.m", 1), set("subList.l.0", 5),
                // binary (the unique users sketches): equal bytes are left alone, other bytes, types and subtypes
                set("bin", new Binary(new byte[]{1, 2, 3})), set("bin", new Binary(new byte[]{1, 2, 4})),
                set("bin", new Binary(new byte[0])), set("newBin", new Binary(new byte[8_300])), set("int", new Binary(new byte[]{9})),
                set("bin", 5), set("sub.bin", new Binary(new byte[]{7})), set("bin", new Binary((byte) 4, new byte[16])),
                set("bin", new Binary((byte) 0x80, new byte[]{1})), min("bin", new Binary(new byte[]{0})),
                max("bin", new Binary(new byte[]{9})), inc("bin", 1),
                new Document("$set", new Document("uniqueUsersSketch", new Binary(new byte[]{5, 6}))
                        .append("uniqueUsers", 2L).append("uniqueUsersVersion", 1L))
                        .append("$setOnInsert", new Document("windowStart", Date.from(T0))),
                // $setOnInsert on an update does nothing
                new Document("$setOnInsert", new Document("origin", new Document("partition", 1).append("offset", 2L))),
                // several operators and paths into one sub-document
                new Document("$inc", new Document("byType.view", 1L).append("byType.click", 0L))
                        .append("$set", new Document("offsets.p0", 5L).append("byType.last", "view"))
                        .append("$min", new Document("byType.first", 3)),
                // errors and what only upstream does
                inc("s", 1), inc("flag", 1), inc("nothing", 1), inc("int", "x"), set("s.deeper", 1),
                set("list.0", 9), set("list.1.k", 4), inc("list.2.k", 1), set("nothing.x", 1), set("_id", "doc"),
                set("_id", "other"), inc("_id", 1), set("$bad", 1), set("a..b", 1), set("trailing.", 1),
                new Document("$set", new Document("p", 1)).append("$inc", new Document("p.q", 1)),
                new Document("$set", new Document("p", 1)).append("$inc", new Document("p", 1)),
                new Document("$set", new Document("arr", List.of(1, 2))), set("nul", null), set("dollar", new Document("$x", 1)),
                set("dotted", new Document("a.b", 1)), new Document("$unset", new Document("int", "")),
                new Document("$push", new Document("list", 4)), new Document("$mul", new Document("double", 2)),
                new Document("$rename", new Document("s", "t")), new Document("$currentDate", new Document("now", false)),
                new Document("$inc", new Document()), new Document("$set", new Document()),
                new Document("plain", "replacement"));
        for (String id : List.of("doc", "withList")) {
            for (Document update : updates) {
                twin.bulkWrite(List.of(new UpdateOneModel<>(new Document("_id", id), update, NO_UPSERT)), ORDERED);
            }
        }
        for (Document update : updates) { // the same into new documents
            twin.bulkWrite(List.of(new UpdateOneModel<>(new Document("_id", "new-" + updates.indexOf(update)), update, UPSERT)), ORDERED);
        }
    }

    @Test
    void upsertFiltersAnswerAsUpstream() {
        Twin twin = new Twin("filters");
        Document update = new Document("$inc", new Document("n", 1L)).append("$set", new Document("offsets.p0", 10L));
        List<Document> filters = List.of(
                new Document("_id", "a").append("offsets.p0", AggregateUpdates.notAtOrBeyond(5)), // inserts
                new Document("_id", "a").append("offsets.p0", AggregateUpdates.notAtOrBeyond(5)), // replay: duplicate key
                new Document("_id", "a").append("offsets.p0", AggregateUpdates.notAtOrBeyond(11)), // updates
                new Document("_id", "b").append("offsets.p0", new Document("$lt", 3)),
                new Document("_id", "c").append("status", "new"), // the equality is copied into the document
                new Document("_id", "d").append("status", new Document("$eq", "new")),
                new Document("_id", "e").append("$and", List.of(new Document("k", 1))),
                new Document("_id", "f").append("$or", List.of(new Document("k", 1))),
                new Document("_id", "g").append("sub.x", 2),
                new Document("_id", "h").append("offsets", new Document("p0", 1)),
                new Document("_id", new Document("$in", List.of("i", "j"))),
                new Document("_id", 7).append("offsets.p0", AggregateUpdates.notAtOrBeyond(5)),
                new Document("_id", 7).append("offsets.p0", AggregateUpdates.notAtOrBeyond(5)),
                new Document("_id", "a").append("n", new Document()),
                new Document("_id", "k").append("offsets.p0", new Document("$eq", 3).append("$ne", 4)));
        for (Document filter : filters) {
            twin.bulkWrite(List.of(new UpdateOneModel<>(filter, update, UPSERT)), UNORDERED);
        }
        twin.bulkWrite(List.of(new UpdateOneModel<>(new Document("_id", "missing").append("x", 1), update, NO_UPSERT),
                new UpdateManyModel<>(new Document("_id", "a"), update, UPSERT),
                new UpdateOneModel<>(new Document("_id", "a"), update, NO_UPSERT)), UNORDERED);
    }

    @Test
    void aUniqueIndexStillChecksTheFieldsItCovers() {
        Twin twin = new Twin("unique");
        twin.createUniqueIndex("email");
        twin.createUniqueIndex("profile.name");
        twin.insert(new Document("_id", "u1").append("email", "a@x").append("profile", new Document("name", "A")));
        twin.insert(new Document("_id", "u2").append("email", "b@x"));
        for (Document update : List.of(set("email", "a@x"), set("email", "c@x"), set("profile.name", "A"),
                set("profile", new Document("name", "A")), inc("visits", 1L), set("profile.age", 3))) {
            twin.bulkWrite(List.of(new UpdateOneModel<>(new Document("_id", "u2"), update, UPSERT),
                    new UpdateOneModel<>(new Document("_id", "u3"), update, UPSERT)), UNORDERED);
        }
    }

    /** The summary's most and least interacted item: sorted, limited queries, kept first-in-order while scanning. */
    @Test
    void sortedQueriesWithSmallLimitsAnswerAsUpstream() {
        Random random = new Random(11);
        Twin twin = new Twin("sorted queries");
        for (int i = 0; i < 300; i++) {
            Document document = new Document("_id", "item-" + random.nextInt(1_000_000)).append("total", (long) random.nextInt(20));
            if (random.nextInt(10) == 0) {
                document.append("total", random.nextBoolean() ? "text" : null); // other types sort apart, as in MongoDB
            }
            if (random.nextInt(10) == 0) {
                document.remove("total");
            }
            twin.insert(document);
        }
        Document byTotal = new Document("total", 1);
        for (Document sort : List.of(byTotal, new Document("total", -1), new Document("total", -1).append("_id", 1),
                new Document("total", 1).append("_id", -1))) {
            for (int limit : List.of(1, 2, 7, 100, 101)) {
                twin.find(new Document(), sort, 0, limit, new Document("total", 1));
                twin.find(new Document("total", new Document("$gte", 5L)), sort, 3, limit, new Document());
            }
        }
        twin.find(new Document("total", new Document("$gt", 1_000L)), byTotal, 0, 1, new Document()); // nothing matches
    }

    @Test
    void randomUpdatesAnswerAsUpstream() {
        for (long seed = 0; seed < 60; seed++) {
            Random random = new Random(seed);
            Twin twin = new Twin("random " + seed);
            RandomUpdates updates = new RandomUpdates(random);
            for (int i = 0; i < 4; i++) {
                twin.insert(updates.document("r" + i));
            }
            for (int batch = 0; batch < 40; batch++) {
                if (random.nextInt(10) == 0) {
                    twin.findOneAndUpdate(updates.filter(), updates.update(), random.nextBoolean());
                    continue;
                }
                List<WriteModel<Document>> models = new ArrayList<>();
                for (int i = 1 + random.nextInt(6); i > 0; i--) {
                    models.add(new UpdateOneModel<>(updates.filter(), updates.update(), random.nextInt(3) > 0 ? UPSERT : NO_UPSERT));
                }
                twin.bulkWrite(models, random.nextBoolean() ? ORDERED : UNORDERED);
            }
        }
    }

    private static Document inc(String path, Object value) {
        return new Document("$inc", new Document(path, value));
    }

    private static Document set(String path, Object value) {
        return new Document("$set", new Document(path, value));
    }

    private static Document min(String path, Object value) {
        return new Document("$min", new Document(path, value));
    }

    private static Document max(String path, Object value) {
        return new Document("$max", new Document(path, value));
    }

    /** The same collection on both servers; every write goes to both and must answer and leave the same. */
    private static final class Twin {

        private final String description;
        private final MongoDatabase upstreamDatabase;
        private final MongoDatabase embeddedDatabase;
        private final MongoCollection<Document> upstream;
        private final MongoCollection<Document> embedded;
        private int step;

        Twin(String description) {
            this.description = description;
            String name = "c" + COLLECTIONS.incrementAndGet();
            upstreamDatabase = upstreamClient.getDatabase("diff");
            embeddedDatabase = embeddedClient.getDatabase("diff");
            upstream = upstreamDatabase.getCollection(name);
            embedded = embeddedDatabase.getCollection(name);
        }

        void insert(Document document) {
            upstream.insertOne(Document.parse(document.toJson(TYPED_JSON)));
            embedded.insertOne(Document.parse(document.toJson(TYPED_JSON)));
        }

        void createUniqueIndex(String field) {
            IndexOptions unique = new IndexOptions().unique(true);
            upstream.createIndex(Indexes.ascending(field), unique);
            embedded.createIndex(Indexes.ascending(field), unique);
        }

        void bulkWrite(List<WriteModel<Document>> models, BulkWriteOptions options) {
            compare(models, collection -> outcome(() -> describe(collection.bulkWrite(models, options))));
        }

        void find(Document filter, Document sort, int skip, int limit, Document projection) {
            compare(List.of(filter, sort, skip, limit, projection), collection -> outcome(() -> {
                List<String> found = new ArrayList<>();
                collection.find(filter).sort(sort).skip(skip).limit(limit).projection(projection)
                        .forEach(document -> found.add(document.toJson(TYPED_JSON)));
                return found.toString();
            }));
        }

        void findOneAndUpdate(Document filter, Document update, boolean upsert) {
            FindOneAndUpdateOptions options = new FindOneAndUpdateOptions().upsert(upsert).returnDocument(ReturnDocument.AFTER);
            compare(List.of(filter, update), collection -> outcome(() -> {
                Document result = collection.findOneAndUpdate(filter, update, options);
                return result == null ? "null" : result.toJson(TYPED_JSON);
            }));
        }

        private void compare(Object request, Function<MongoCollection<Document>, String> write) {
            step++;
            String expected = write.apply(upstream);
            String actual = write.apply(embedded);
            String what = description + ", step " + step + ": " + request;
            assertThat(actual).as("answer to %s", what).isEqualTo(expected);
            assertThat(contents(embedded)).as("documents after %s", what).isEqualTo(contents(upstream));
            assertThat(size(embeddedDatabase, embedded)).as("collection size after %s", what)
                    .isEqualTo(size(upstreamDatabase, upstream));
        }

        private static String outcome(Supplier<String> write) {
            try {
                return write.get();
            } catch (MongoBulkWriteException e) {
                List<String> errors = new ArrayList<>();
                for (BulkWriteError error : e.getWriteErrors()) {
                    errors.add(error.getIndex() + ": " + error.getCode() + " " + error.getMessage());
                }
                return "errors " + errors + " after " + describe(e.getWriteResult());
            } catch (MongoCommandException e) {
                return e.getClass().getSimpleName() + " " + e.getCode() + " " + e.getErrorMessage();
            } catch (RuntimeException e) { // also what the driver throws for an answer it cannot read
                return e.getClass().getSimpleName() + " " + e.getMessage();
            }
        }

        private static String describe(BulkWriteResult result) {
            List<String> upserts = new ArrayList<>();
            result.getUpserts().forEach(upsert -> upserts.add(upsert.getIndex() + "=" + upsert.getId()));
            return "matched " + result.getMatchedCount() + ", modified " + result.getModifiedCount()
                    + ", inserted " + result.getInsertedCount() + ", upserts " + upserts;
        }

        /** Every document as typed JSON (int32, int64, double, date stay apart; field order shows), sorted. */
        private static List<String> contents(MongoCollection<Document> collection) {
            List<String> documents = new ArrayList<>();
            collection.find().forEach(document -> documents.add(document.toJson(TYPED_JSON)));
            documents.sort(null);
            return documents;
        }

        private static Object size(MongoDatabase database, MongoCollection<Document> collection) {
            return database.runCommand(new Document("collStats", collection.getNamespace().getCollectionName())).get("size");
        }
    }

    /** Upserts exactly as the app builds them, with replays of earlier offsets that the guard must reject. */
    private static final class AppWorkload {

        private final Random random;
        private final Rollup rollup;
        private final Map<Integer, Long> nextOffset = new HashMap<>();
        private final List<Long> seen = new ArrayList<>();

        AppWorkload(Random random, Rollup rollup) {
            this.random = random;
            this.rollup = rollup;
        }

        List<WriteModel<Document>> batch(int size) {
            List<WriteModel<Document>> models = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                models.add(AggregateUpdates.upsert(rollup, delta(), InteractionTypes.DEFAULT));
            }
            return models;
        }

        private DocumentDelta delta() {
            int key = random.nextInt(6);
            Instant window = T0.plus(Duration.ofMinutes(random.nextInt(3)));
            String id = switch (rollup.kind()) {
                case USERS -> "user-" + key;
                case ITEMS -> "item-" + key;
                case WINDOWS -> window.toString();
                case ITEM_WINDOWS -> window + "/item-" + key;
            };
            DocumentDelta delta = new DocumentDelta(id);
            int partitions = 1 + random.nextInt(2);
            for (int p = 0; p < partitions; p++) {
                int partition = random.nextInt(3);
                boolean replay = random.nextInt(5) == 0 && !seen.isEmpty();
                long offset = replay ? seen.get(random.nextInt(seen.size())) : nextOffset.merge(partition, 1L + random.nextInt(3), Long::sum);
                seen.add(offset);
                for (int e = 1 + random.nextInt(3); e > 0; e--, offset++) {
                    InteractionType type = InteractionTypes.DEFAULT.all().get(random.nextInt(3));
                    Instant at = window.plusMillis(random.nextInt(60_000));
                    ConsumedEvent event = new ConsumedEvent(new InteractionEvent("e" + offset, 1, "user-" + key,
                            "item-" + key, type, at), partition, offset);
                    if (rollup.isWindowed() && random.nextInt(8) == 0) {
                        delta.addLate(event);
                    } else {
                        delta.add(event);
                    }
                }
                nextOffset.merge(partition, offset, Math::max);
            }
            return delta;
        }
    }

    /** Updates, filters and documents drawn from the values and paths where the fast path and upstream meet. */
    private static final class RandomUpdates {

        private static final String[] OPERATORS = {"$inc", "$inc", "$set", "$set", "$setOnInsert", "$min", "$max",
                "$unset", "$mul", "$push"};
        private static final int SIMPLE_OPERATORS = 7;
        private static final String[] PATHS = {"n", "m", "s", "d", "x.y", "x.z", "x.y.w", "sub.a", "sub.b.c", "flag",
                "total", "offsets.p0", "offsets.p1", "byType.view", "arr", "arr.0", "nul", "nul.q", "_id"};
        private static final int SIMPLE_PATHS = 14;

        private final Random random;

        RandomUpdates(Random random) {
            this.random = random;
        }

        Document document(String id) {
            Document document = new Document("_id", id);
            for (int i = random.nextInt(6); i > 0; i--) {
                String path = PATHS[random.nextInt(PATHS.length - 1)];
                if (!path.contains(".")) {
                    document.put(path, value(false));
                }
            }
            return document;
        }

        Document filter() {
            Object id = random.nextInt(12) == 0 ? random.nextInt(3) : "r" + random.nextInt(6);
            Document filter = new Document("_id", id);
            switch (random.nextInt(6)) {
                case 0 -> filter.append("offsets.p0", AggregateUpdates.notAtOrBeyond(random.nextInt(20)));
                case 1 -> filter.append("n", new Document("$lt", random.nextInt(10)));
                case 2 -> filter.append("s", "a");
                case 3 -> filter.append("offsets.p1", AggregateUpdates.notAtOrBeyond(random.nextInt(20)))
                        .append("offsets.p0", AggregateUpdates.notAtOrBeyond(random.nextInt(20)));
                default -> {
                }
            }
            return filter;
        }

        /** Half of them simple (what the fast path takes, unless a stored value is unusual), half anything. */
        Document update() {
            boolean simple = random.nextBoolean();
            Document update = new Document();
            for (int i = 1 + random.nextInt(3); i > 0; i--) {
                String operator = OPERATORS[random.nextInt(simple ? SIMPLE_OPERATORS : OPERATORS.length)];
                Document change = (Document) update.computeIfAbsent(operator, k -> new Document());
                for (int j = 1 + random.nextInt(3); j > 0; j--) {
                    String path = PATHS[random.nextInt(simple ? SIMPLE_PATHS : PATHS.length)];
                    change.put(path, operator.equals("$inc") || operator.equals("$mul") ? number(simple) : value(simple));
                }
            }
            return update;
        }

        private Object number(boolean simple) {
            return switch (random.nextInt(simple ? 7 : 8)) {
                case 0 -> random.nextInt(5) - 2;
                case 1 -> (long) random.nextInt(5) - 2;
                case 2 -> random.nextInt(5) / 2.0 - 1;
                case 3 -> Integer.MAX_VALUE;
                case 4 -> Long.MAX_VALUE;
                case 5 -> -0.0;
                case 6 -> (1L << 53) + 1;
                default -> "not a number";
            };
        }

        private Object value(boolean simple) {
            int kind = random.nextInt(12);
            if (simple && (kind == 7 || kind == 9)) {
                kind = 10;
            }
            return switch (kind) {
                case 0, 1, 2 -> number(simple);
                case 3 -> "a";
                case 4 -> "b";
                case 5 -> Date.from(T0.plusSeconds(random.nextInt(3)));
                case 6 -> random.nextBoolean();
                case 7 -> null;
                case 8 -> new Document("k", number(simple)).append("j", "v");
                case 9 -> List.of(1, 2);
                case 10 -> random.nextInt(3);
                default -> new Document();
            };
        }
    }
}
