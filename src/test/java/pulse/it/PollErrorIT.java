package pulse.it;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pulse.embedded.TestInfrastructure;
import pulse.event.EventJson;
import pulse.event.InteractionEvent;
import pulse.event.InteractionTypes;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A poll error never skips a record: one record fails to deserialize when it is first polled (a poll exception in
 * the consumer, as an undecodable record gives), and it and every other record still end up aggregated, exactly.
 * With camel-kafka's default pollOnError (ERROR_HANDLER) the consumer seeks one record past the position on each
 * of its partitions and the records are lost; the app's RECONNECT reads them again from the last commit.
 */
@ExtendWith(TestInfrastructure.class)
class PollErrorIT {

    @Test
    void aRecordThatFailsToDeserializeOnceIsReadAgainAndNothingIsSkipped() throws Exception {
        FailOnceDeserializer.reset();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<InteractionEvent> events = new ArrayList<>();
        try (Pipeline pipeline = new Pipeline("poll-error")
                .with("camel.component.kafka.value-deserializer", FailOnceDeserializer.class.getName())) {
            Topics.create(pipeline.topic(), 6, Map.of());
            try (KafkaProducer<String, byte[]> producer = Pipeline.producer()) {
                for (int i = 0; i < 3_000; i++) {
                    // the marked record in the middle, with records before it in its batch and on other partitions
                    String id = i == 1_500 ? FailOnceDeserializer.MARK + "-" + i : "e-" + i;
                    InteractionEvent event = new InteractionEvent(id, 1, "user-" + (i % 30), "item-" + (i % 7),
                            InteractionTypes.DEFAULT.all().get(i % 3), now.minusMillis(i));
                    events.add(event);
                    producer.send(new ProducerRecord<>(pipeline.topic(), event.userId(), EventJson.toBytes(event)));
                }
                producer.flush();
            }
            GroundTruth truth = new GroundTruth(events);

            pipeline.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> FailOnceDeserializer.failures() == FailOnceDeserializer.FAILING_READS);
            await().atMost(Duration.ofSeconds(90)).until(() -> pipeline.summaryEvents() == truth.events());
            await().atMost(Duration.ofSeconds(30)).until(pipeline::fullyCommitted);
            assertThat(truth.mismatches(pipeline.database())).isEmpty();
            assertThat(pipeline.summaryEvents()).isEqualTo(events.size());
        }
    }
}
