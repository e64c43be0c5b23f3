package pulse.fault;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pulse.embedded.TestInfrastructure;
import pulse.event.InteractionEvent;
import pulse.it.GroundTruth;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Crash: the app is killed with SIGKILL three times at random moments while it consumes 200,000 events, and
 * restarted each time. Whatever a killed instance had written but not committed is replayed by the next one,
 * and the replay guards must make every aggregate exact anyway.
 */
@ExtendWith(TestInfrastructure.class)
class CrashIT {

    private static final int EVENTS = 200_000;
    private static final int KILLS = 3;
    private static final Pattern REPLAY = Pattern.compile("Replay detected");

    private FaultFixture fixture;

    @AfterEach
    void stopEverything() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void threeKillsWhileConsumingLoseAndDoubleCountNothing() throws Exception {
        long seed = Faults.seed("CrashIT");
        Random random = new Random(seed);
        fixture = new FaultFixture("fault-crash", TestInfrastructure.kafkaBootstrapServers(), TestInfrastructure.mongoUri());
        fixture.createTopic();
        List<InteractionEvent> events = Faults.events(seed, EVENTS);
        GroundTruth truth = new GroundTruth(events);
        fixture.produce(events);

        long start = System.nanoTime();
        // "after N events are aggregated": N drawn at random between 10% and 85% of the events
        long[] killAt = Faults.moments(random, KILLS, EVENTS, 0.10, 0.85);
        long replays = 0;
        for (int run = 1; run <= KILLS; run++) {
            AppProcess app = fixture.startApp("CrashIT-run" + run);
            long before = fixture.summaryEvents();
            // the new instance must have aggregated something of its own before it is killed
            long target = Math.max(killAt[run - 1], before + 5_000);
            await("run " + run + " aggregates " + target + " events").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        app.assertAlive();
                        return fixture.summaryEvents() >= target;
                    });
            // and a random extra moment, so that the kill lands anywhere in the write of a batch
            Duration jitter = Duration.ofMillis(random.nextInt(1500));
            await().pollDelay(jitter).atMost(jitter.plusSeconds(10)).until(app::isAlive);
            app.kill();
            long aggregated = fixture.summaryEvents();
            long committed = fixture.committedTotal();
            Faults.note("CrashIT kill %d: drawn at %d events (+%d ms); aggregates held %d events, the group had committed %d",
                    run, target, jitter.toMillis(), aggregated, committed);
            assertThat(committed).as("killed while consuming, not after the end").isLessThan(EVENTS);
            assertThat(aggregated).as("aggregates never hold more than what was produced").isLessThanOrEqualTo(EVENTS);
            replays += app.logLines(REPLAY).size();
        }

        AppProcess last = fixture.startApp("CrashIT-run" + (KILLS + 1));
        fixture.awaitExactAggregates(truth, Duration.ofSeconds(180), last);
        replays += last.logLines(REPLAY).size();
        Faults.note("CrashIT: %d events, %d kills, %d batches reported a replay, %s from the first start to exact aggregates",
                EVENTS, KILLS, replays, Faults.seconds(System.nanoTime() - start));
        assertThat(last.stop(Duration.ofSeconds(40))).as("the last instance stops").isPresent();
    }
}
