package pulse.routes;

import com.mongodb.MongoTimeoutException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import pulse.event.RejectionReason;
import pulse.kafka.BatchReader;
import pulse.kafka.DeadLetterStatus;
import pulse.kafka.DeadLetters;
import pulse.kafka.KafkaRecord;
import pulse.kafka.RejectLog;
import pulse.metrics.AggregationProgress;
import pulse.pipeline.InteractionAggregationStrategy;
import pulse.pipeline.WriteCoalescer;
import pulse.store.AggregateUpserts;
import pulse.testsupport.CamelKafkaRecords;
import pulse.testsupport.RouteTestSupport;
import routes.AggregateInteractionsRoute;
import routes.UpsertAggregatesRoute;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Aggregate: a camel-kafka batch -> fold -> rejects to the dead-letter route -> write coalescer -> upsert -> commit,
 * with the upsert routes' MongoDB endpoints and the dead-letter topic's Kafka endpoint as mocks, and the batch's
 * Kafka consumer a kafka-clients {@link MockConsumer}.
 */
class AggregateInteractionsRouteTest extends RouteTestSupport {

    private static final TopicPartition P0 = new TopicPartition(GeneratedRecords.TOPIC, 0);
    private static final int VALID = 20;
    /** Where the batch holds an invalid record among the valid ones. */
    private static final List<Long> INVALID_OFFSETS = List.of(3L, 11L);
    private static final long RECORDS = VALID + INVALID_OFFSETS.size();
    /** A full batch: half the records, one invalid record in each half. */
    private static final long MAX_RECORDS = RECORDS / 2;

