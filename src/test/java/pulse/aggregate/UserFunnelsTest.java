package pulse.aggregate;

import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionTypes;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class UserFunnelsTest {

    private static final List<String> STEPS = List.of("view", "click", "purchase");
    private static final Duration WINDOW = Duration.ofHours(1);
    private static final Duration RETENTION = Duration.ofDays(7);
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

    @Test
    void stepsCountInOrderWithinTheWindowOnTheSameItem() {
        UserFunnels funnels = new UserFunnels();
        funnels.apply(List.of(
                event(0, "a", "view", 0), event(1, "a", "click", 10), event(2, "a", "purchase", 59), // a: all three
                event(3, "b", "view", 0), event(4, "b", "purchase", 5), event(5, "b", "click", 6), // b: no purchase after click
                event(6, "c", "click", 0), event(7, "c", "view", 1), // c: a click before any view does not count
                event(8, "d", "view", 0), event(9, "d", "click", 61), // d: the click is past the window
                event(10, "e", "view", 0), event(11, "a", "click", 1)), // another item's click is not e's
                STEPS, WINDOW, RETENTION);

        assertThat(funnels.attempts()).extracting(UserFunnels.Attempt::itemId, UserFunnels.Attempt::reached)
                .containsExactlyInAnyOrder(
                        Tuple.tuple("a", 2), Tuple.tuple("b", 1),
                        Tuple.tuple("c", 0), Tuple.tuple("d", 0),
                        Tuple.tuple("e", 0));
    }

    @Test
    void anyBatchBoundariesAndReplaysGiveTheFunnelsOfTheDefinition() {
        Random random = new Random(9);
        String[] types = {"view", "view", "click", "purchase", "view", "click"};
        long completed = 0;
        long advanced = 0;
        for (int trial = 0; trial < 200; trial++) {
            List<ConsumedEvent> stream = new ArrayList<>();
            long minute = 0;
            for (int i = 0; i < 80; i++) {
                minute += random.nextInt(random.nextInt(5) == 0 ? 90 : 8);
                long jitter = random.nextInt(4) == 0 ? random.nextInt(10) : 0; // some arrive out of order
                stream.add(event(i, "item-" + random.nextInt(3), types[random.nextInt(types.length)], minute - jitter));
            }
            List<FunnelTruth.Attempt> truth = new ArrayList<>(FunnelTruth.of(stream, STEPS, WINDOW).getOrDefault("user", List.of()));

            UserFunnels funnels = new UserFunnels();
            int from = 0;
            while (from < stream.size()) {
                int to = Math.min(stream.size(), from + 1 + random.nextInt(12));
                funnels.apply(stream.subList(from, to), STEPS, WINDOW, RETENTION);
                if (random.nextBoolean()) {
                    assertThat(funnels.apply(stream.subList(random.nextInt(to), to), STEPS, WINDOW, RETENTION)).isFalse();
                }
                from = to;
            }

            Comparator<FunnelTruth.Attempt> order = Comparator.comparingLong(FunnelTruth.Attempt::start)
                    .thenComparing(FunnelTruth.Attempt::item);
            truth.sort(order);
            List<FunnelTruth.Attempt> have = new ArrayList<>(funnels.attempts().stream()
                    .map(a -> new FunnelTruth.Attempt(a.itemId(), a.start().toEpochMilli(), a.reached())).toList());
            have.sort(order);
            assertThat(have).as("trial %d", trial).isEqualTo(truth);
            completed += truth.stream().filter(a -> a.reached() == 2).count();
            advanced += truth.stream().filter(a -> a.reached() == 1).count();
        }
        assertThat(completed).as("attempts reaching the last step").isGreaterThan(50);
        assertThat(advanced).as("attempts stopping at the second step").isGreaterThan(50);
    }

    /**
     * A user with more attempts than are kept (the oldest go first, and can no longer advance): the same attempts
     * whatever the batch boundaries, as the definition with the limit gives.
     */
    @Test
    void moreAttemptsThanAreKeptGiveTheSameAttemptsWhateverTheBatchBoundaries() {
        Random random = new Random(3);
        String[] types = {"view", "view", "view", "click", "purchase"};
        List<ConsumedEvent> stream = new ArrayList<>();
        for (int i = 0; i < 6_000; i++) { // ~3,600 views over 1,500 items in 100 minutes: more than 500 attempts
            stream.add(event(i, "item-" + random.nextInt(1_500), types[random.nextInt(types.length)], i / 60));
        }
        List<FunnelTruth.Attempt> truth = new ArrayList<>(FunnelTruth.of(stream, STEPS, WINDOW).get("user"));
        assertThat(truth).hasSize(UserFunnels.MAX_ATTEMPTS);
        Comparator<FunnelTruth.Attempt> order = Comparator.comparingLong(FunnelTruth.Attempt::start)
                .thenComparing(FunnelTruth.Attempt::item);
        truth.sort(order);

        for (int trial = 0; trial < 5; trial++) {
            UserFunnels funnels = new UserFunnels();
            int from = 0;
            while (from < stream.size()) {
                int to = Math.min(stream.size(), from + 1 + random.nextInt(trial == 0 ? 1 : 2_000));
                funnels.apply(stream.subList(from, to), STEPS, WINDOW, RETENTION);
                from = to;
            }
            List<FunnelTruth.Attempt> have = new ArrayList<>(funnels.attempts().stream()
                    .map(a -> new FunnelTruth.Attempt(a.itemId(), a.start().toEpochMilli(), a.reached())).toList());
            have.sort(order);
            assertThat(have).as("trial %d", trial).isEqualTo(truth);
        }
    }

    static ConsumedEvent event(long offset, String item, String type, long minute) {
        return new ConsumedEvent(new InteractionEvent(null, 1, "user", item, InteractionTypes.DEFAULT.named(type),
                T0.plus(Duration.ofMinutes(minute))), 0, offset);
    }
}
