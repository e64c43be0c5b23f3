package routes;

import org.apache.camel.builder.RouteBuilder;
import org.apache.kafka.common.KafkaException;

/**
 * Aggregate: consume a batch, validate and fold it into one delta (per partition, then together), send the invalid
 * records to the dead-letter topic together, write the delta to MongoDB (together with the batches before it while the
 * consumer is behind), and only then commit the offsets. Invalid records never stop the batch.
 */
public class AggregateInteractionsRoute extends RouteBuilder {

    @Override
    public void configure() {
        from("kafka:{{kafka.topic}}"
                + "?groupId={{kafka.consumer.group-id}}"
                + "&consumersCount={{aggregation.consumers}}"
                + "&batching=true"
                + "&maxPollRecords={{aggregation.batch.max-records}}"
                + "&pollTimeoutMs={{aggregation.batch.poll-timeout-ms}}"
                + "&batchingIntervalMs={{aggregation.batch.interval-ms}}"
                + "&maxPartitionFetchBytes={{kafka.consumer.max-partition-fetch-bytes}}"
                + "&autoCommitEnable=false&allowManualCommit=true&breakOnFirstError=true"
                // the parser reads record headers from the record itself (kafka.HEADERS): none is copied per record
                + "&headerFilterStrategy=#class:pulse.kafka.RecordHeadersLeftOut")
                .routeId("aggregate-interactions")
                .setProperty("batch", method("batchReader", "read"))
                .transform(simple("${exchangeProperty.batch.partitions}"))
                // validate and fold each partition's records; the strategy folds those into the batch's delta
                .split(body()).aggregationStrategy("interactionAggregation")
                    .bean("recordFolder", "fold")
                .end()
                .setProperty("folded", body())
                // the batch's rejected records go to the dead-letter topic together, all acknowledged before the write
                .filter(simple("${body.rejected.size} > 0"))
                    .transform(simple("${body.rejected}"))
                    .to("direct:dead-letter")
                .end()
                // while the consumer is behind, consecutive batches are folded together and written at once
                .split(method("writeCoalescer", "add(${exchangeProperty.folded.delta}, ${exchangeProperty.batch})"))
                    .to("direct:write-aggregates")
                .end();

        // the routes the Kafka route calls start first and, as Camel stops routes in reverse order, stop last: a
        // batch still in flight when the app stops finds them running (otherwise its call to a stopped direct
        // endpoint waits for a consumer until the shutdown times out, 30 s)
        from("direct:write-aggregates")
                .routeId("write-aggregates").startupOrder(10)
                .setProperty("write", body())
                .transform(simple("${body.delta}"))
                .to("direct:upsert-aggregates")
                .bean("writeCoalescer", "commit(${exchangeProperty.write})")
                .bean("aggregationProgress", "record");

        from("direct:dead-letter")
                .routeId("dead-letter-invalid-events").startupOrder(11)
                // Kafka refused the dead letters: send the batch's again with backoff, never going on to the write
                // and the commit; a failure no retry fixes (no permission, too large even cut) turns health DOWN
                .onException(KafkaException.class)
                    .redeliveryPolicyRef("retryWithBackoff")
                    // tells a retriable failure from one only an operator can fix, for the health check
                    .onExceptionOccurredRef("deadLetterFailed")
                    // the topic's max.message.bytes may have changed meanwhile: cut the dead letters to fit it again
                    .onRedeliveryRef("deadLetterRefit")
                .end()
                .setProperty("rejected", body())
                .bean("deadLetters", "toMessages")
                // one batch of asynchronous sends, all acknowledged before the route goes on (on the consumer's thread)
                .to("kafka:{{kafka.topic}}.dlq?synchronous=true&batchWithIndividualHeaders=true")
                .bean("deadLetterStatus", "sent")
                .bean("rejectLog", "sent(${exchangeProperty.rejected})");
    }
}
