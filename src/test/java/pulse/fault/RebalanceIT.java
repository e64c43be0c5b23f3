package pulse.fault;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pulse.embedded.TestInfrastructure;
import pulse.event.InteractionEvent;
import pulse.it.GroundTruth;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Rebalance: two instances share the consumer group of a 6-partition topic; one of them is killed with SIGKILL
 * mid-run. The other must take over its partitions (after the session timeout), replay what the dead one had
 * written but not committed, and end with exact aggregates: unique users, sessions and funnels on
 * ({@link FaultFixture#withAnalytics()}) and checked too.
 */
@ExtendWith(TestInfrastructure.class)
class RebalanceIT {

    private static final int EVENTS = 50_000;

    @AutoClose
    private FaultFixture fixture;

    @Test
    void whenOneOfTwoInstancesIsKilledTheOtherTakesOverAndNothingIsLostOrDoubled() throws Exception {
        long seed = Faults.seed("RebalanceIT");
        Random random = new Random(seed);
        fixture = new FaultFixture("fault-rebalance", TestInfrastructure.kafkaBootstrapServers(), TestInfrastructure.mongoUri())
                // one group member per instance: the test follows instances through the group's membership
                .appProperty("aggregation.consumers", "1")
                .withAnalytics();
        fixture.createTopic();
        List<InteractionEvent> events = Faults.events(seed, EVENTS);
        GroundTruth truth = fixture.truth(events);

        // both instances join the group before there is anything to consume, so that both take part from the start
        AppProcess a = fixture.startApp("RebalanceIT-a");
        AppProcess b = fixture.startApp("RebalanceIT-b");
        await("both instances own partitions").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    a.assertAlive();
                    b.assertAlive();
                    Map<String, List<Integer>> members = fixture.members();
                    return members.size() == 2 && members.values().stream().noneMatch(List::isEmpty);
                });
        Map<String, List<Integer>> shared = fixture.members();
        fixture.produce(events);
        long killAt = Faults.moments(random, 1, EVENTS, 0.25, 0.50)[0];
        await(killAt + " events are aggregated").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    a.assertAlive();
                    b.assertAlive();
                    return fixture.summaryEvents() >= killAt;
                });
        assertThat(fixture.members()).as("the group is still shared by both instances").isEqualTo(shared);
        AppProcess victim = random.nextBoolean() ? a : b;
        AppProcess survivor = victim == a ? b : a;
        Duration jitter = Duration.ofMillis(random.nextInt(1000));
        await().pollDelay(jitter).atMost(jitter.plusSeconds(10)).until(victim::isAlive);
        victim.kill();
        long killed = System.nanoTime();
        long committedAtKill = fixture.committedTotal();
        Faults.note("RebalanceIT: killed %s at %d aggregated / %d committed events; the group was %s",
                victim.name(), fixture.summaryEvents(), committedAtKill, shared);
        assertThat(committedAtKill).as("killed mid-run").isLessThan(EVENTS);

        List<Integer> all = IntStream.range(0, FaultFixture.PARTITIONS).boxed().toList();
        await(survivor.name() + " alone owns all partitions").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    survivor.assertAlive();
                    Map<String, List<Integer>> members = fixture.members();
                    return members.size() == 1 && members.values().iterator().next().equals(all);
                });
        Faults.note("RebalanceIT: %s owns all %d partitions %s after the kill: %s", survivor.name(), all.size(),
                Faults.seconds(System.nanoTime() - killed), fixture.members());

        fixture.awaitExactAggregates(truth, Duration.ofSeconds(120), survivor);
        assertThat(survivor.stop(Duration.ofSeconds(40))).as("the survivor stops").isPresent();
    }
}
