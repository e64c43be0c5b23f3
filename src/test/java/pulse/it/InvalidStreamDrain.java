package pulse.it;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pulse.embedded.TestInfrastructure;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A measurement, not part of the build's tests (the name matches neither {@code *Test} nor {@code *IT}): how fast a
 * topic of invalid records drains through the real pipeline on the test broker, from the app's start to the last
 * record counted as rejected. Run it with
 * {@code mvn -q -B -ntp verify -Dtest=none -Dit.test=InvalidStreamDrain -Dsurefire.failIfNoSpecifiedTests=false}
 * ({@code -Ddrain.records=N} for another count).
 */
@ExtendWith(TestInfrastructure.class)
class InvalidStreamDrain {

    @Test
    void drainsATopicOfInvalidRecords() throws Exception {
        int records = Integer.getInteger("drain.records", 50_000);
        try (Pipeline pipeline = new Pipeline("invalid-drain")) {
            try (KafkaProducer<String, byte[]> producer = Pipeline.producer()) {
                Topics.create(pipeline.topic(), 6, Map.of());
                List<Future<RecordMetadata>> sent = new ArrayList<>(records);
                for (int i = 0; i < records; i++) {
                    // a producer that changed its schema: every record lacks item_id
                    String value = "{\"event_id\":\"e-" + i + "\",\"schema_version\":1,\"user_id\":\"user-" + (i % 1000)
                            + "\",\"interaction_type\":\"view\",\"timestamp\":\"2026-01-01T00:00:00.000Z\"}";
                    sent.add(producer.send(new ProducerRecord<>(pipeline.topic(), "user-" + (i % 1000),
                            value.getBytes(StandardCharsets.UTF_8))));
                }
                for (Future<RecordMetadata> send : sent) {
                    send.get(); // every record on the topic, or a failure here
                }
            }
            long start = System.nanoTime();
            pipeline.start();
            await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofMillis(100))
                    .until(() -> rejected(pipeline) > 0);
            double first = (System.nanoTime() - start) / 1e9;
            await().atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> rejected(pipeline) >= records);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(rejected(pipeline)).isEqualTo(records);
            System.out.printf("%nINVALID-STREAM-DRAIN: %d invalid records dead-lettered in %.1f s from the app's start:"
                            + " %.0f records/s (the first batch counted after %.1f s; load average %.2f, %d cores)%n%n",
                    records, seconds, records / seconds, first,
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors());
        }
    }

    private static long rejected(Pipeline pipeline) {
        var summary = pipeline.database().getCollection("summary").find(new Document("_id", "global")).first();
        return summary == null || summary.get("rejectedEvents") == null ? 0 : ((Number) summary.get("rejectedEvents")).longValue();
    }
}
