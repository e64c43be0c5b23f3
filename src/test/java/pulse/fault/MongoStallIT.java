package pulse.fault;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pulse.embedded.TestInfrastructure;
import pulse.event.InteractionEvent;
import pulse.it.GroundTruth;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * MongoDB stalls for longer than {@code max.poll.interval.ms}: in the middle of a run MongoDB stops answering for
 * 60 s without closing a connection (a proxy between the app and the server holds every byte, as a frozen server or
 * a network that drops packets does), while the app runs with a poll interval of 20 s. A consumer blocked in its
 * write misses its polls, so Kafka takes its partitions away (the Kafka client logs "consumer poll timeout has
 * expired"); when MongoDB answers again the write completes, but its offsets can no longer be committed. The app
 * must get back into the group, read again what it had not committed, and end with exact aggregates (nothing lost,
 * nothing counted twice), everything committed (lag 0), and every partition consumed again afterwards (no consumer
 * left stuck).
 */
@ExtendWith(TestInfrastructure.class)
class MongoStallIT {

    private static final int EVENTS = 30_000;
    private static final int AFTERWARDS = 3_000;
    private static final Duration STALL = Duration.ofSeconds(60);
    private static final Duration MAX_POLL_INTERVAL = Duration.ofSeconds(20);
    /** The Kafka consumer's heartbeat thread, when the consumer has not polled within max.poll.interval.ms. */
    private static final Pattern POLL_TIMEOUT = Pattern.compile("consumer poll timeout has expired");
    private static final Pattern REPLAY = Pattern.compile("Replay detected");
    private static final Pattern COMMIT_FAILED = Pattern.compile("CommitFailedException|RebalanceInProgressException");

    @AutoClose
    private FaultFixture fixture;

    @Test
    void aStallLongerThanThePollIntervalEndsExactFullyCommittedAndConsuming() throws Exception {
        TcpProxy.cannotStandInFrontOf(TestInfrastructure.mongoUri()).ifPresent(reason -> Assumptions.abort(reason));
        long seed = Faults.seed("MongoStallIT");
        Random random = new Random(seed);
        TcpProxy proxy = TcpProxy.inFrontOf(TestInfrastructure.mongoUri());
        fixture = new FaultFixture("fault-mongo-stall", TestInfrastructure.kafkaBootstrapServers(),
                TestInfrastructure.mongoUri(), proxy.mongoUri(TestInfrastructure.mongoUri()))
                .closing(proxy)
                .appProperty("camel.component.kafka.max-poll-interval-ms", String.valueOf(MAX_POLL_INTERVAL.toMillis()));
        fixture.createTopic();
        List<InteractionEvent> all = Faults.events(seed, EVENTS + AFTERWARDS);
        List<InteractionEvent> events = all.subList(0, EVENTS);
        // half the topic now, the rest once MongoDB stalls: the stall lands mid-run however fast the app drains
        int producedFirst = EVENTS / 2;
        fixture.produce(events.subList(0, producedFirst));

        AppProcess app = fixture.startApp("MongoStallIT-app");
        long stallAt = Faults.moments(random, 1, EVENTS, 0.15, 0.35)[0];
        await("the app aggregates " + stallAt + " events").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    app.assertAlive();
                    return fixture.summaryEvents() >= stallAt;
                });

        // ---- the stall ----
        int pollTimeoutsBefore = app.logLines(POLL_TIMEOUT).size();
        proxy.stall();
        long stallNanos = System.nanoTime();
        Faults.note("MongoStallIT: MongoDB stalled at %d aggregated events", fixture.summaryEvents());
        fixture.produce(events.subList(producedFirst, EVENTS));

        // a write in flight blocks (the driver has no socket timeout); the consumer misses max.poll.interval.ms
        await("the Kafka client logs that the consumer missed max.poll.interval.ms").atMost(STALL)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    app.assertAlive();
                    return app.logLines(POLL_TIMEOUT).size() > pollTimeoutsBefore;
                });
        long pollTimeoutNanos = System.nanoTime() - stallNanos;
        // from here on nothing can be written or committed (a write whose reply was on its way when the stall began
        // may have been committed in its first moments: the baseline is taken now)
        Map<TopicPartition, Long> committedDuringStall = fixture.committed();
        long aggregatedDuringStall = fixture.summaryEvents();
        Map<String, List<Integer>> groupDuringStall = fixture.members();
        List<String> advanced = new ArrayList<>();
        await("a stall of " + STALL.toSeconds() + " s").atMost(STALL.plusSeconds(20))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    app.assertAlive();
                    Map<TopicPartition, Long> committed = fixture.committed();
                    if (!committed.equals(committedDuringStall)) {
                        advanced.add(committed.toString());
                    }
                    return System.nanoTime() - stallNanos >= STALL.toNanos();
                });
        assertThat(fixture.summaryEvents()).as("nothing is written while MongoDB stalls").isEqualTo(aggregatedDuringStall);
        assertThat(advanced).as("committed offsets while MongoDB stalled (expected %s throughout)", committedDuringStall).isEmpty();
        assertThat(aggregatedDuringStall).as("the stall began mid-run").isLessThan(EVENTS);
        proxy.resume();
        Faults.note("MongoStallIT: MongoDB answers again after %s; the poll timeout was logged %s after the stall began;"
                        + " meanwhile %d aggregated, %d committed, group %s", Faults.seconds(System.nanoTime() - stallNanos),
                Faults.seconds(pollTimeoutNanos), aggregatedDuringStall,
                committedDuringStall.values().stream().mapToLong(Long::longValue).sum(), groupDuringStall);

        // ---- recovery ----
        fixture.awaitExactAggregates(new GroundTruth(events), Duration.ofSeconds(120), app);
        Faults.note("MongoStallIT: after the stall the app logged %d commit failures and %d replays; e.g. %s",
                app.logLines(COMMIT_FAILED).size(), app.logLines(REPLAY).size(),
                app.logLines(COMMIT_FAILED).stream().findFirst().map(line -> line.substring(0, Math.min(240, line.length()))).orElse("-"));
        // the writes the stall held completed once MongoDB answered, uncommitted: read again, they met the offset guards
        assertThat(app.logLines(REPLAY)).as("replays reported after the stall (%s)", app.log()).isNotEmpty();

        // no consumer left stuck: the app's consumers own every partition again and go on consuming all of them
        List<Integer> partitions = IntStream.range(0, FaultFixture.PARTITIONS).boxed().toList();
        await("the app's consumers own all partitions").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    app.assertAlive();
                    return fixture.members().values().stream().flatMap(List::stream).sorted().toList().equals(partitions);
                });
        Map<TopicPartition, Long> endsBefore = fixture.ends();
        fixture.produce(all.subList(EVENTS, EVENTS + AFTERWARDS));
        assertThat(fixture.ends()).as("the later events reach every partition")
                .allSatisfy((partition, end) -> assertThat(end).isGreaterThan(endsBefore.get(partition)));
        fixture.awaitExactAggregates(new GroundTruth(all), Duration.ofSeconds(60), app);
        Faults.note("MongoStallIT: %d more events afterwards, exact and committed; group %s", AFTERWARDS, fixture.members());
        assertThat(app.stop(Duration.ofSeconds(40))).as("the app stops").isPresent();
    }
}
