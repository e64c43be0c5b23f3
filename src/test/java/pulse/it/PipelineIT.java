package pulse.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pulse.aggregate.Rollups;
import pulse.embedded.TestInfrastructure;
import pulse.event.EventJson;
import pulse.event.EventParser;
import pulse.event.InteractionEvent;
import pulse.event.InvalidEventException;
import pulse.event.ValidationOptions;
import pulse.generator.GeneratorOptions;
import pulse.generator.InteractionGenerator;
import pulse.generator.RateMeter;
import pulse.metrics.AggregationProgress;
import pulse.testsupport.Http;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The whole pipeline on a real Kafka broker and MongoDB wire server. */
@ExtendWith(TestInfrastructure.class)
class PipelineIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Judges records as the pipeline does (stateless). */
    private static final EventParser PARSER = new EventParser(ValidationOptions.defaults(), Clock.systemUTC());

    @Test
    void generatedEventsBecomeExactAggregatesAndOffsetsAreCommitted() throws Exception {
        try (Pipeline pipeline = new Pipeline("generated")
                .with("generator.enabled", "true")
                .with("generator.seed", "7")
                .with("generator.period", "50")
                .with("generator.events-per-tick", "250")
                .start()) {
            RateMeter generated = pipeline.context().getRegistry().lookupByNameAndType("generatorRate", RateMeter.class);
            await().atMost(Duration.ofSeconds(60)).until(() -> generated.total() >= 10_000);
            pipeline.context().getRouteController().stopRoute("generate-interactions");

            List<InteractionEvent> onTopic = valid(Pipeline.readAll(pipeline.topic()));
            assertThat(onTopic).hasSizeGreaterThanOrEqualTo(10_000);
            GroundTruth truth = new GroundTruth(onTopic);

            pipeline.awaitAggregated(truth.events(), Duration.ofSeconds(60));
            assertThat(truth.mismatches(pipeline.database())).isEmpty();
        }
    }

    @Test
    void replayingTheWholeTopicWithOtherBatchesChangesNoAggregate() throws Exception {
        List<InteractionEvent> events = new InteractionGenerator(
                new GeneratorOptions(100, 100, 500, 80, 1.1, 0.8, new double[] {80, 17, 3},
                        OptionalLong.of(3)), Clock.systemUTC()).next(6000);
        try (Pipeline pipeline = new Pipeline("replayed").with("aggregation.batch.max-records", "1000")) {
            try (KafkaProducer<String, byte[]> producer = Pipeline.producer()) {
                pipeline.start();
                events.forEach(e -> producer.send(new ProducerRecord<>(
                        pipeline.topic(), e.userId(), EventJson.toBytes(e))));
                producer.flush();
            }
            GroundTruth truth = new GroundTruth(events);
            await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.summaryEvents() == truth.events());
            await().atMost(Duration.ofSeconds(30)).until(pipeline::fullyCommitted);
            Document before = pipeline.database().getCollection("summary").find().first();
            pipeline.stop();

            pipeline.rewindConsumerGroup();
            // other batch and write boundaries: writes of three 377-record batches each while the replay is behind
            pipeline.with("aggregation.batch.max-records", "377").with("aggregation.write.max-events", "1131").start();
            await().atMost(Duration.ofSeconds(60)).until(pipeline::fullyCommitted);
            AggregationProgress replay = pipeline.context().getRegistry()
                    .lookupByNameAndType("aggregationProgress", AggregationProgress.class);
            assertThat(replay.batches()).as("writes while the replay was behind: several batches each, not one per batch")
                    .isBetween(6L, 6000L / 377 - 1);

            assertThat(truth.mismatches(pipeline.database())).isEmpty();
            Document after = pipeline.database().getCollection("summary").find().first();
            assertThat(after.get("events")).isEqualTo(before.get("events"));
            assertThat(after.get("users")).isEqualTo(before.get("users"));
        }
    }

    @Test
    void injectedFaultsEndInTheDeadLetterTopicAndTheLateCounters() throws Exception {
        try (Pipeline pipeline = new Pipeline("faulty")
                .with("generator.enabled", "true")
                .with("generator.seed", "13")
                .with("generator.period", "50")
                .with("generator.events-per-tick", "200")
                .with("generator.malformed-ratio", "0.05")
                .with("generator.late-ratio", "0.05")
                .with("generator.out-of-order-ratio", "0.2")
                .start()) {
            RateMeter generated = pipeline.context().getRegistry().lookupByNameAndType("generatorRate", RateMeter.class);
            await().atMost(Duration.ofSeconds(60)).until(() -> generated.total() >= 8000);
            pipeline.context().getRouteController().stopRoute("generate-interactions");
            await().atMost(Duration.ofSeconds(60)).until(pipeline::fullyCommitted);

            List<ConsumerRecord<String, byte[]>> onTopic = Pipeline.readAll(pipeline.topic());
            List<InteractionEvent> valid = valid(onTopic);
            Set<String> invalid = positionsOfInvalid(onTopic);
            // the dead-letter topic is at least once: a rebalance or crash between a record's dead-letter send and
            // the commit sends it again, an identical copy naming the same source position
            Map<String, List<ConsumerRecord<String, byte[]>>> deadLetters = Pipeline.readAll(pipeline.deadLetterTopic())
                    .stream().collect(Collectors.groupingBy(r -> Pipeline.header(r, "dlq.source.partition") + "@"
                            + Pipeline.header(r, "dlq.source.offset"), TreeMap::new, Collectors.toList()));
            Document summary = pipeline.database().getCollection("summary").find().first();
            long lateInWindows = pipeline.database().getCollection("windows").find().into(new ArrayList<>()).stream()
                    .mapToLong(w -> w.get("lateEvents", Number.class).longValue()).sum();

            assertThat(deadLetters.keySet()).as("source positions in the dead-letter topic").isEqualTo(invalid);
            assertThat(invalid).hasSizeGreaterThan(200);
            deadLetters.values().forEach(copies -> assertThat(copies).as("copies of one dead letter")
                    .allSatisfy(copy -> {
                        assertThat(copy.value()).isEqualTo(copies.get(0).value());
                        assertThat(Pipeline.header(copy, "dlq.reason")).isEqualTo(Pipeline.header(copies.get(0), "dlq.reason"));
                    }));
            assertThat(summary.get("rejectedEvents", Number.class).longValue()).as("summary.rejectedEvents, exactly once")
                    .isEqualTo(invalid.size());
            assertThat(summary.get("events", Number.class).longValue()).isEqualTo(valid.size());
            // against event time itself first, so that a disagreement says which side is wrong
            long expectedLate = lateByEventTime(onTopic, Duration.ofMinutes(1), Duration.ofMinutes(5));
            assertThat(lateInWindows).as("the windows' lateEvents vs each partition's stream time").isEqualTo(expectedLate);
            assertThat(summary.get("lateEvents", Number.class).longValue()).as("summary.lateEvents vs each partition's"
                    + " stream time").isEqualTo(expectedLate).isGreaterThan(100);
            long windowTotals = pipeline.database().getCollection("windows").find().into(new ArrayList<>()).stream()
                    .mapToLong(w -> w.get("total", Number.class).longValue()).sum();
            assertThat(windowTotals + lateInWindows).as("every valid event is in a window or late").isEqualTo(valid.size());
        }
    }

    @Test
    void aSecondWindowSizeKeepsExactHourWindowsServedByTheApi() throws Exception {
        // 6000 events over the last three hours and a bit, in time order: 4 hour windows, no late event
        Instant start = Instant.now().minus(Duration.ofMinutes(200));
        List<InteractionEvent> events = new ArrayList<>();
        for (InteractionEvent e : new InteractionGenerator(new GeneratorOptions(
                100, 100, 500, 80, 1.1, 0.8, new double[] {80, 17, 3}, OptionalLong.of(5)),
                Clock.systemUTC()).next(6000)) {
            Instant timestamp = start.plusMillis(events.size() * 2000L); // 2 s apart
            events.add(new InteractionEvent(e.eventId(), e.schemaVersion(), e.userId(), e.itemId(), e.type(), timestamp));
        }
        Rollups minuteAndHour = Rollups.of(List.of(Duration.ofMinutes(1), Duration.ofHours(1)));
        try (Pipeline pipeline = new Pipeline("hours").with("aggregation.window.sizes", "PT1M,PT1H").start();
             KafkaProducer<String, byte[]> producer = Pipeline.producer()) {
            events.forEach(e -> Pipeline.send(producer, pipeline.topic(), e.userId(), EventJson.toBytes(e)));
            producer.flush();
            GroundTruth truth = new GroundTruth(events, minuteAndHour);
            pipeline.awaitAggregated(truth.events(), Duration.ofSeconds(60));

            assertThat(truth.mismatches(pipeline.database())).isEmpty();
            assertThat(pipeline.database().getCollection("windows_1h").countDocuments()).isBetween(4L, 5L);
            JsonNode hours = JSON.readTree(Http.get(pipeline.serverUrl() + "api/windows?minutes=300&size=PT1H").body());
            long total = 0;
            for (JsonNode hour : hours) {
                assertThat(Duration.between(Instant.parse(hour.path("windowStart").asText()),
                        Instant.parse(hour.path("windowEnd").asText()))).isEqualTo(Duration.ofHours(1));
                total += hour.path("total").asLong();
            }
            assertThat(total).isEqualTo(6000);
            JsonNode topOfHours = JSON.readTree(Http.get(pipeline.serverUrl() + "api/items/top?n=3&minutes=300&size=PT1H").body());
            JsonNode topOfMinutes = JSON.readTree(Http.get(pipeline.serverUrl() + "api/items/top?n=3&minutes=300").body());
            assertThat(topOfHours).hasSize(3).isEqualTo(topOfMinutes);
            HttpResponse<String> unknownSize = Http.get(pipeline.serverUrl() + "api/windows?size=PT5M");
            assertThat(unknownSize.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(unknownSize.body()).path("error").asText()).contains("PT1M, PT1H");
        }
    }

    /**
     * How many valid events are late by event time: in offset order per partition, an event is late when the
     * newest event time before it on its partition is past its window's end plus the grace.
     */
    static long lateByEventTime(List<ConsumerRecord<String, byte[]>> records, Duration windowSize, Duration grace) {
        List<ConsumerRecord<String, byte[]>> ordered = new ArrayList<>(records);
        ordered.sort(Comparator.comparingInt((ConsumerRecord<String, byte[]> r) -> r.partition())
                .thenComparingLong(ConsumerRecord::offset));
        Map<Integer, Instant> streamTime = new HashMap<>();
        long late = 0;
        for (ConsumerRecord<String, byte[]> record : ordered) {
            InteractionEvent event = parsedOrNull(record);
            if (event == null) {
                continue;
            }
            long size = windowSize.toMillis();
            Instant windowEnd = Instant.ofEpochMilli(Math.floorDiv(event.timestamp().toEpochMilli(), size) * size + size);
            Instant current = streamTime.get(record.partition());
            if (current != null && current.isAfter(windowEnd.plus(grace))) {
                late++;
            }
            if (current == null || event.timestamp().isAfter(current)) {
                streamTime.put(record.partition(), event.timestamp());
            }
        }
        return late;
    }

    /** "partition@offset" of the records the pipeline rejects. */
    static Set<String> positionsOfInvalid(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().filter(record -> parsedOrNull(record) == null)
                .map(record -> record.partition() + "@" + record.offset()).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Valid events among records, as the pipeline would judge them. */
    static List<InteractionEvent> valid(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(PipelineIT::parsedOrNull).filter(Objects::nonNull).toList();
    }

    /** The record's event, or null when the pipeline rejects it (and does not count it). */
    private static InteractionEvent parsedOrNull(ConsumerRecord<String, byte[]> record) {
        try {
            return PARSER.parse(record.value());
        } catch (InvalidEventException e) {
            return null;
        }
    }
}
