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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * MongoDB outage: MongoDB becomes unreachable for 30 s in the middle of a run (a proxy between the app and the
 * server cuts every connection and refuses new ones), then comes back. The app must wait it out: stay alive,
 * retry the batch without committing it, say so in its log and on /observe/health, and end with exact
 * aggregates.
 */
@ExtendWith(TestInfrastructure.class)
class MongoOutageIT {

    private static final int EVENTS = 30_000;
    private static final Duration OUTAGE = Duration.ofSeconds(30);
    /** Camel's redelivery log (retryAttemptedLogLevel WARN): "Failed delivery for (MessageId: ...). On delivery attempt: 2 caught: ...". */
    private static final Pattern RETRY = Pattern.compile("Failed delivery|redelivery");
    /** ... caught because MongoDB is unreachable. */
    private static final Pattern MONGO_RETRY = Pattern.compile("(Failed delivery|redelivery).*com\\.mongodb\\.Mongo[A-Za-z]*Exception");

    @AutoClose
    private FaultFixture fixture;

    @Test
    void theAppWaitsOutAThirtySecondOutageWithoutCommittingAndEndsExact() throws Exception {
        long seed = Faults.seed("MongoOutageIT");
        Random random = new Random(seed);
        TcpProxy.cannotStandInFrontOf(TestInfrastructure.mongoUri()).ifPresent(reason -> Assumptions.abort(reason));
        TcpProxy proxy = TcpProxy.inFrontOf(TestInfrastructure.mongoUri());
        fixture = new FaultFixture("fault-mongo-outage", TestInfrastructure.kafkaBootstrapServers(),
                TestInfrastructure.mongoUri(), proxy.mongoUri(TestInfrastructure.mongoUri()))
                .closing(proxy);
        fixture.createTopic();
        List<InteractionEvent> events = Faults.events(seed, EVENTS);
        GroundTruth truth = new GroundTruth(events);
        // half the topic now, the rest once MongoDB is cut: the outage lands mid-run however fast the app drains
        // (it had finished all 30k events before the cut in a CI run, so no write failed and nothing was retried)
        int producedFirst = EVENTS / 2;
        fixture.produce(events.subList(0, producedFirst));

        AppProcess app = fixture.startApp("MongoOutageIT-app");
        long cutAt = Faults.moments(random, 1, EVENTS, 0.15, 0.35)[0];
        await("the app aggregates " + cutAt + " events and reports UP").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    app.assertAlive();
                    if (fixture.summaryEvents() < cutAt) {
                        return false;
                    }
                    AppProcess.Health health = app.health();
                    return health != null && health.allUp();
                });
        AppProcess.Health before = app.health();
        Faults.note("MongoOutageIT: before the outage %s", before);

        // ---- the outage ----
        int retriesBefore = app.logLines(RETRY).size();
        proxy.cut();
        long cutNanos = System.nanoTime();
        Faults.note("MongoOutageIT: MongoDB cut at %d aggregated events", fixture.summaryEvents());
        fixture.produce(events.subList(producedFirst, EVENTS));

        List<AppProcess.Health> healthDuringOutage = new ArrayList<>();
        long[] firstDown = {-1};
        // the batch in flight fails and is retried; from then on nothing can be committed
        await("the app logs a retry of the batch it cannot write").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    app.assertAlive();
                    sample(app, healthDuringOutage, firstDown, cutNanos);
                    return app.logLines(RETRY).size() > retriesBefore;
                });
        long retryNanos = System.nanoTime() - cutNanos;
        Map<TopicPartition, Long> committedDuringOutage = fixture.committed();
        long aggregatedDuringOutage = fixture.summaryEvents();
        List<String> advanced = new ArrayList<>();
        await("an outage of " + OUTAGE.toSeconds() + " s").atMost(OUTAGE.plusSeconds(20))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    app.assertAlive();
                    Map<TopicPartition, Long> committed = fixture.committed();
                    if (!committed.equals(committedDuringOutage)) {
                        advanced.add(committed.toString());
                    }
                    sample(app, healthDuringOutage, firstDown, cutNanos);
                    return System.nanoTime() - cutNanos >= OUTAGE.toNanos();
                });
        assertThat(fixture.summaryEvents()).as("nothing is written while MongoDB is unreachable").isEqualTo(aggregatedDuringOutage);
        proxy.resume();
        long outageNanos = System.nanoTime() - cutNanos;
        List<String> retries = app.logLines(RETRY);
        Faults.note("MongoOutageIT: MongoDB back after %s; %d retry lines in the log, e.g. %s", Faults.seconds(outageNanos),
                retries.size() - retriesBefore, retries.isEmpty() ? "-" : retries.get(retries.size() - 1));
        Faults.note("MongoOutageIT: first retry logged %s after the cut; health DOWN %s after the cut, %d of %d samples DOWN; last: %s",
                Faults.seconds(retryNanos), firstDown[0] < 0 ? "never" : Faults.seconds(firstDown[0]),
                healthDuringOutage.stream().filter(AppProcess.Health::reportsMongoDown).count(), healthDuringOutage.size(),
                healthDuringOutage.isEmpty() ? "no answer" : healthDuringOutage.get(healthDuringOutage.size() - 1));

        app.assertAlive();
        assertThat(app.logLines(MONGO_RETRY)).as("retries of the batch for a MongoDB exception in %s", app.log()).isNotEmpty();
        assertThat(advanced).as("committed offsets while MongoDB was down (expected %s throughout)", committedDuringOutage).isEmpty();
        assertThat(committedDuringOutage.values().stream().mapToLong(Long::longValue).sum())
                .as("the outage began mid-run").isLessThan(EVENTS);
        assertThat(healthDuringOutage).as("/observe/health answered during the outage").isNotEmpty();
        assertThat(healthDuringOutage).as("/observe/health reports MongoDB DOWN (overall or its mongodb check) during the outage")
                .anyMatch(AppProcess.Health::reportsMongoDown);

        // ---- recovery ----
        long recovery = System.nanoTime();
        await("/observe/health is UP again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    app.assertAlive();
                    AppProcess.Health health = app.health();
                    return health != null && health.allUp();
                });
        Faults.note("MongoOutageIT: health UP %s after MongoDB came back: %s", Faults.seconds(System.nanoTime() - recovery), app.health());
        fixture.awaitExactAggregates(truth, Duration.ofSeconds(120), app);
        assertThat(fixture.committedTotal()).isGreaterThan(committedDuringOutage.values().stream().mapToLong(Long::longValue).sum());
        assertThat(app.stop(Duration.ofSeconds(40))).as("the app stops").isPresent();
    }

    private static void sample(AppProcess app, List<AppProcess.Health> samples, long[] firstDown, long cutNanos) {
        AppProcess.Health health = app.health();
        if (health != null) {
            samples.add(health);
            if (firstDown[0] < 0 && health.reportsMongoDown()) {
                firstDown[0] = System.nanoTime() - cutNanos;
            }
        }
    }
}
