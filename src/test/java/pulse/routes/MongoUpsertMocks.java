package pulse.routes;

import com.mongodb.MongoClientSettings;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.bulk.BulkWriteUpsert;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.WriteModel;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.Document;
import org.bson.conversions.Bson;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.apache.camel.component.mongodb.MongoDbConstants.COLLECTION;

/**
 * The upsert routes' {@code mongodb:} endpoints swapped for mock endpoints that answer as an empty MongoDB would
 * (nothing stored yet: every upsert creates its document), and that note each call in {@link #steps} in the order
 * the routes make them. A test changes an answer with the mock's {@code whenExchangeReceived}.
 */
final class MongoUpsertMocks {

    /** What the routes did, in order: one entry per MongoDB call (and whatever else the test notes). */
    final List<String> steps;
    final MockEndpoint streamTimes;
    final MockEndpoint bulkWrite;
    final MockEndpoint readBack;
    final MockEndpoint summaryUpdate;
    final MockEndpoint summaryReadBack;
    final MockEndpoint items;
    final MockEndpoint derivedFields;
    /** The summary as the answers to its updates built it. */
    private final Document summary = new Document("_id", "global");

    MongoUpsertMocks(CamelContext context) throws Exception {
        this(context, new CopyOnWriteArrayList<>());
    }

    /** @param steps where the calls are noted, with whatever else the test notes there */
    MongoUpsertMocks(CamelContext context, List<String> steps) throws Exception {
        this.steps = steps;
        AdviceWith.adviceWith(context, "upsert-aggregates", route ->
                route.weaveByToUri("mongodb:.*operation=findById.*").replace().to("mock:summary-stream-times"));
        AdviceWith.adviceWith(context, "bulk-upsert-rollups", route -> {
            route.weaveByToUri("mongodb:.*operation=bulkWrite.*").replace().to("mock:bulk-write");
            route.weaveByToUri("mongodb:.*operation=findAll.*").replace().to("mock:read-back");
        });
        AdviceWith.adviceWith(context, "upsert-summary", route -> {
            route.weaveByToUri("mongodb:.*operation=findOneAndUpdate.*").replace().to("mock:summary-update");
            route.weaveByToUri("mongodb:.*operation=findById.*").replace().to("mock:summary-read-back");
            route.weaveByToUri("mongodb:.*operation=findAll.*").replace().to("mock:items");
            route.weaveByToUri("mongodb:.*operation=update.*").replace().to("mock:derived-fields");
        });
        streamTimes = mock(context, "mock:summary-stream-times");
        bulkWrite = mock(context, "mock:bulk-write");
        readBack = mock(context, "mock:read-back");
        summaryUpdate = mock(context, "mock:summary-update");
        summaryReadBack = mock(context, "mock:summary-read-back");
        items = mock(context, "mock:items");
        derivedFields = mock(context, "mock:derived-fields");

        streamTimes.whenAnyExchangeReceived(exchange -> {
            steps.add("read summary stream times");
            exchange.getMessage().setBody(null); // no summary yet
        });
        bulkWrite.whenAnyExchangeReceived(exchange -> {
            steps.add("bulk write " + exchange.getMessage().getHeader(COLLECTION));
            exchange.getMessage().setBody(allUpserted(models(exchange)));
        });
        readBack.whenAnyExchangeReceived(exchange -> {
            steps.add("read back " + exchange.getMessage().getHeader(COLLECTION));
            exchange.getMessage().setBody(List.of());
        });
        summaryUpdate.whenAnyExchangeReceived(exchange -> {
            steps.add("update summary");
            BsonDocument inc = update(exchange).getDocument("$inc");
            for (String counter : List.of("events", "users")) {
                summary.put(counter, summary.get(counter, 0L) + inc.getNumber(counter).longValue());
            }
            exchange.getMessage().setBody(new Document(summary));
        });
        summaryReadBack.whenAnyExchangeReceived(exchange -> {
            steps.add("read back summary");
            exchange.getMessage().setBody(new Document(summary));
        });
        items.whenAnyExchangeReceived(exchange -> {
            steps.add("read most or least interacted item");
            exchange.getMessage().setBody(List.of(new Document("_id", "item-1").append("total", 3L)));
        });
        derivedFields.whenAnyExchangeReceived(exchange -> steps.add("set derived fields"));
    }

    /** The bulk writes of a fold with one window size, in the route's order: users, items, windows, item windows. */
    static final List<String> BULK_WRITES = List.of("bulk write users", "bulk write items", "bulk write windows",
            "bulk write item_windows");

    /** The calls of one write: the summary's stream times, these bulk writes, the summary, its derived fields. */
    static List<String> oneWrite(List<String> bulkWrites) {
        List<String> steps = new ArrayList<>(List.of("read summary stream times"));
        steps.addAll(bulkWrites);
        steps.addAll(List.of("update summary", "read most or least interacted item", "read most or least interacted item",
                "set derived fields"));
        return steps;
    }

    /** {@code first}, then the rest. */
    static List<String> concat(List<String> first, List<String> rest) {
        List<String> all = new ArrayList<>(first);
        all.addAll(rest);
        return all;
    }

    private static MockEndpoint mock(CamelContext context, String uri) {
        return context.getEndpoint(uri, MockEndpoint.class);
    }

    @SuppressWarnings("unchecked")
    static List<WriteModel<Document>> models(Exchange exchange) {
        return exchange.getMessage().getBody(List.class);
    }

    /** The {@code _id} a bulk write's upsert is for. */
    static String id(WriteModel<Document> model) {
        return bson(((UpdateOneModel<Document>) model).getFilter()).getString("_id").getValue();
    }

    /** The update of a {@code [filter, update]} body, as the summary's updates are sent. */
    static BsonDocument update(Exchange exchange) {
        List<?> filterAndUpdate = exchange.getMessage().getBody(List.class);
        return bson((Bson) filterAndUpdate.get(1));
    }

    static BsonDocument bson(Bson bson) {
        return bson.toBsonDocument(BsonDocument.class, MongoClientSettings.getDefaultCodecRegistry());
    }

    /** What MongoDB answers a bulk write of upserts of documents it does not hold yet. */
    static BulkWriteResult allUpserted(List<WriteModel<Document>> models) {
        return upsertedBut(models.size(), -1);
    }

    /** What MongoDB answers a bulk write of {@code models} upserts that created every document but the one at {@code index}. */
    static BulkWriteResult upsertedBut(int models, int index) {
        List<BulkWriteUpsert> upserts = new ArrayList<>();
        for (int i = 0; i < models; i++) {
            if (i != index) {
                upserts.add(new BulkWriteUpsert(i, new BsonInt32(i)));
            }
        }
        return BulkWriteResult.acknowledged(0, 0, 0, 0, upserts, List.of());
    }
}
