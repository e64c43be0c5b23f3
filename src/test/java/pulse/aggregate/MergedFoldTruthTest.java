package pulse.aggregate;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;
import pulse.pipeline.FoldedRecords;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fold as the app builds it (per partition, merged per batch, batches merged while behind, partitions retained
 * after a rebalance) holds, for every rollup of two window sizes, what a plain count of its events says: totals,
 * late events, types, time span, offset ranges, origins, stream times, and each document's distinct users in the
 * order of the events that brought them, and the summary's delta. Events out of order (some late), users in several partitions.
 */
class MergedFoldTruthTest {

    private static final InteractionType[] TYPES = {InteractionType.VIEW, InteractionType.CLICK, InteractionType.PURCHASE};
    private static final Instant T0 = Instant.parse("2026-12-03T09:00:00Z");
    private static final Duration GRACE = Duration.ofMinutes(1);
    private static final Rollups ROLLUPS = Rollups.of(List.of(Duration.ofMinutes(1), Duration.ofHours(1)));
    private static final int PARTITIONS = 4;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void aMergedFoldCountsWhatItsEventsSay(long seed) {
        Random random = new Random(seed);
        List<List<ConsumedEvent>> batches = batches(random);
        Map<Integer, Instant> base = Map.of(1, T0.plusSeconds(200), 3, T0.minusSeconds(30), 7, T0);

        BatchDelta write = null;
        List<ConsumedEvent> heldOrder = new ArrayList<>(); // batches in order, each partition's events after the other's
        for (List<ConsumedEvent> batch : batches) {
            FoldedRecords folded = null;
            for (int partition : List.of(2, 0, 3, 1)) { // not in partition order, as the splitter may hand them
                BatchDelta fold = new BatchDelta(ROLLUPS);
                batch.stream().filter(e -> e.partition() == partition).forEach(fold::add);
                batch.stream().filter(e -> e.partition() == partition).forEach(heldOrder::add);
                FoldedRecords records = new FoldedRecords(fold, List.of());
                folded = folded == null ? records : folded.merge(records);
            }
            if (write == null) {
                write = folded.getDelta();
            } else {
                write.merge(folded.getDelta());
            }
        }
        assertFoldsLikeTheTruth(write, heldOrder, base);

        Set<Integer> kept = Set.of(0, 1, 3);
        BatchDelta retained = write.retainPartitions(kept);
        assertFoldsLikeTheTruth(retained, heldOrder.stream().filter(e -> kept.contains(e.partition())).toList(), base);
    }

    private static void assertFoldsLikeTheTruth(BatchDelta fold, List<ConsumedEvent> heldOrder, Map<Integer, Instant> base) {
        fold.classifyLateness(base, GRACE);
        assertThat(fold.events()).containsExactlyElementsOf(heldOrder.stream().map(MergedFoldTruthTest::withoutId).toList());

        // stream time per partition: the newest event time seen before each event (its partition's, in offset order)
        Map<Integer, Instant> time = new HashMap<>(base);
        Map<Rollup, Set<ConsumedEvent>> late = new HashMap<>();
        for (ConsumedEvent consumed : heldOrder) {
            Instant current = time.get(consumed.partition());
            for (Rollups.WindowSize size : ROLLUPS.windowSizes()) {
                Instant end = size.windows().windowStart(consumed.event().timestamp()).plus(size.size());
                if (current != null && current.isAfter(end.plus(GRACE))) {
                    late.computeIfAbsent(size.windows(), r -> new LinkedHashSet<>()).add(consumed);
                    late.computeIfAbsent(size.itemWindows(), r -> new LinkedHashSet<>()).add(consumed);
                }
            }
            if (current == null || consumed.event().timestamp().isAfter(current)) {
                time.put(consumed.partition(), consumed.event().timestamp());
            }
        }
        Map<Integer, Instant> expectedTimes = new TreeMap<>();
        heldOrder.forEach(e -> expectedTimes.put(e.partition(), time.get(e.partition())));
        assertThat(new TreeMap<>(fold.streamTimes())).isEqualTo(expectedTimes);
        assertThat(late.getOrDefault(ROLLUPS.primary().windows(), Set.of())).as("some events are late").isNotEmpty();
        for (ConsumedEvent consumed : heldOrder) {
            assertThat(fold.isLate(consumed)).isEqualTo(late.getOrDefault(ROLLUPS.primary().windows(), Set.of()).contains(consumed));
        }

        // the summary's delta, with some of the fold's offsets already applied (a retry after a partial write)
        Map<Integer, Long> applied = Map.of(0, 100L, 2, 5L, 9, 3L);
        List<ConsumedEvent> fresh = heldOrder.stream().filter(e -> e.offset() > applied.getOrDefault(e.partition(), -1L)).toList();
        Set<ConsumedEvent> lateInPrimary = late.getOrDefault(ROLLUPS.primary().windows(), Set.of());
        SummaryDelta summary = SummaryDelta.of(fold, List.of(), List.of(), applied);
        assertThat(summary.events()).isEqualTo(fresh.size());
        assertThat(summary.late()).isEqualTo(fresh.stream().filter(lateInPrimary::contains).count());
        for (InteractionType type : TYPES) {
            assertThat(summary.count(type.index())).isEqualTo(fresh.stream().filter(e -> e.event().type() == type).count());
        }
        Map<Integer, List<Long>> ranges = new TreeMap<>();
        fresh.forEach(e -> ranges.merge(e.partition(), List.of(e.offset(), e.offset()),
                (a, b) -> List.of(Math.min(a.get(0), b.get(0)), Math.max(a.get(1), b.get(1)))));
        Map<Integer, List<Long>> summaryRanges = new TreeMap<>();
        summary.offsets().forEach((p, r) -> summaryRanges.put(p, List.of(r[0], r[1])));
        assertThat(summaryRanges).isEqualTo(ranges);

        DocumentUsers.Users users = DocumentUsers.users(fold);
        for (Rollup rollup : ROLLUPS.all()) {
            Set<ConsumedEvent> lateHere = late.getOrDefault(rollup, Set.of());
            Map<String, String> expected = new TreeMap<>();
            Map<String, List<String>> expectedUsers = new TreeMap<>();
            Map<String, List<ConsumedEvent>> byDocument = new LinkedHashMap<>();
            heldOrder.forEach(e -> byDocument.computeIfAbsent(rollup.keyOf(e.event()), id -> new ArrayList<>()).add(e));
            byDocument.forEach((id, events) -> {
                expected.put(id, describe(events, lateHere::contains));
                expectedUsers.put(id, events.stream().map(e -> e.event().userId()).distinct().toList());
            });
            Map<String, String> actual = new TreeMap<>();
            for (DocumentDelta delta : fold.deltas(rollup)) {
                actual.put(delta.id(), describe(delta));
            }
            assertThat(actual).as(rollup.collection()).isEqualTo(expected);
            if (rollup.kind() != Rollup.Kind.USERS) {
                Map<String, List<String>> actualUsers = new TreeMap<>();
                List<DocumentUsers> documents = DocumentUsers.of(fold, rollup, users);
                assertThat(documents).extracting(DocumentUsers::id).isSortedAccordingTo(Comparator.naturalOrder());
                documents.forEach(document -> actualUsers.put(document.id(), List.copyOf(document.users())));
                assertThat(actualUsers).as(rollup.collection() + " users").isEqualTo(expectedUsers);
            }
        }
    }

