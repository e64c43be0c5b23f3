package pulse.fault;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pulse.embedded.TestInfrastructure;
import pulse.event.InteractionEvent;
import pulse.it.GroundTruth;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Graceful stop: SIGTERM in the middle of a run, as an operator or an orchestrator sends it. The app finishes
 * the batch in flight (written and committed), logs its shutdown and exits 0 within 40 s; a restart goes on
 * from the committed offsets to exact aggregates.
 */
@ExtendWith(TestInfrastructure.class)
class GracefulStopIT {

    /** Enough that the app (two consumers, writes of 5,000 events) is still draining when the SIGTERM lands. */
    private static final int EVENTS = 100_000;
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(40);
    /** Camel's own lines: "Apache Camel 4.x (interaction-pulse) is shutting down" and "... shutdown in 1s (uptime:...)". */
    private static final Pattern SHUTTING_DOWN = Pattern.compile("\\(interaction-pulse\\) is shutting down");
    private static final Pattern SHUT_DOWN = Pattern.compile("\\(interaction-pulse\\) shutdown in");
    /** Camel's line when something in flight outlived camel.main.shutdown-timeout (30 s) and was forced. */
    private static final Pattern FORCED = Pattern.compile("Timeout occurred during graceful shutdown");

    @AutoClose
    private FaultFixture fixture;

    @Test
    void sigtermMidRunFinishesTheBatchExitsZeroAndARestartEndsExact() throws Exception {
        long seed = Faults.seed("GracefulStopIT");
        Random random = new Random(seed);
        fixture = new FaultFixture("fault-graceful-stop", TestInfrastructure.kafkaBootstrapServers(), TestInfrastructure.mongoUri());
        fixture.createTopic();
        List<InteractionEvent> events = Faults.events(seed, EVENTS);
        GroundTruth truth = new GroundTruth(events);
        fixture.produce(events);

        AppProcess first = fixture.startApp("GracefulStopIT-first");
        long stopAt = Faults.moments(random, 1, EVENTS, 0.20, 0.50)[0];
        await("the app aggregates " + stopAt + " events").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    first.assertAlive();
                    return fixture.summaryEvents() >= stopAt;
                });
        Duration jitter = Duration.ofMillis(random.nextInt(300));
        await().pollDelay(jitter).atMost(jitter.plusSeconds(10)).until(first::isAlive);

        long stopping = System.nanoTime();
        OptionalInt exit = first.stop(STOP_DEADLINE);
        long stopNanos = System.nanoTime() - stopping;
        if (exit.isEmpty()) {
            first.kill(); // asserted below; the restart must not run beside it
        }
        long aggregated = fixture.summaryEvents();
        long committed = fixture.committedTotal();
        Faults.note("GracefulStopIT: SIGTERM after %d events (+%d ms); exit %s after %s; aggregates hold %d events, %d committed",
                stopAt, jitter.toMillis(), exit.isPresent() ? exit.getAsInt() : "none", Faults.seconds(stopNanos), aggregated, committed);
        // soft: a wrong exit code or log must not hide what the restart shows
        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(exit).as("exit code of the SIGTERMed app within %s; log tail:%n%s", STOP_DEADLINE, first.tail(5)).hasValue(0);
        softly.assertThat(first.logLines(SHUTTING_DOWN)).as("the log shows the shutdown beginning (%s)", first.log()).isNotEmpty();
        softly.assertThat(first.logLines(SHUT_DOWN)).as("the log shows the shutdown completed (%s)", first.log()).isNotEmpty();
        // e.g. a batch in flight calling a direct route that was stopped before it waits out the whole timeout
        softly.assertThat(first.logLines(FORCED)).as("nothing waited out the shutdown timeout (%s)", first.log()).isEmpty();
        assertThat(committed).as("stopped mid-run").isLessThan(EVENTS);
        // all events are valid and offsets are contiguous from 0, so a clean stop leaves committed == aggregated:
        // the batch in flight was written and committed, nothing fetched beyond it was committed
        softly.assertThat(committed).as("committed offsets after a graceful stop equal the aggregated events").isEqualTo(aggregated);

        AppProcess second = fixture.startApp("GracefulStopIT-second");
        fixture.awaitExactAggregates(truth, Duration.ofSeconds(90), second);
        assertThat(fixture.committedTotal()).isEqualTo(fixture.endTotal()).isEqualTo(EVENTS);
        assertThat(second.stop(STOP_DEADLINE)).as("the second instance stops").isPresent();
        softly.assertAll();
    }
}
