package routes;

import com.mongodb.MongoException;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import pulse.kafka.DeadLetters;

/**
 * Aggregate: consume a batch, validate and fold it into one delta (per partition, then together), send invalid
 * records to the dead-letter topic, write the delta to MongoDB (together with the batches before it while the
 * consumer is behind), and only then commit the offsets. Invalid records never stop the batch.
 */
public class AggregateInteractionsRoute extends RouteBuilder {

    @Override
    public void configure() {
        // MongoDB down or failing over: keep retrying the same batch (writes are replay-safe), never commit it
        onException(MongoException.class)
                .maximumRedeliveries(-1)
                .redeliveryDelay("{{aggregation.retry.initial-delay-ms}}")
                .useExponentialBackOff()
                .backOffMultiplier(2)
                .maximumRedeliveryDelay("{{aggregation.retry.max-delay-ms}}")
                .retryAttemptedLogLevel(LoggingLevel.WARN)
                .logRetryAttempted(true)
                .logExhausted(true);

        from("kafka:{{kafka.topic}}"
                + "?groupId={{kafka.consumer.group-id}}"
                + "&consumersCount={{aggregation.consumers}}"
                + "&batching=true"
                + "&maxPollRecords={{aggregation.batch.max-records}}"
                + "&pollTimeoutMs={{aggregation.batch.poll-timeout-ms}}"
                + "&batchingIntervalMs={{aggregation.batch.interval-ms}}"
                + "&autoCommitEnable=false&allowManualCommit=true&breakOnFirstError=true")
                .routeId("aggregate-interactions")
                .setProperty("batch", method("batchReader", "read"))
                .transform(simple("${exchangeProperty.batch.partitions}"))
                // validate and fold each partition's records; the strategy folds those into the batch's delta
                .split(body()).aggregationStrategy("interactionAggregation")
                    .bean("recordFolder", "fold")
                .end()
                // synchronous: go on on the consumer's thread, not the producer thread that acknowledged a send
                .split(simple("${body.rejected}")).synchronous()
                    .to("direct:dead-letter")
                .end()
                // while the consumer is behind, consecutive batches are folded together and written at once
                .split(method("writeCoalescer", "add(${body.delta}, ${exchangeProperty.batch})"))
                    .to("direct:write-aggregates")
                .end();

        // the routes the Kafka route calls start first and, as Camel stops routes in reverse order, stop last: a
        // batch still in flight when the app stops finds them running (otherwise its call to a stopped direct
        // endpoint waits for a consumer until the shutdown times out, 30 s)
        from("direct:write-aggregates")
                .routeId("write-aggregates").startupOrder(10)
                .setProperty("write", body())
                .transform(simple("${body.delta}"))
                .bean("aggregateStore", "apply")
                .bean("writeCoalescer", "commit(${exchangeProperty.write})")
                .bean("aggregationProgress", "record");

        from("direct:dead-letter")
                .routeId("dead-letter-invalid-events").startupOrder(11)
                .process(DeadLetters::prepare)
                .log(LoggingLevel.WARN, "Rejected record ${header.dlq.source.topic}-${header.dlq.source.partition}"
                        + "@${header.dlq.source.offset}: ${header.dlq.reason} (${header.dlq.detail})")
                .to("kafka:{{kafka.topic}}.dlq");
    }
}