    /** What a delta should say of these events: counts, types, span, offset ranges and origin. */
    private static String describe(List<ConsumedEvent> events, java.util.function.Predicate<ConsumedEvent> isLate) {
        long total = events.stream().filter(isLate.negate()).count();
        long late = events.size() - total;
        Function<InteractionType, Long> count = type -> events.stream().filter(isLate.negate())
                .filter(e -> e.event().type() == type).count();
        Instant first = events.stream().map(e -> e.event().timestamp()).min(Comparator.naturalOrder()).orElseThrow();
        Instant last = events.stream().map(e -> e.event().timestamp()).max(Comparator.naturalOrder()).orElseThrow();
        Map<Integer, long[]> ranges = new TreeMap<>();
        events.forEach(e -> ranges.merge(e.partition(), new long[] {e.offset(), e.offset()},
                (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])}));
        ConsumedEvent origin = events.stream().min(Comparator.comparingInt(ConsumedEvent::partition)
                .thenComparingLong(ConsumedEvent::offset)).orElseThrow();
        StringBuilder offsets = new StringBuilder();
        ranges.forEach((p, r) -> offsets.append(p).append(':').append(r[0]).append('-').append(r[1]).append(' '));
        return total + " " + late + " " + count.apply(TYPES[0]) + "/" + count.apply(TYPES[1]) + "/"
                + count.apply(TYPES[2]) + " " + first + " " + last + " "
                + new RecordPosition(origin.partition(), origin.offset()) + " " + offsets;
    }

    private static String describe(DocumentDelta delta) {
        StringBuilder offsets = new StringBuilder();
        delta.offsets().forEach((p, r) -> offsets.append(p).append(':').append(r.first()).append('-').append(r.last()).append(' '));
        return delta.total() + " " + delta.late() + " " + delta.count(TYPES[0]) + "/" + delta.count(TYPES[1]) + "/"
                + delta.count(TYPES[2]) + " " + delta.firstSeen() + " " + delta.lastSeen() + " " + delta.origin() + " "
                + offsets;
    }

    /**
     * 6 batches of events over 50 users and 20 items, ~40 s of event time per batch with some events up to 10 minutes
     * behind (late for their minute, rarely for their hour); most users keyed to one partition, some to any.
     */
    private static List<List<ConsumedEvent>> batches(Random random) {
        long[] nextOffset = new long[PARTITIONS];
        List<List<ConsumedEvent>> batches = new ArrayList<>();
        long millis = 0;
        for (int b = 0; b < 6; b++) {
            List<ConsumedEvent> batch = new ArrayList<>();
            for (int i = 0; i < 200 + random.nextInt(200); i++) {
                millis += random.nextInt(200);
                int user = random.nextInt(50);
                int partition = user < 40 ? user % PARTITIONS : random.nextInt(PARTITIONS);
                long behind = random.nextInt(10) == 0 ? random.nextInt(600_000) : 0;
                Instant timestamp = T0.plusMillis(millis - behind).plusNanos(random.nextInt(1_000_000));
                InteractionEvent event = new InteractionEvent("event-" + b + "-" + i, 1, "user-" + user,
                        "item-" + random.nextInt(20), TYPES[random.nextInt(3)], timestamp);
                batch.add(new ConsumedEvent(event, partition, nextOffset[partition]++));
            }
            batches.add(batch);
        }
        return batches;
    }

    private static ConsumedEvent withoutId(ConsumedEvent consumed) {
        InteractionEvent e = consumed.event();
        return new ConsumedEvent(new InteractionEvent(null, e.schemaVersion(), e.userId(), e.itemId(), e.type(),
                e.timestamp()), consumed.partition(), consumed.offset());
    }
}