    /** Everything the routes did, in order: MongoDB calls, dead letters sent, commits. */
    private final List<String> steps = new CopyOnWriteArrayList<>();
    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST) {
        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
            steps.add("commit up to " + offsets.get(P0).offset());
            super.commitSync(offsets, timeout);
        }
    };
    private List<KafkaRecord> partition;
    private MongoUpsertMocks mongo;
    private MockEndpoint deadLetterTopic;
    private AggregationProgress progress;
    private DeadLetterStatus deadLetterStatus;

    @Override
    protected Map<String, String> overrides() {
        return Map.of(
                "generator.events-per-tick", String.valueOf(VALID),
                "generator.seed", "11",
                "aggregation.batch.max-records", String.valueOf(MAX_RECORDS),
                "aggregation.write.max-events", "10000",
                "kafka.consumer.max-partition-fetch-bytes", "1048576",
                // the retries' backoff, short: a test waits for them
                "aggregation.retry.initial-delay-ms", "10",
                "aggregation.retry.max-delay-ms", "20");
    }

    @Override
    protected List<Class<? extends RoutesBuilder>> routes() {
        return List.of(AggregateInteractionsRoute.class, UpsertAggregatesRoute.class);
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        Clock clock = Clock.systemUTC();
        registry.bind("batchReader", new BatchReader(options().batchMaxRecords()));
        registry.bind("recordFolder", GeneratedRecords.folder(options()));
        registry.bind("interactionAggregation", new InteractionAggregationStrategy());
        registry.bind("writeCoalescer", new WriteCoalescer(options().writeMaxEvents(), options().writeMaxDelay(), System::nanoTime));
        registry.bind("aggregateUpserts", new AggregateUpserts(options().rollups(), options().events().types(),
                options().windowGrace(), clock));
        progress = new AggregationProgress(options().progressLogInterval(), System::nanoTime);
        registry.bind("aggregationProgress", progress);
        deadLetterStatus = new DeadLetterStatus(options().deadLetterTopic());
        registry.bind("deadLetterStatus", deadLetterStatus);
        registry.bind("deadLetterFailed", (Processor) deadLetterStatus::failed);
        DeadLetters deadLetters = new DeadLetters(options().deadLetterTopic(), OptionalInt::empty);
        registry.bind("deadLetters", deadLetters);
        registry.bind("deadLetterRefit", (Processor) exchange -> deadLetters.refit(exchange, "rejected"));
        registry.bind("rejectLog", new RejectLog(options().progressLogInterval(), 5,
                Arrays.stream(RejectionReason.values()).map(Enum::name).toList(), System::nanoTime, line -> { }));
    }

    /** The Kafka consumer becomes a direct endpoint, the dead-letter topic and MongoDB become mocks. */
    private void adviseAndStart() throws Exception {
        AdviceWith.adviceWith(context, "aggregate-interactions", route -> route.replaceFromWith("direct:batches"));
        AdviceWith.adviceWith(context, "dead-letter-invalid-events", route ->
                route.weaveByToUri("kafka:*").replace().to("mock:dead-letter-topic"));
        deadLetterTopic = getMockEndpoint("mock:dead-letter-topic");
        deadLetterTopic.whenAnyExchangeReceived(exchange ->
                steps.add("send " + exchange.getMessage().getBody(List.class).size() + " dead letters"));
        mongo = new MongoUpsertMocks(context, steps);
        context.start();
    }

    /** All the records in one poll, the generator's valid ones with invalid ones among them, none committed. */
    private Exchange batch() {
        return poll(0, RECORDS);
    }

    /**
     * The records at offsets {@code from} to {@code to} (exclusive) of a partition that holds {@link #RECORDS}, as one
     * poll hands them over: the consumer's position is then {@code to}.
     */
    private Exchange poll(long from, long to) {
        if (consumer.assignment().isEmpty()) {
            consumer.assign(List.of(P0));
            consumer.updateBeginningOffsets(Map.of(P0, 0L));
            consumer.updateEndOffsets(Map.of(P0, RECORDS));
        }
        consumer.seek(P0, to);
        CamelKafkaRecords camelKafka = new CamelKafkaRecords(context, consumer, "interactions-Thread 0");
        List<Exchange> records = new ArrayList<>();
        for (long offset = from; offset < to; offset++) {
            KafkaRecord record = partition().get((int) offset);
            records.add(camelKafka.record(P0.topic(), 0, offset, record.key(), record.value()));
        }
        Exchange batch = new DefaultExchange(context);
        batch.getMessage().setBody(records);
        return batch;
    }

    /** The partition's records: the generator's valid ones with invalid ones at {@link #INVALID_OFFSETS}. */
    private List<KafkaRecord> partition() {
        if (partition == null) {
            List<KafkaRecord> valid = new ArrayList<>(GeneratedRecords.onPartition0(options()));
            partition = new ArrayList<>();
            for (long offset = 0; offset < RECORDS; offset++) {
                partition.add(INVALID_OFFSETS.contains(offset)
                        ? new KafkaRecord(P0.topic(), 0, offset, "user-x", "not json".getBytes(StandardCharsets.UTF_8))
                        : valid.remove(0));
            }
        }
        return partition;
    }

    private void consume(Exchange batch) {
        Exchange done = template.send("direct:batches", batch);
        assertThat(done.getException()).as("the batch's exchange failed").isNull();
    }

    /** What the routes do for {@link #batch()}: {@code beforeTheWrite}, one write with these bulk writes, the commit. */
    private static List<String> batchSteps(List<String> beforeTheWrite, List<String> bulkWrites) {
        List<String> steps = MongoUpsertMocks.concat(beforeTheWrite, MongoUpsertMocks.oneWrite(bulkWrites));
        steps.add("commit up to " + RECORDS);
        return steps;
    }

    @Test
    void rejectsGoToTheDeadLetterTopicBeforeTheWriteAndTheOffsetsAreCommittedOnlyAfterIt() throws Exception {
        adviseAndStart();

        consume(batch());

        assertThat(steps).containsExactlyElementsOf(batchSteps(List.of("send 2 dead letters"), MongoUpsertMocks.BULK_WRITES));
        List<?> deadLetters = deadLetterTopic.getReceivedExchanges().get(0).getMessage().getBody(List.class);
        assertThat(deadLetters).map(message -> new String(((Message) message).getHeader(DeadLetters.SOURCE_OFFSET, byte[].class),
                StandardCharsets.UTF_8)).containsExactly("3", "11");
        assertThat(consumer.committed(Set.of(P0)).get(P0).offset()).isEqualTo(RECORDS);
        assertThat(progress.events()).isEqualTo(VALID);
        assertThat(progress.rejected()).isEqualTo(INVALID_OFFSETS.size());
    }

    @Test
    void whileTheConsumerIsBehindABatchIsHeldUncommittedAndWrittenWithTheNextOne() throws Exception {
        adviseAndStart();

        consume(poll(0, MAX_RECORDS));

        assertThat(steps).as("a full batch with more records behind it: its rejects go, its fold waits")
                .containsExactly("send 1 dead letters");
        assertThat(consumer.committed(Set.of(P0))).as("nothing committed before the write").isEmpty();

        consume(poll(MAX_RECORDS, RECORDS));

        assertThat(steps).containsExactlyElementsOf(batchSteps(List.of("send 1 dead letters", "send 1 dead letters"),
                MongoUpsertMocks.BULK_WRITES));
        BsonDocument summaryIncrement = MongoUpsertMocks.update(mongo.summaryUpdate.getReceivedExchanges().get(0))
                .getDocument("$inc");
        assertThat(summaryIncrement.getNumber("events").longValue()).as("both batches' events in the one write")
                .isEqualTo(VALID);
        assertThat(consumer.committed(Set.of(P0)).get(P0).offset()).isEqualTo(RECORDS);
    }

    @Test
    void aMongoDbFailureIsRetriedAndTheBatchIsCommittedOnceItIsWritten() throws Exception {
        adviseAndStart();
        Processor unreachable = exchange -> {
            steps.add("bulk write users: MongoDB unreachable");
            throw new MongoTimeoutException("Timed out while waiting for a server");
        };
        mongo.bulkWrite.whenExchangeReceived(1, unreachable);
        mongo.bulkWrite.whenExchangeReceived(2, unreachable);

        consume(batch());

        assertThat(steps).containsExactlyElementsOf(batchSteps(List.of("send 2 dead letters"), MongoUpsertMocks.concat(
                List.of("bulk write users: MongoDB unreachable", "bulk write users: MongoDB unreachable"),
                MongoUpsertMocks.BULK_WRITES)));
        assertThat(consumer.committed(Set.of(P0)).get(P0).offset()).isEqualTo(RECORDS);
    }

    @Test
    void theConsumerLetsTheBrokerHoldAFetchForCaughtUpPartitionsAtMost100Ms() {
        // one fetch in flight per broker: with Kafka's 500 ms a lagging partition's next fetch waited behind its
        // caught-up partitions', and a backlog's last partitions drained at ~32,000 events/s (docs/benchmark.md)
        KafkaEndpoint endpoint = context.getEndpoint("kafka:" + GeneratedRecords.TOPIC, KafkaEndpoint.class);
        assertThat(endpoint.getConfiguration().getFetchWaitMaxMs()).isEqualTo(100);
    }

    @Test
    void deadLettersGoToTheInputTopicsDeadLetterTopicAllAcknowledgedBeforeTheRouteGoesOn() {
        assertThat(sendsTo("dead-letter-invalid-events", "kafka"))
                .containsExactly("kafka:interactions.dlq?synchronous=true&batchWithIndividualHeaders=true");
    }

    @Test
    void aDeadLetterFailureNoRetryFixesShowsUntilTheDeadLettersAreSent() throws Exception {
        adviseAndStart();
        deadLetterTopic.whenExchangeReceived(1, exchange -> {
            steps.add("dead letters refused: not authorized");
            throw new TopicAuthorizationException(Set.of(options().deadLetterTopic()));
        });
        deadLetterTopic.whenExchangeReceived(2, exchange -> {
            steps.add(deadLetterStatus.problem().map(problem -> "problem: permanent " + problem.permanent()).orElse("no problem"));
            steps.add("send " + exchange.getMessage().getBody(List.class).size() + " dead letters");
        });

        consume(batch());

        assertThat(steps).containsExactlyElementsOf(batchSteps(List.of("dead letters refused: not authorized",
                "problem: permanent true", "send 2 dead letters"), MongoUpsertMocks.BULK_WRITES));
        assertThat(deadLetterStatus.problem()).as("cleared once a batch of dead letters is acknowledged").isEmpty();
    }

    @Test
    void deadLettersKafkaRefusesAreSentAgainAndTheWriteWaitsForThem() throws Exception {
        adviseAndStart();
        deadLetterTopic.whenExchangeReceived(1, exchange -> {
            steps.add("dead letters refused");
            throw new KafkaException("Not enough replicas");
        });

        consume(batch());

        assertThat(steps).containsExactlyElementsOf(batchSteps(List.of("dead letters refused", "send 2 dead letters"),
                MongoUpsertMocks.BULK_WRITES));
    }
}
