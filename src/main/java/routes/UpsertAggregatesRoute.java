package routes;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoException;
import com.mongodb.MongoServerException;
import com.mongodb.client.model.ReturnDocument;
import org.apache.camel.builder.RouteBuilder;
import org.bson.Document;
import pulse.store.AggregateUpdates;
import pulse.store.AggregateUpserts;

import static org.apache.camel.component.mongodb.MongoDbConstants.BULK_ORDERED;
import static org.apache.camel.component.mongodb.MongoDbConstants.COLLECTION;
import static org.apache.camel.component.mongodb.MongoDbConstants.CRITERIA;
import static org.apache.camel.component.mongodb.MongoDbConstants.FIELDS_PROJECTION;
import static org.apache.camel.component.mongodb.MongoDbConstants.LIMIT;
import static org.apache.camel.component.mongodb.MongoDbConstants.RETURN_DOCUMENT;
import static org.apache.camel.component.mongodb.MongoDbConstants.SORT_BY;
import static org.apache.camel.component.mongodb.MongoDbConstants.UPSERT;

/**
 * Upsert a fold's aggregates into MongoDB, replay-safe: the summary's stream times, then per collection unordered
 * bulk writes of conditional upserts (a replay conflict is read back and refolded), then the unique users sketches
 * the users' sessions and funnels, then the summary and the fields derived from it. The body is a {@code BatchDelta} in and its {@code WriteStats} out; the {@code aggregateUpserts}
 * bean prepares each step and reads each answer.
 */
public class UpsertAggregatesRoute extends RouteBuilder {

    private static final String MONGO = "mongodb:pulseMongo?database={{mongodb.database}}";
    private static final String SUMMARY = MONGO + "&collection=" + AggregateUpdates.SUMMARY;
    /** One endpoint for every aggregate collection: the collection is a header of each bulk write. */
    private static final String AGGREGATES = MONGO + "&collection=users&dynamicity=true";
    private static final String ITEMS = MONGO + "&collection=items";

