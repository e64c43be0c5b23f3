package pulse.generator;

import org.junit.jupiter.api.Test;
import pulse.event.EventJson;
import pulse.event.EventParser;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;
import pulse.event.InvalidEventException;
import pulse.event.ValidationOptions;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class InteractionGeneratorTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-31T12:00:00.123Z"), ZoneOffset.UTC);
    private static final int ITEMS = 1000;
    private static final int USERS = 10_000;
    private static final int SAMPLE = 100_000;
    private static final String UUID_V4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

    /** The application's defaults: 1000 items (Zipf 1.1), 10,000 users (Zipf 0.8), a 80/17/3 funnel. */
    private static GeneratorOptions options(long seed) {
        return new GeneratorOptions(100, 100, USERS, ITEMS, 1.1, 0.8, new double[] {80, 17, 3}, OptionalLong.of(seed));
    }

    private static List<InteractionEvent> generate(long seed, int count) {
        return new InteractionGenerator(options(seed), CLOCK).next(count);
    }

    /** What a seed must reproduce: everything but the timestamp, which comes from the clock. */
    private record Draw(String eventId, String userId, String itemId, InteractionType type) {
        static Draw of(InteractionEvent event) {
            return new Draw(event.eventId(), event.userId(), event.itemId(), event.type());
        }
    }

    private static List<Draw> draws(List<InteractionEvent> events) {
        return events.stream().map(Draw::of).toList();
    }

    private static Map<String, Long> countBy(List<InteractionEvent> events, Function<InteractionEvent, String> key) {
        return events.stream().collect(Collectors.groupingBy(key, Collectors.counting()));
    }

    // ---- reproducibility ----------------------------------------------------------------------------

    @Test
    void sameSeedGivesTheSameSequence() {
        List<Draw> first = draws(generate(42, 1000));
        List<Draw> second = draws(generate(42, 1000));

        assertThat(second).hasSize(1000).isEqualTo(first);
    }

    @Test
    void sameSeedGivesTheSameSequenceWhateverTheBatching() {
        InteractionGenerator batched = new InteractionGenerator(options(42), CLOCK);
        List<InteractionEvent> inTicks = new ArrayList<>();
        for (int tick = 0; tick < 10; tick++) {
            inTicks.addAll(batched.nextBatch());
        }

        assertThat(draws(inTicks)).isEqualTo(draws(generate(42, 1000)));
    }

    @Test
    void differentSeedsGiveDifferentSequences() {
        List<Draw> first = draws(generate(42, 1000));
        List<Draw> second = draws(generate(43, 1000));

        assertThat(second).isNotEqualTo(first);
        assertThat(second.stream().map(Draw::eventId)).doesNotContainAnyElementsOf(
                first.stream().map(Draw::eventId).toList());
    }

    @Test
    void timestampsComeFromTheClock() {
        assertThat(generate(42, 100)).extracting(InteractionEvent::timestamp).containsOnly(CLOCK.instant());
    }

    // ---- distributions ------------------------------------------------------------------------------

    @Test
    void itemPopularityFollowsZipf() {
        Map<String, Long> byItem = countBy(generate(7, SAMPLE), InteractionEvent::itemId);

        List<Map.Entry<String, Long>> ranked = byItem.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .toList();
        long top10 = ranked.stream().limit(10).mapToLong(Map.Entry::getValue).sum();
        long item1 = byItem.getOrDefault(InteractionGenerator.itemId(1), 0L);
        long item100 = byItem.getOrDefault(InteractionGenerator.itemId(100), 0L);

        assertThat(ranked.get(0).getKey()).isEqualTo("item-1");
        assertThat((double) top10 / SAMPLE).as("share of the top 10 items (1%% of the catalogue)").isGreaterThan(0.30);
        assertThat(item1).isGreaterThan(5 * item100);
        assertThat(byItem.keySet()).allSatisfy(id -> assertThat(rank(id, "item-")).isBetween(1, ITEMS));
    }

    @Test
    void userActivityIsSkewed() {
        Map<String, Long> byUser = countBy(generate(7, SAMPLE), InteractionEvent::userId);

        long[] perUser = new long[USERS]; // users never drawn count as 0
        byUser.forEach((id, count) -> perUser[rank(id, "user-") - 1] = count);
        long[] sorted = perUser.clone();
        Arrays.sort(sorted);
        long median = sorted[USERS / 2];

        assertThat(perUser[0]).as("events of user-1").isGreaterThan(median);
        assertThat(perUser[0]).as("user-1 is the most active").isEqualTo(sorted[USERS - 1]);
    }

    @Test
    void typeMixFollowsTheFunnel() {
        Map<InteractionType, Long> byType = new HashMap<>();
        for (InteractionEvent event : generate(7, SAMPLE)) {
            byType.merge(event.type(), 1L, Long::sum);
        }

        assertThat(share(byType, InteractionType.VIEW)).isBetween(0.78, 0.82);
        assertThat(share(byType, InteractionType.CLICK)).isBetween(0.155, 0.185);
        assertThat(share(byType, InteractionType.PURCHASE)).isBetween(0.02, 0.04);
        assertThat(byType.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(SAMPLE);
    }

    @Test
    void typeMixFollowsOtherWeights() {
        GeneratorOptions halfAndHalf = new GeneratorOptions(100, 100, USERS, ITEMS, 1.1, 0.8,
                new double[] {1, 1, 0}, OptionalLong.of(7));
        Map<InteractionType, Long> byType = new HashMap<>();
        for (InteractionEvent event : new InteractionGenerator(halfAndHalf, CLOCK).next(10_000)) {
            byType.merge(event.type(), 1L, Long::sum);
        }

        assertThat(byType).doesNotContainKey(InteractionType.PURCHASE);
        assertThat(share(byType, InteractionType.VIEW)).isCloseTo(0.5, within(0.03));
    }

    // ---- validity of what is generated --------------------------------------------------------------

    @Test
    void everyGeneratedEventPassesTheParser() throws Exception {
        EventParser parser = new EventParser(ValidationOptions.defaults(), CLOCK);

        for (InteractionEvent event : generate(11, 10_000)) {
            assertThat(parser.parse(EventJson.toBytes(event))).isEqualTo(event);
        }
    }

    @Test
    void eventIdsAreUniqueVersion4Uuids() {
        List<InteractionEvent> events = generate(11, SAMPLE);
        Set<String> ids = new HashSet<>();

        for (InteractionEvent event : events) {
            String id = event.eventId();
            assertThat(id).matches(UUID_V4);
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(4);
            assertThat(uuid.variant()).isEqualTo(2); // IETF (RFC 4122)
            assertThat(uuid.toString()).isEqualTo(id);
            ids.add(id);
        }
        assertThat(ids).hasSize(events.size());
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static int rank(String id, String prefix) {
        assertThat(id).startsWith(prefix);
        return Integer.parseInt(id.substring(prefix.length()));
    }

    private static double share(Map<InteractionType, Long> byType, InteractionType type) {
        long total = byType.values().stream().mapToLong(Long::longValue).sum();
        return (double) byType.getOrDefault(type, 0L) / total;
    }

    // ---- fault injection ----------------------------------------------------------------------------

    private static InteractionGenerator withFaults(double malformed, double late, double outOfOrder) {
        GeneratorOptions options = new GeneratorOptions(100, 500, USERS, ITEMS, 1.1, 0.8, new double[] {80, 17, 3},
                OptionalLong.of(9)).withFaults(new GeneratorOptions.Faults(malformed, late, outOfOrder,
                Duration.ofMinutes(5), Duration.ofMinutes(1)));
        return new InteractionGenerator(options, CLOCK);
    }

    private static int invalid(List<GeneratedRecord> records) {
        EventParser parser = new EventParser(ValidationOptions.defaults(), CLOCK);
        int invalid = 0;
        for (GeneratedRecord record : records) {
            try {
                parser.parse(record.value());
            } catch (InvalidEventException e) {
                invalid++;
            }
        }
        return invalid;
    }

    @Test
    void withoutFaultsEveryRecordIsValidAndStampedNow() {
        List<GeneratedRecord> records = withFaults(0, 0, 0).nextRecords();

        assertThat(records).hasSize(500);
        assertThat(invalid(records)).isZero();
        assertThat(withFaults(0, 0, 0).next(500)).allMatch(e -> e.timestamp().equals(CLOCK.instant()));
    }

    @Test
    void malformedRatioBreaksThatShareOfRecords() {
        assertThat(invalid(withFaults(1, 0, 0).nextRecords())).isEqualTo(500);
        assertThat(invalid(withFaults(0.2, 0, 0).nextRecords())).isBetween(60, 140);
    }

    @Test
    void lateRatioStampsEventsBeyondWindowPlusGrace() {
        Instant closed = CLOCK.instant().minus(Duration.ofMinutes(6));
        assertThat(withFaults(0, 1, 0).next(500)).allMatch(e -> e.timestamp().isBefore(closed));
        long late = withFaults(0, 0.1, 0).next(5000).stream().filter(e -> e.timestamp().isBefore(closed)).count();
        assertThat(late).isBetween(350L, 650L);
    }

    @Test
    void outOfOrderRatioStampsEventsWithinHalfTheGrace() {
        Instant earliest = CLOCK.instant().minus(Duration.ofSeconds(150));
        List<InteractionEvent> events = withFaults(0, 0, 1).next(500);

        assertThat(events).allMatch(e -> !e.timestamp().isBefore(earliest) && !e.timestamp().isAfter(CLOCK.instant()));
        assertThat(events).anyMatch(e -> e.timestamp().isBefore(CLOCK.instant()));
    }
}
