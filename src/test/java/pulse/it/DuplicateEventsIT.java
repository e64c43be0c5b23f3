package pulse.it;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pulse.embedded.TestInfrastructure;
import pulse.event.EventJson;
import pulse.event.InteractionEvent;
import pulse.event.InteractionTypes;
import pulse.testsupport.Http;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A producer without idempotence resends events after timeouts: the same bytes, the same key, a later offset. With
 * {@code dedup.horizon} each is counted once, the resends in {@code summary.duplicateEvents}, and reading the whole
 * topic again with a new instance (which remembers no ids) changes nothing.
 */
@ExtendWith(TestInfrastructure.class)
class DuplicateEventsIT {

    @Test
    void resentEventsAreCountedOnceAndAReplayChangesNothing() throws Exception {
        Random random = new Random(5);
        List<InteractionEvent> originals = new ArrayList<>();
        List<InteractionEvent> sent = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            InteractionEvent event = new InteractionEvent("evt-" + i, 1, "user-" + random.nextInt(100),
                    "item-" + random.nextInt(20), InteractionTypes.DEFAULT.all().get(random.nextInt(3)),
                    Instant.now().minusMillis(random.nextInt(60_000)).truncatedTo(ChronoUnit.MILLIS));
            originals.add(event);
            sent.add(event);
            if (random.nextInt(10) == 0 && i > 0) { // a resend of an event sent shortly before
                sent.add(originals.get(Math.max(0, i - random.nextInt(50))));
            }
        }
        long duplicates = sent.size() - originals.size();
        GroundTruth truth = new GroundTruth(originals).withDuplicates(duplicates);

        try (Pipeline pipeline = new Pipeline("duplicates").with("dedup.horizon", "PT10M").start()) {
            try (KafkaProducer<String, byte[]> producer = Pipeline.producer()) {
                sent.forEach(e -> producer.send(new ProducerRecord<>(pipeline.topic(), e.userId(), EventJson.toBytes(e))));
            }
            await().atMost(Duration.ofSeconds(60)).until(pipeline::fullyCommitted);
            assertThat(truth.mismatches(pipeline.database())).isEmpty();
            String metrics = Http.get(pipeline.managementUrl() + "observe/metrics").body();
            assertThat(metrics).contains("pulse_events_duplicate_total " + duplicates + ".0");

            // a new instance remembers no ids, and reads everything again from the start
            pipeline.stop();
            pipeline.rewindConsumerGroup();
            pipeline.start();
            await().atMost(Duration.ofSeconds(60)).until(pipeline::fullyCommitted);
            assertThat(truth.mismatches(pipeline.database())).as("after reading the topic again").isEmpty();
        }
        assertThat(duplicates).as("the stream had resends").isGreaterThan(200);
    }

    @Test
    void withoutDedupEveryResendIsCounted() throws Exception {
        InteractionEvent event = new InteractionEvent("evt-1", 1, "user-1", "item-1", InteractionTypes.DEFAULT.all().get(0),
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
        try (Pipeline pipeline = new Pipeline("no-dedup").start()) {
            try (KafkaProducer<String, byte[]> producer = Pipeline.producer()) {
                for (int i = 0; i < 3; i++) {
                    producer.send(new ProducerRecord<>(pipeline.topic(), event.userId(), EventJson.toBytes(event)));
                }
            }
            await().atMost(Duration.ofSeconds(60)).until(pipeline::fullyCommitted);
            assertThat(new GroundTruth(List.of(event, event, event)).mismatches(pipeline.database())).isEmpty();
        }
    }
}
