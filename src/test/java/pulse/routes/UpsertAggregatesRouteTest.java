package pulse.routes;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoWriteException;
import com.mongodb.ServerAddress;
import com.mongodb.WriteError;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.WriteModel;
import org.apache.camel.spi.Registry;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.Test;
import pulse.aggregate.BatchDelta;
import pulse.kafka.KafkaRecord;
import pulse.store.AggregateUpserts;
import pulse.store.WriteStats;
import pulse.testsupport.RouteTestSupport;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.apache.camel.component.mongodb.MongoDbConstants.BULK_ORDERED;
import static org.apache.camel.component.mongodb.MongoDbConstants.COLLECTION;
import static org.apache.camel.component.mongodb.MongoDbConstants.CRITERIA;
import static org.assertj.core.api.Assertions.assertThat;

/** Upsert: stream times -> a bulk write per collection (replays read back and refolded) -> summary -> derived fields. */
class UpsertAggregatesRouteTest extends RouteTestSupport {

    private static final int EVENTS = 40;

    private MongoUpsertMocks mongo;
    private List<KafkaRecord> records;

    @Override
    protected Map<String, String> overrides() {
        return Map.of(
                "generator.events-per-tick", String.valueOf(EVENTS),
                "generator.users", "8", // a few users with several events each
                "generator.seed", "3");
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("aggregateUpserts", new AggregateUpserts(options().rollups(), options().events().types(),
                options().windowGrace(), Clock.systemUTC()));
    }

    private BatchDelta fold() {
        records = GeneratedRecords.onPartition0(options());
        return GeneratedRecords.folder(options()).fold(records).getDelta();
    }

    private WriteStats upsert(BatchDelta fold) {
        return template.requestBody("direct:upsert-aggregates", fold, WriteStats.class);
    }

    private long distinctUsers() {
        return records.stream().map(KafkaRecord::key).distinct().count();
    }

    @Test
    void writesEveryCollectionThenTheSummaryThenItsDerivedFields() throws Exception {
        mongo = new MongoUpsertMocks(context);
        context.start();

        WriteStats stats = upsert(fold());

        assertThat(mongo.steps).containsExactlyElementsOf(MongoUpsertMocks.oneWrite(MongoUpsertMocks.BULK_WRITES));
        assertThat(mongo.bulkWrite.getReceivedExchanges()).as("unordered: one conflict does not stop the other upserts")
                .allSatisfy(write -> assertThat(write.getMessage().getHeader(BULK_ORDERED)).isEqualTo(false));
        List<WriteModel<Document>> users = MongoUpsertMocks.models(mongo.bulkWrite.getReceivedExchanges().get(0));
        assertThat(users).extracting(MongoUpsertMocks::id)
                .containsExactlyInAnyOrderElementsOf(records.stream().map(KafkaRecord::key).distinct().toList());
        BsonDocument summaryIncrement = MongoUpsertMocks.update(mongo.summaryUpdate.getReceivedExchanges().get(0))
                .getDocument("$inc");
        assertThat(summaryIncrement.getNumber("events").longValue()).isEqualTo(EVENTS);
        assertThat(summaryIncrement.getNumber("users").longValue()).as("every user document was created").isEqualTo(distinctUsers());
        assertThat(stats.events()).isEqualTo(EVENTS);
        assertThat(stats.conflicts()).isZero();
    }

