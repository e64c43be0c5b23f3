package pulse.it;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.bson.Document;
import org.h2.mvstore.DataUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import pulse.embedded.TestInfrastructure;
import pulse.embedded.mongo.EmbeddedMongoBackend;
import pulse.event.EventJson;
import pulse.event.InteractionEvent;
import pulse.generator.GeneratorOptions;
import pulse.generator.InteractionGenerator;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The embedded MongoDB store closes itself while the pipeline runs (H2's panic, as on an OutOfMemoryError in its
 * writer; here called as that writer calls it). From then on no batch is acknowledged to Kafka, however often it is
 * retried: the committed offsets stay where the last written batch left them. Restarted on the same data file, the
 * app writes what it had not, and the aggregates end exact: nothing lost, nothing counted twice.
 */
@ExtendWith(TestInfrastructure.class)
class ClosedStoreIT {

    /** Camel's redelivery log line (retryAttemptedLogLevel WARN): "Failed delivery for (MessageId: ...). On delivery attempt: N ...". */
    private static final String ERROR_HANDLER_LOGGER = "org.apache.camel.processor.errorhandler.DefaultErrorHandler";

    @TempDir
    Path dir;

    @Test
    void nothingIsCommittedAfterTheStoreClosesItselfAndARestartOnTheSameFileEndsExact() throws Exception {
        Path file = dir.resolve("pulse.mv");
        List<InteractionEvent> events = new InteractionGenerator(new GeneratorOptions(300, 60, 500, 80, 1.1, 0.8,
                new double[] {80, 17, 3}, OptionalLong.of(11)), Clock.systemUTC()).next(6000);
        List<InteractionEvent> before = events.subList(0, 3000);
        GroundTruth truth = new GroundTruth(events);

        EmbeddedMongoBackend backend = new EmbeddedMongoBackend(file.toString());
        MongoServer server = new MongoServer(backend);
        String uri = server.bindAndGetConnectionString();
        AtomicInteger retries = new AtomicInteger();
        AbstractAppender retryCounter = new AbstractAppender("closed-store-retries", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                if (event.getMessage().getFormattedMessage().contains("Failed delivery")) {
                    retries.incrementAndGet();
                }
            }
        };
        retryCounter.start();
        Logger errorHandler = (Logger) LogManager.getLogger(ERROR_HANDLER_LOGGER);
        errorHandler.addAppender(retryCounter);
        try (Pipeline pipeline = pipeline("closed-store", uri); KafkaProducer<String, byte[]> producer = Pipeline.producer()) {
            pipeline.start();
            produce(producer, pipeline.topic(), before);
            await("the first half aggregated and committed").atMost(Duration.ofSeconds(60))
                    .until(() -> summaryEvents(uri, pipeline) == before.size() && pipeline.fullyCommitted());
            Map<TopicPartition, OffsetAndMetadata> committedBefore = committed(pipeline);

            assertThatThrownBy(() -> backend.getMvStore().panic(DataUtils.newMVStoreException(
                    DataUtils.ERROR_WRITING_FAILED, "simulated: {0}", "java.lang.OutOfMemoryError: Java heap space")))
                    .hasMessageContaining("simulated");
            int retriesAtClose = retries.get();
            produce(producer, pipeline.topic(), events.subList(before.size(), events.size()));

            // the batch after the close was read and failed, then tried again twice: it was not skipped. H2's writer
            // thread dies of the panic, uncaught as in the app; Awaitility would fail the wait with it by default
            await("the batch after the close is retried").atMost(Duration.ofSeconds(90)).dontCatchUncaughtExceptions()
                    .until(() -> retries.get() >= retriesAtClose + 3);
            assertThat(committed(pipeline)).as("offsets committed after the store closed itself").isEqualTo(committedBefore);
            assertThat(pipeline.fullyCommitted()).as("the second half is committed").isFalse();
            pipeline.stop();
        } finally {
            errorHandler.removeAppender(retryCounter);
            server.shutdownNow();
        }

        // the restart: the same file, opened again (what H2 wrote before it closed), the same consumer group
        EmbeddedMongoBackend reopened = new EmbeddedMongoBackend(file.toString());
        MongoServer again = new MongoServer(reopened);
        String uriAgain = again.bindAndGetConnectionString();
        try (Pipeline pipeline = pipeline("closed-store", uriAgain); MongoClient client = MongoClients.create(uriAgain)) {
            pipeline.start();
            await("the second half aggregated and committed after the restart").atMost(Duration.ofSeconds(60))
                    .until(() -> summaryEvents(uriAgain, pipeline) == truth.events() && pipeline.fullyCommitted());
            assertThat(truth.mismatches(client.getDatabase(pipeline.topic()))).isEmpty();
        } finally {
            again.shutdownNow();
        }
    }

    private static Pipeline pipeline(String name, String mongoUri) {
        // short backoff so that retries come quickly; the app's own client waits 5 s for a writable server per attempt
        return new Pipeline(name).with("mongodb.uri", mongoUri)
                .with("aggregation.retry.initial-delay-ms", "100")
                .with("aggregation.retry.max-delay-ms", "500");
    }

    private static void produce(KafkaProducer<String, byte[]> producer, String topic, List<InteractionEvent> events) {
        events.forEach(e -> producer.send(new ProducerRecord<>(topic, e.userId(), EventJson.toBytes(e))));
        producer.flush();
    }

    private static long summaryEvents(String uri, Pipeline pipeline) {
        try (MongoClient client = MongoClients.create(uri)) {
            Document summary = client.getDatabase(pipeline.topic()).getCollection("summary")
                    .find(new Document("_id", "global")).first();
            return summary == null ? 0 : ((Number) summary.get("events")).longValue();
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(Pipeline pipeline) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestInfrastructure.kafkaBootstrapServers()))) {
            return admin.listConsumerGroupOffsets(pipeline.topic() + "-group").partitionsToOffsetAndMetadata().get();
        }
    }
}