    @Override
    public void configure() {
        // MongoDB down or failing over: retry the step (every write is replay-safe); the fold is never committed.
        // A replay conflict is not a failure: the steps below catch it and write what the documents miss
        onException(MongoException.class).onWhen(AggregateUpserts::isFailure)
                .redeliveryPolicyRef("retryWithBackoff")
                .handled(false); // Camel requires one more option besides a policy reference; false is the default

        // started before the Kafka route that calls it, so stopped after it (Camel stops in reverse order)
        from("direct:upsert-aggregates")
                .routeId("upsert-aggregates").startupOrder(5)
                .setProperty("fold", body())
                // late events are judged against the stream time each partition had when the summary took its last batch
                .setBody(constant(AggregateUpdates.SUMMARY_ID))
                .setHeader(FIELDS_PROJECTION, constant(AggregateUpserts.SUMMARY_STREAM_TIMES))
                .to(SUMMARY + "&operation=findById")
                .setProperty("upserts", method("aggregateUpserts", "start(${exchangeProperty.fold}, ${body})"))
                .removeHeaders("CamelMongoDb*")
                .to("direct:bulk-upsert-rollups")
                // unique users (analytics.unique-users.enabled): each document's sketch with the fold's users added,
                // written under its sketch version; before the summary, so once the summary holds the fold every
                // aggregate of it is written, and a replay adds nobody twice
                .filter(simple("{{analytics.unique-users.enabled}}"))
                    .bean("uniqueUsersStore", "write(${exchangeProperty.upserts})")
                .end()
                // sessions (analytics.sessions.enabled): each user's document with the fold's events not yet applied
                // to it (per partition offsets), written under its version; before the summary, like the others
                .filter(simple("{{analytics.sessions.enabled}}"))
                    .bean("sessionStore", "write(${exchangeProperty.upserts})")
                .end()
                // funnels (analytics.funnels.enabled): the same per user, for the steps of analytics.funnel.steps
                .filter(simple("{{analytics.funnels.enabled}}"))
                    .bean("funnelStore", "write(${exchangeProperty.upserts})")
                .end()
                .to("direct:upsert-summary")
                .setBody(method("aggregateUpserts", "stats(${exchangeProperty.upserts})"));

        // users, items, then each window size's windows and item windows: unordered bulk writes of conditional upserts
        from("direct:bulk-upsert-rollups")
                .routeId("bulk-upsert-rollups").startupOrder(6)
                .loopDoWhile(method("aggregateUpserts", "hasBulkWrite(${exchangeProperty.upserts})"))
                    .setBody(method("aggregateUpserts", "nextBulkWrite(${exchangeProperty.upserts})"))
                    .setHeader(COLLECTION, simple("${body.collection}"))
                    .setHeader(BULK_ORDERED, constant(false))
                    .setBody(simple("${body.models}"))
                    .doTry()
                        .to(AGGREGATES + "&operation=bulkWrite")
                        .bean("aggregateUpserts", "bulkWritten(${exchangeProperty.upserts}, ${body})")
                    .doCatch(MongoBulkWriteException.class).onWhen(AggregateUpserts::onlyReplays)
                        // documents that already hold some of these events: read their offsets, upsert what they miss
                        .setHeader(CRITERIA, method("aggregateUpserts", "replayed(${exchangeProperty.upserts}, ${exception})"))
                        .setHeader(FIELDS_PROJECTION, constant(AggregateUpserts.OFFSETS_AND_ORIGIN))
                        .to(AGGREGATES + "&operation=findAll")
                        .bean("aggregateUpserts", "refold(${exchangeProperty.upserts}, ${body})")
                    .end()
                    .removeHeaders("CamelMongoDb*")
                .end();

        // the summary last, under the same offset guard, then the fields derived from its counters
        from("direct:upsert-summary")
                .routeId("upsert-summary").startupOrder(7)
                .loopDoWhile(method("aggregateUpserts", "hasSummaryUpdate(${exchangeProperty.upserts})"))
                    .setBody(method("aggregateUpserts", "summaryUpdate(${exchangeProperty.upserts})"))
                    .setHeader(UPSERT, constant(true))
                    .setHeader(RETURN_DOCUMENT, constant(ReturnDocument.AFTER))
                    .doTry()
                        .to(SUMMARY + "&operation=findOneAndUpdate")
                        .bean("aggregateUpserts", "summaryUpdated(${exchangeProperty.upserts}, ${body})")
                    .doCatch(MongoServerException.class).onWhen(AggregateUpserts::isReplay)
                        // the summary holds offsets of this fold: read them, update with what it misses
                        .setBody(constant(AggregateUpdates.SUMMARY_ID))
                        .to(SUMMARY + "&operation=findById")
                        .bean("aggregateUpserts", "summaryHeld(${exchangeProperty.upserts}, ${body})")
                    .end()
                    .removeHeaders("CamelMongoDb*")
                .end()
                .filter(method("aggregateUpserts", "needsDerivedFields(${exchangeProperty.upserts})"))
                    .setHeader(CRITERIA, constant(new Document()))
                    .setHeader(FIELDS_PROJECTION, constant(AggregateUpserts.TOTAL))
                    .setHeader(LIMIT, constant(1))
                    .setHeader(SORT_BY, constant(AggregateUpserts.MOST_INTERACTED))
                    .to(ITEMS + "&operation=findAll")
                    .setProperty("mostInteracted", body())
                    .setHeader(SORT_BY, constant(AggregateUpserts.LEAST_INTERACTED))
                    .to(ITEMS + "&operation=findAll")
                    .setBody(method("aggregateUpserts",
                            "derivedFields(${exchangeProperty.upserts}, ${exchangeProperty.mostInteracted}, ${body})"))
                    .removeHeaders("CamelMongoDb*")
                    .to(SUMMARY + "&operation=update")
                .end();
    }
}
