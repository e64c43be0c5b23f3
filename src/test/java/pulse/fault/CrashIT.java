package pulse.fault;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pulse.embedded.TestInfrastructure;
import pulse.event.InteractionEvent;
import pulse.it.GroundTruth;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Crash: the app is killed with SIGKILL three times while it consumes 200,000 events, and restarted each time.
 * Whatever a killed instance had written but not committed is replayed by the next one, and the replay guards must
 * make every aggregate exact anyway. The first kill lands exactly between a write and its commit: a proxy between the
 * app and MongoDB lets the write's summary update through and holds MongoDB's reply to it, and the app is killed
 * then (MongoDB holds the write, Kafka never gets the commit), so the next instance must replay it and say so ("Replay
 * detected") every run, not by chance. The other two kills land at random moments. With a MongoDB no proxy can stand
 * in front of (a replica set), every kill is random and the replay is not required. While each instance runs, the
 * summary's events must stay exactly the events its per-partition offsets cover, so a replay counted twice fails at
 * once. Unique users, sessions and funnels are on ({@link FaultFixture#withAnalytics()}) and checked too.
 */
@ExtendWith(TestInfrastructure.class)
class CrashIT {

    private static final int EVENTS = 200_000;
    private static final int KILLS = 3;
    private static final Pattern REPLAY = Pattern.compile("Replay detected");
    /** The summary's counters are the last part of a write, then the derived fields; the commit follows. */
    private static final byte[] SUMMARY_UPDATE = TcpProxy.bsonString("findAndModify", "summary");

    @AutoClose
    private FaultFixture fixture;

    @Test
    void threeKillsWhileConsumingLoseAndDoubleCountNothing() throws Exception {
        long seed = Faults.seed("CrashIT");
        Random random = new Random(seed);
        String mongoUri = TestInfrastructure.mongoUri();
        Optional<String> noProxy = TcpProxy.cannotStandInFrontOf(mongoUri);
        noProxy.ifPresent(reason -> Faults.note("CrashIT: every kill at random, no replay required: %s", reason));
        TcpProxy proxy = noProxy.isEmpty() ? TcpProxy.inFrontOf(mongoUri) : null;
        fixture = new FaultFixture("fault-crash", TestInfrastructure.kafkaBootstrapServers(), mongoUri,
                proxy == null ? mongoUri : proxy.mongoUri(mongoUri))
                .closing(proxy)
                .withAnalytics();
        fixture.createTopic();
        List<InteractionEvent> events = Faults.events(seed, EVENTS);
        GroundTruth truth = fixture.truth(events);
        fixture.produce(events);

        long start = System.nanoTime();
        // "after N events are aggregated": N drawn at random between 10% and 85% of the events
        long[] killAt = Faults.moments(random, KILLS, EVENTS, 0.10, 0.85);
        long replays = 0;
        boolean forced = false;
        for (int run = 1; run <= KILLS; run++) {
            AppProcess app = fixture.startApp("CrashIT-run" + run);
            long before = fixture.summaryEvents();
            // the new instance must have aggregated something of its own before it is killed, and the one after the
            // forced kill must have replayed the write it found uncommitted
            long target = Math.max(killAt[run - 1], before + 5_000);
            boolean mustReplay = forced && run == 2;
            await("run " + run + " aggregates " + target + " events" + (mustReplay ? " and reports a replay" : ""))
                    .atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        app.assertAlive();
                        long[] summary = fixture.summaryEventsAndOffsetsCovered();
                        assertThat(summary[0]).as("summary.events: the events its offsets cover, each once").isEqualTo(summary[1]);
                        return summary[0] >= target && (!mustReplay || !app.logLines(REPLAY).isEmpty());
                    });
            String moment;
            if (run == 1 && proxy != null) {
                // the next write's summary update reaches MongoDB, its reply is held: killed between write and commit
                proxy.holdReplyAfter(SUMMARY_UPDATE).get(60, TimeUnit.SECONDS);
                moment = "between a write and its commit";
                forced = true;
            } else {
                // a random extra moment, so that the kill lands anywhere in the write of a batch
                Duration jitter = Duration.ofMillis(random.nextInt(1500));
                await().pollDelay(jitter).atMost(jitter.plusSeconds(10)).until(app::isAlive);
                moment = "+" + jitter.toMillis() + " ms";
            }
            app.kill();
            long aggregated = fixture.summaryEvents();
            long committed = fixture.committedTotal();
            if (proxy != null) {
                proxy.resume();
            }
            Faults.note("CrashIT kill %d: drawn at %d events (%s); aggregates held %d events, the group had committed %d",
                    run, target, moment, aggregated, committed);
            assertThat(committed).as("killed while consuming, not after the end").isLessThan(EVENTS);
            assertThat(aggregated).as("aggregates never hold more than what was produced").isLessThanOrEqualTo(EVENTS);
            if (run == 1 && forced) {
                // every event is valid and offsets run from 0, so the committed offsets count committed events
                assertThat(aggregated).as("MongoDB holds events beyond the committed offsets").isGreaterThan(committed);
            }
            replays += app.logLines(REPLAY).size();
        }

        AppProcess last = fixture.startApp("CrashIT-run" + (KILLS + 1));
        fixture.awaitExactAggregates(truth, Duration.ofSeconds(180), last);
        replays += last.logLines(REPLAY).size();
        Faults.note("CrashIT: %d events, %d kills (the first %s), %d batches reported a replay, %s from the first start to"
                        + " exact aggregates", EVENTS, KILLS, forced ? "between a write and its commit" : "at random", replays,
                Faults.seconds(System.nanoTime() - start));
        if (forced) {
            assertThat(replays).as("replays reported after a kill between a write and its commit").isPositive();
        }
        assertThat(last.stop(Duration.ofSeconds(40))).as("the last instance stops").isPresent();
    }
}