    @Test
    void aDuplicateKeyReplayIsReadBackAndOnlyTheEventsTheDocumentMissesAreWrittenAgain() throws Exception {
        mongo = new MongoUpsertMocks(context);
        BatchDelta fold = fold();
        // the most active user's document already holds its first event of this fold (an earlier, crashed attempt)
        String user = records.stream().map(KafkaRecord::key)
                .max((a, b) -> Long.compare(eventsOf(a).size(), eventsOf(b).size())).orElseThrow();
        List<KafkaRecord> userEvents = eventsOf(user);
        assertThat(userEvents).as("the test needs a user with several events").hasSizeGreaterThan(1);
        long held = userEvents.get(0).offset();
        mongo.bulkWrite.whenExchangeReceived(1, exchange -> {
            mongo.steps.add("bulk write " + exchange.getMessage().getHeader(COLLECTION) + ": duplicate key");
            List<WriteModel<Document>> models = MongoUpsertMocks.models(exchange);
            int conflicting = models.stream().map(MongoUpsertMocks::id).toList().indexOf(user);
            throw duplicateKey(models.size(), conflicting);
        });
        mongo.readBack.whenAnyExchangeReceived(exchange -> {
            mongo.steps.add("read back " + exchange.getMessage().getHeader(COLLECTION));
            exchange.getMessage().setBody(List.of(new Document("_id", user)
                    .append("offsets", new Document("p0", held))
                    .append("origin", new Document("partition", 0).append("offset", 1_000_000L))));
        });
        mongo.bulkWrite.whenExchangeReceived(2, exchange -> {
            mongo.steps.add("bulk write " + exchange.getMessage().getHeader(COLLECTION));
            // the guard lets the update through: the document exists, nothing is upserted
            exchange.getMessage().setBody(BulkWriteResult.acknowledged(0, 1, 0, 1, List.of(), List.of()));
        });
        context.start();

        WriteStats stats = upsert(fold);

        assertThat(mongo.steps).containsExactlyElementsOf(MongoUpsertMocks.oneWrite(MongoUpsertMocks.concat(
                List.of("bulk write users: duplicate key", "read back users"), MongoUpsertMocks.BULK_WRITES)));
        Bson readBackCriteria = mongo.readBack.getReceivedExchanges().get(0).getMessage().getHeader(CRITERIA, Bson.class);
        assertThat(MongoUpsertMocks.bson(readBackCriteria))
                .isEqualTo(new BsonDocument("_id", new BsonDocument("$in", new BsonArray(List.of(new BsonString(user))))));
        List<WriteModel<Document>> rewritten = MongoUpsertMocks.models(mongo.bulkWrite.getReceivedExchanges().get(1));
        assertThat(rewritten).extracting(MongoUpsertMocks::id).containsExactly(user);
        BsonDocument update = MongoUpsertMocks.bson(((UpdateOneModel<Document>) rewritten.get(0)).getUpdate());
        assertThat(update.getDocument("$inc").getNumber("total").longValue()).as("the user's events after offset " + held)
                .isEqualTo(userEvents.size() - 1);
        BsonDocument summaryIncrement = MongoUpsertMocks.update(mongo.summaryUpdate.getReceivedExchanges().get(0))
                .getDocument("$inc");
        assertThat(summaryIncrement.getNumber("events").longValue()).isEqualTo(EVENTS);
        assertThat(summaryIncrement.getNumber("users").longValue()).as("the user existed before this fold")
                .isEqualTo(distinctUsers() - 1);
        assertThat(stats.conflicts()).isEqualTo(1);
    }

    @Test
    void aSummaryThatAlreadyHoldsTheFoldIsReadBackAndItsEventsAreNotCountedTwice() throws Exception {
        mongo = new MongoUpsertMocks(context);
        BatchDelta fold = fold();
        // an earlier, crashed attempt updated the summary with this whole fold
        Document stored = new Document("_id", "global").append("events", (long) EVENTS).append("users", distinctUsers())
                .append("offsets", new Document("p0", records.get(records.size() - 1).offset()));
        mongo.summaryUpdate.whenExchangeReceived(1, exchange -> {
            mongo.steps.add("update summary: duplicate key");
            throw new MongoWriteException(new WriteError(11000, "E11000 duplicate key error collection: summary index: _id_",
                    new BsonDocument()), new ServerAddress(), Set.of());
        });
        mongo.summaryReadBack.whenAnyExchangeReceived(exchange -> {
            mongo.steps.add("read back summary");
            exchange.getMessage().setBody(stored);
        });
        context.start();

        WriteStats stats = upsert(fold);

        List<String> expected = MongoUpsertMocks.oneWrite(MongoUpsertMocks.BULK_WRITES);
        expected.set(expected.indexOf("update summary"), "update summary: duplicate key");
        expected.add(expected.indexOf("update summary: duplicate key") + 1, "read back summary");
        assertThat(mongo.steps).as("no second update: the summary holds every offset of the fold")
                .containsExactlyElementsOf(expected);
        assertThat(stats.conflicts()).isEqualTo(1);
    }

    private List<KafkaRecord> eventsOf(String user) {
        return records.stream().filter(record -> record.key().equals(user)).toList();
    }

    /** What MongoDB answers an unordered bulk write whose upsert at {@code conflicting} met a document holding its events. */
    private static MongoBulkWriteException duplicateKey(int models, int conflicting) {
        return new MongoBulkWriteException(MongoUpsertMocks.upsertedBut(models, conflicting),
                List.of(new BulkWriteError(11000, "E11000 duplicate key error collection: users index: _id_", new BsonDocument(),
                        conflicting)), null, new ServerAddress(), Set.of());
    }
}
