package pulse.aggregate;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;
import pulse.pipeline.FoldedRecords;
import pulse.pipeline.InteractionAggregationStrategy;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.tuple;
import static pulse.event.InteractionType.CLICK;
import static pulse.event.InteractionType.PURCHASE;
import static pulse.event.InteractionType.VIEW;

class BatchDeltaTest {

    private static final Instant T0 = Instant.parse("2026-01-31T12:00:00Z");
    private static final String MINUTE_0 = "2026-01-31T12:00:00Z";
    private static final String MINUTE_1 = "2026-01-31T12:01:00Z";
    private static final Duration GRACE = Duration.ofMinutes(5);

    private static CamelContext camel;
    @BeforeAll
    static void createCamel() {
        camel = new DefaultCamelContext();
    }

    @AfterAll
    static void closeCamel() throws Exception {
        camel.close();
    }

    // ---- fixtures -----------------------------------------------------------------------------------

    private static ConsumedEvent event(int partition, long offset, String user, String item, InteractionType type,
                                       long secondsAfterT0) {
        InteractionEvent event = new InteractionEvent("e-" + partition + "-" + offset,
                InteractionEvent.CURRENT_SCHEMA_VERSION, user, item, type, T0.plusSeconds(secondsAfterT0));
        return new ConsumedEvent(event, partition, offset);
    }

    // partition 0 and 2 hold alice, partition 1 holds bob (a user's events stay on one partition in practice,
    // but nothing in the fold depends on it)
    private static final ConsumedEvent A1 = event(2, 40, "alice", "item-1", VIEW, 5);
    private static final ConsumedEvent A2 = event(0, 11, "alice", "item-2", CLICK, 70);
    private static final ConsumedEvent A3 = event(0, 10, "alice", "item-1", VIEW, 30);
    private static final ConsumedEvent B1 = event(1, 7, "bob", "item-1", PURCHASE, 65);
    private static final ConsumedEvent B2 = event(1, 9, "bob", "item-1", VIEW, 2);
    private static final ConsumedEvent A4 = event(0, 14, "alice", "item-1", PURCHASE, 119);

    private static final List<ConsumedEvent> BATCH = List.of(A1, A2, A3, B1, B2, A4);

    private int rejectedOffset = 1000;

    /** A batch of events and rejected records (anything else: counted at partition 3 from offset 1000). */
    private BatchDelta aggregate(Object... bodies) {
        BatchDelta batch = new BatchDelta();
        for (Object body : bodies) {
            if (body instanceof ConsumedEvent event) {
                batch.add(event);
            } else {
                batch.reject(new RecordPosition(3, rejectedOffset++));
            }
        }
        batch.classifyLateness(Map.of(), GRACE);
        return batch;
    }

    private static BatchDelta fold(List<ConsumedEvent> events) {
        BatchDelta delta = new BatchDelta();
        events.forEach(delta::add);
        delta.classifyLateness(Map.of(), GRACE);
        return delta;
    }

    private static DocumentDelta delta(Collection<DocumentDelta> deltas, String id) {
        return deltas.stream().filter(d -> d.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no delta for " + id + " in " + deltas.stream().map(DocumentDelta::id).toList()));
    }

    private static DocumentDelta delta(BatchDelta batch, Rollup rollup, String id) {
        return delta(batch.deltas(rollup), id);
    }

    // ---- the aggregation strategy: partition folds into the batch's ----------------------------------

    @Nested
    class Strategy {

        private final InteractionAggregationStrategy strategy = new InteractionAggregationStrategy();

        private Exchange exchange(BatchDelta fold) {
            Exchange exchange = new DefaultExchange(camel);
            exchange.getMessage().setBody(new FoldedRecords(fold, List.of()));
            return exchange;
        }

        private BatchDelta partition(int partition, Object... rejectedOffsets) {
            BatchDelta fold = new BatchDelta();
            BATCH.stream().filter(e -> e.partition() == partition).forEach(fold::add);
            for (Object offset : rejectedOffsets) {
                fold.reject(new RecordPosition(partition, (Integer) offset));
            }
            return fold;
        }

        /** Drives the strategy as the splitter does: the first call has no old exchange. */
        private BatchDelta aggregate(BatchDelta... folds) {
            Exchange result = null;
            for (BatchDelta fold : folds) {
                result = strategy.aggregate(result, exchange(fold));
            }
            BatchDelta batch = result.getMessage().getBody(FoldedRecords.class).getDelta();
            batch.classifyLateness(Map.of(), GRACE);
            return batch;
        }

        @Test
        void foldingPartitionFoldsTogetherEqualsFoldingTheWholeBatch() {
            BatchDelta merged = aggregate(partition(2), partition(0, 12), partition(1, 8));
            BatchDelta whole = fold(BATCH);

            assertThat(merged.events()).hasSize(BATCH.size()).containsExactlyInAnyOrderElementsOf(whole.events());
            assertThat(merged.rejectedPositions()).containsExactly(new RecordPosition(0, 12), new RecordPosition(1, 8));
            for (Rollup rollup : Rollups.DEFAULT.all()) {
                assertThat(describe(merged.deltas(rollup))).as(rollup.collection())
                        .isEqualTo(describe(whole.deltas(rollup)));
            }
        }

        @Test
        void keepsTheFirstExchangeAndLeavesTheOtherFoldsAsTheyWere() {
            Exchange first = exchange(partition(0));
            BatchDelta second = partition(2);
            Exchange result = strategy.aggregate(null, first);
            Exchange next = strategy.aggregate(result, exchange(second));

            assertThat(result).isSameAs(first);
            assertThat(next).isSameAs(first);
            assertThat(delta(second, Rollup.USERS, "alice").total()).isEqualTo(1); // A1 only
            assertThat(delta(first.getMessage().getBody(FoldedRecords.class).getDelta(), Rollup.USERS, "alice")
                    .total()).isEqualTo(4);
        }

        /** Everything a delta says, comparable. */
        private Map<String, String> describe(Collection<DocumentDelta> deltas) {
            Map<String, String> described = new TreeMap<>();
            for (DocumentDelta d : deltas) {
                StringBuilder offsets = new StringBuilder();
                d.offsets().forEach((p, r) -> offsets.append(p).append(':').append(r.first()).append('-').append(r.last()).append(' '));
                described.put(d.id(), d.total() + " " + d.late() + " " + d.count(VIEW) + "/" + d.count(CLICK) + "/"
                        + d.count(PURCHASE) + " " + d.firstSeen() + " " + d.lastSeen() + " " + d.origin() + " " + offsets);
            }
            return described;
        }
    }

    @Test
    void keepsEachEventWithoutItsIdAndWithTheIdStringsOfItsDeltas() {
        BatchDelta batch = aggregate(BATCH.toArray());

        assertThat(batch.events()).extracting(ConsumedEvent::partition, ConsumedEvent::offset)
                .containsExactlyElementsOf(BATCH.stream().map(e -> tuple(e.partition(), e.offset())).toList());
        for (int i = 0; i < BATCH.size(); i++) {
            InteractionEvent held = batch.events().get(i).event();
            InteractionEvent original = BATCH.get(i).event();
            assertThat(held).isEqualTo(new InteractionEvent(null, original.schemaVersion(), original.userId(),
                    original.itemId(), original.type(), original.timestamp()));
            assertThat(held.userId()).isSameAs(delta(batch, Rollup.USERS, original.userId()).id());
            assertThat(held.itemId()).isSameAs(delta(batch, Rollup.ITEMS, original.itemId()).id());
        }
    }

    // ---- one delta per document ---------------------------------------------------------------------

    @Nested
    class Totals {

        private final BatchDelta batch = aggregate(A1, A2, "rejected", A3, B1, B2, A4);

        @Test
        void perUser() {
            assertThat(batch.deltas(Rollup.USERS)).extracting(DocumentDelta::id).containsExactly("alice", "bob");

            DocumentDelta alice = delta(batch, Rollup.USERS, "alice");
            assertThat(alice.total()).isEqualTo(4);
            assertThat(alice.count(VIEW)).isEqualTo(2);
            assertThat(alice.count(CLICK)).isEqualTo(1);
            assertThat(alice.count(PURCHASE)).isEqualTo(1);

            DocumentDelta bob = delta(batch, Rollup.USERS, "bob");
            assertThat(bob.total()).isEqualTo(2);
            assertThat(bob.count(VIEW)).isEqualTo(1);
            assertThat(bob.count(CLICK)).isZero();
            assertThat(bob.count(PURCHASE)).isEqualTo(1);
        }

        @Test
        void perItem() {
            assertThat(batch.deltas(Rollup.ITEMS)).extracting(DocumentDelta::id)
                    .containsExactlyInAnyOrder("item-1", "item-2");

            DocumentDelta item1 = delta(batch, Rollup.ITEMS, "item-1");
            assertThat(item1.total()).isEqualTo(5);
            assertThat(item1.count(VIEW)).isEqualTo(3);
            assertThat(item1.count(CLICK)).isZero();
            assertThat(item1.count(PURCHASE)).isEqualTo(2);

            DocumentDelta item2 = delta(batch, Rollup.ITEMS, "item-2");
            assertThat(item2.total()).isEqualTo(1);
            assertThat(item2.count(CLICK)).isEqualTo(1);
        }

        @Test
        void perMinuteWindow() {
            assertThat(batch.deltas(Rollup.WINDOWS)).extracting(DocumentDelta::id)
                    .containsExactlyInAnyOrder(MINUTE_0, MINUTE_1);

            DocumentDelta minute0 = delta(batch, Rollup.WINDOWS, MINUTE_0); // A1, A3, B2
            assertThat(minute0.total()).isEqualTo(3);
            assertThat(minute0.count(VIEW)).isEqualTo(3);

            DocumentDelta minute1 = delta(batch, Rollup.WINDOWS, MINUTE_1); // A2, B1, A4
            assertThat(minute1.total()).isEqualTo(3);
            assertThat(minute1.count(CLICK)).isEqualTo(1);
            assertThat(minute1.count(PURCHASE)).isEqualTo(2);
        }

        @Test
        void everyRollupAddsUpToTheBatch() {
            for (Rollup rollup : Rollups.DEFAULT.all()) {
                assertThat(batch.deltas(rollup).stream().mapToLong(DocumentDelta::total).sum())
                        .as(rollup.collection()).isEqualTo(BATCH.size());
            }
        }

        @Test
        void firstAndLastSeenAreTheEventTimeSpanWhateverTheArrivalOrder() {
            DocumentDelta alice = delta(batch, Rollup.USERS, "alice");
            assertThat(alice.firstSeen()).isEqualTo(T0.plusSeconds(5));
            assertThat(alice.lastSeen()).isEqualTo(T0.plusSeconds(119));

            DocumentDelta bob = delta(batch, Rollup.USERS, "bob"); // B1 (65 s) arrived before B2 (2 s)
            assertThat(bob.firstSeen()).isEqualTo(T0.plusSeconds(2));
            assertThat(bob.lastSeen()).isEqualTo(T0.plusSeconds(65));

            DocumentDelta minute1 = delta(batch, Rollup.WINDOWS, MINUTE_1);
            assertThat(minute1.firstSeen()).isEqualTo(T0.plusSeconds(65));
            assertThat(minute1.lastSeen()).isEqualTo(T0.plusSeconds(119));
        }

        @Test
        void offsetRangesArePerPartition() {
            DocumentDelta alice = delta(batch, Rollup.USERS, "alice"); // p0: 11, 10, 14; p2: 40
            assertThat(alice.offsets()).containsOnlyKeys(0, 2);
            assertThat(alice.offsets().get(0).first()).isEqualTo(10);
            assertThat(alice.offsets().get(0).last()).isEqualTo(14);
            assertThat(alice.offsets().get(2).first()).isEqualTo(40);
            assertThat(alice.offsets().get(2).last()).isEqualTo(40);

            DocumentDelta item1 = delta(batch, Rollup.ITEMS, "item-1"); // p0: 10, 14; p1: 7, 9; p2: 40
            assertThat(item1.offsets().keySet()).containsExactly(0, 1, 2);
            assertThat(item1.offsets().get(0).first()).isEqualTo(10);
            assertThat(item1.offsets().get(0).last()).isEqualTo(14);
            assertThat(item1.offsets().get(1).first()).isEqualTo(7);
            assertThat(item1.offsets().get(1).last()).isEqualTo(9);
        }

        @Test
        void originIsTheLowestPartitionThenOffset() {
            assertThat(delta(batch, Rollup.USERS, "alice").origin()).isEqualTo(new RecordPosition(0, 10));
            assertThat(delta(batch, Rollup.USERS, "bob").origin()).isEqualTo(new RecordPosition(1, 7));
            assertThat(delta(batch, Rollup.ITEMS, "item-1").origin()).isEqualTo(new RecordPosition(0, 10));
            assertThat(delta(batch, Rollup.ITEMS, "item-2").origin()).isEqualTo(new RecordPosition(0, 11));
            // partition beats offset: (0, 11) is lower than (1, 7) and (2, 40)
            assertThat(delta(batch, Rollup.WINDOWS, MINUTE_1).origin()).isEqualTo(new RecordPosition(0, 11));
            assertThat(delta(batch, Rollup.WINDOWS, MINUTE_0).origin()).isEqualTo(new RecordPosition(0, 10));
        }

        @Test
        void containsOnlyThePositionsOfValidEvents() {
            assertThat(batch.contains(new RecordPosition(0, 10))).isTrue();
            assertThat(batch.contains(new RecordPosition(2, 40))).isTrue();
            assertThat(batch.contains(new RecordPosition(0, 12))).isFalse();
            assertThat(batch.contains(new RecordPosition(1, 10))).isFalse();
        }

        @Test
        void containsSeesEventsAddedAfterAnEarlierLookup() {
            BatchDelta growing = fold(List.of(A1));
            assertThat(growing.contains(new RecordPosition(0, 10))).isFalse();

            growing.add(A3);

            assertThat(growing.contains(new RecordPosition(0, 10))).isTrue();
        }
    }

    // ---- window sizes and lateness -------------------------------------------------------------------

    @Nested
    class Windows {

        private final Rollups minuteAndHour = Rollups.of(List.of(Duration.ofMinutes(1), Duration.ofHours(1)));
        private final Rollup hours = minuteAndHour.windowSizes().get(1).windows();
        private final Rollup itemHours = minuteAndHour.windowSizes().get(1).itemWindows();

        private BatchDelta fold(Map<Integer, Instant> base) {
            BatchDelta batch = new BatchDelta(minuteAndHour);
            BATCH.forEach(batch::add);
            batch.classifyLateness(base, GRACE);
            return batch;
        }

        @Test
        void everySizeHasItsOwnCollectionsAndWindows() {
            assertThat(minuteAndHour.all()).extracting(Rollup::collection).containsExactly(
                    "users", "items", "windows", "item_windows", "windows_1h", "item_windows_1h");
            BatchDelta batch = fold(Map.of());

            assertThat(batch.deltas(Rollup.WINDOWS)).extracting(DocumentDelta::id)
                    .containsExactlyInAnyOrder(MINUTE_0, MINUTE_1);
            assertThat(batch.deltas(hours)).extracting(DocumentDelta::id).containsExactly("2026-01-31T12:00:00Z");
            assertThat(delta(batch, hours, "2026-01-31T12:00:00Z").total()).isEqualTo(6);
            assertThat(batch.deltas(itemHours)).extracting(DocumentDelta::id)
                    .containsExactlyInAnyOrder("2026-01-31T12:00:00Z/item-1", "2026-01-31T12:00:00Z/item-2");
            assertThat(delta(batch, itemHours, "2026-01-31T12:00:00Z/item-1").total()).isEqualTo(5);
            assertThat(delta(batch, itemHours, "2026-01-31T12:00:00Z/item-1").count(PURCHASE)).isEqualTo(2);
        }

        @Test
        void hourWindowsStartOnTheHourAndEndAnHourLater() {
            Instant start = hours.windowStart(T0.plusSeconds(3599));

            assertThat(start).isEqualTo(T0);
            assertThat(hours.windowEnd(start)).isEqualTo(T0.plusSeconds(3600));
            assertThat(hours.windowStart(T0.plusSeconds(3600))).isEqualTo(T0.plusSeconds(3600));
        }

        @Test
        void anEventCanBeLateForItsMinuteButNotForItsHour() {
            // partition 0 has seen 12:07:30: minute 12:00 closed at 12:06, the hour 12:00 closes at 13:05
            BatchDelta batch = fold(Map.of(0, T0.plusSeconds(450)));

            assertThat(batch.isLate(A3)).isTrue(); // 12:00:30 on partition 0
            assertThat(batch.isLate(A2)).isTrue(); // 12:01:10: minute 12:01 closed at 12:07
            assertThat(batch.isLate(B2)).isFalse(); // partition 1 has no stream time yet
            DocumentDelta minute0 = delta(batch, Rollup.WINDOWS, MINUTE_0); // A1, B2 on time; A3 late
            assertThat(minute0.total()).isEqualTo(2);
            assertThat(minute0.late()).isEqualTo(1);
            DocumentDelta hour = delta(batch, hours, "2026-01-31T12:00:00Z");
            assertThat(hour.total()).isEqualTo(6);
            assertThat(hour.late()).isZero();
            // a replay refolds with the same lateness per size
            assertThat(delta(batch.refold(Rollup.WINDOWS, Map.of(MINUTE_0, Map.of())), MINUTE_0).late()).isEqualTo(1);
            assertThat(delta(batch.refold(hours, Map.of("2026-01-31T12:00:00Z", Map.of())), "2026-01-31T12:00:00Z")
                    .late()).isZero();
        }

        @Test
        void streamTimeStartsFromTheBaseAndMovesWithTheNewestEventPerPartition() {
            BatchDelta batch = fold(Map.of(0, T0.plusSeconds(450), 4, T0));

            assertThat(batch.streamTimes()).containsOnlyKeys(0, 1, 2); // partition 4 is not in the batch
            assertThat(batch.streamTimes().get(0)).isEqualTo(T0.plusSeconds(450)); // newer than every p0 event
            assertThat(batch.streamTimes().get(1)).isEqualTo(T0.plusSeconds(65));
            assertThat(batch.streamTimes().get(2)).isEqualTo(T0.plusSeconds(5));
        }

        @Test
        void windowsAreOnlyAvailableOnceClassified() {
            BatchDelta batch = new BatchDelta();
            batch.add(A1);

            assertThatIllegalStateException()
                    .isThrownBy(() -> batch.deltas(Rollup.WINDOWS));
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> batch.deltas(hours)); // not one of the default rollups
        }
    }

    // ---- replays ------------------------------------------------------------------------------------

    @Nested
    class Refold {

        private final BatchDelta batch = fold(BATCH);

        @Test
        void keepsOnlyTheEventsBeyondTheHeldOffsets() {
            // alice's document already holds partition 0 up to offset 11, and nothing of partition 2
            Collection<DocumentDelta> remaining = batch.refold(Rollup.USERS, Map.of("alice", Map.of(0, 11L)));

            assertThat(remaining).extracting(DocumentDelta::id).containsExactly("alice");
            DocumentDelta alice = delta(remaining, "alice"); // A4 (p0 @ 14) and A1 (p2 @ 40)
            assertThat(alice.total()).isEqualTo(2);
            assertThat(alice.count(VIEW)).isEqualTo(1);
            assertThat(alice.count(PURCHASE)).isEqualTo(1);
            assertThat(alice.count(CLICK)).isZero();
            assertThat(alice.offsets()).containsOnlyKeys(0, 2);
            assertThat(alice.offsets().get(0).first()).isEqualTo(14);
            assertThat(alice.offsets().get(0).last()).isEqualTo(14);
            assertThat(alice.origin()).isEqualTo(new RecordPosition(0, 14));
            assertThat(alice.firstSeen()).isEqualTo(T0.plusSeconds(5));
            assertThat(alice.lastSeen()).isEqualTo(T0.plusSeconds(119));
        }

        @Test
        void leavesOutDocumentsThatHoldEveryEvent() {
            Collection<DocumentDelta> remaining = batch.refold(Rollup.USERS, Map.of(
                    "alice", Map.of(0, 14L, 2, 40L),
                    "bob", Map.of(1, 8L)));

            assertThat(remaining).extracting(DocumentDelta::id).containsExactly("bob");
            DocumentDelta bob = delta(remaining, "bob");
            assertThat(bob.total()).isEqualTo(1);
            assertThat(bob.offsets().get(1).first()).isEqualTo(9);
        }

        @Test
        void leavesOutDocumentsThatWereNotAskedFor() {
            Collection<DocumentDelta> remaining = batch.refold(Rollup.ITEMS, Map.of("item-2", Map.of()));

            assertThat(remaining).extracting(DocumentDelta::id).containsExactly("item-2");
            assertThat(delta(remaining, "item-2").total()).isEqualTo(1);
        }

        @Test
        void nothingRemainsWhenEveryDocumentHoldsEverything() {
            Map<String, Map<Integer, Long>> allHeld = Map.of(
                    MINUTE_0, Map.of(0, 10L, 1, 9L, 2, 40L),
                    MINUTE_1, Map.of(0, 100L, 1, 100L));

            assertThat(batch.refold(Rollup.WINDOWS, allHeld)).isEmpty();
            assertThat(batch.refold(Rollup.WINDOWS, Map.of())).isEmpty();
        }

        @Test
        void doesNotChangeTheOriginalDeltas() {
            batch.refold(Rollup.USERS, Map.of("alice", Map.of(0, 11L)));

            assertThat(delta(batch, Rollup.USERS, "alice").total()).isEqualTo(4);
        }
    }

    // ---- the global summary -------------------------------------------------------------------------

    @Nested
    class Summary {

        private final List<ConsumedEvent> events = BATCH;
        private final List<RecordPosition> newUsers = List.of(new RecordPosition(0, 10), new RecordPosition(1, 7));
        private final List<RecordPosition> newItems = List.of(new RecordPosition(0, 10), new RecordPosition(0, 11));

        @Test
        void firstAttemptCountsEverything() {
            SummaryDelta summary = SummaryDelta.of(events, List.of(), newUsers, newItems, Map.of());

            assertThat(summary.events()).isEqualTo(6);
            assertThat(summary.newUsers()).isEqualTo(2);
            assertThat(summary.newItems()).isEqualTo(2);
            assertThat(summary.isEmpty()).isFalse();
            assertThat(summary.offsets()).containsOnlyKeys(0, 1, 2);
            assertThat(summary.offsets().get(0)).containsExactly(10, 14);
            assertThat(summary.offsets().get(1)).containsExactly(7, 9);
            assertThat(summary.offsets().get(2)).containsExactly(40, 40);
        }

        @Test
        void countsOnlyEventsAndOriginsBeyondTheAppliedOffsets() {
            // the summary holds partition 0 up to 10 and partition 1 up to 9; nothing of partition 2
            SummaryDelta summary = SummaryDelta.of(events, List.of(), newUsers, newItems, Map.of(0, 10L, 1, 9L));

            assertThat(summary.events()).isEqualTo(3); // (0, 11), (0, 14), (2, 40)
            assertThat(summary.newUsers()).isZero(); // (0, 10) and (1, 7) are held
            assertThat(summary.newItems()).isEqualTo(1); // (0, 11)
            assertThat(summary.offsets()).containsOnlyKeys(0, 2);
            assertThat(summary.offsets().get(0)).containsExactly(11, 14);
            assertThat(summary.offsets().get(2)).containsExactly(40, 40);
        }

        @Test
        void fullyAppliedBatchIsEmpty() {
            SummaryDelta summary = SummaryDelta.of(events, List.of(), newUsers, newItems, Map.of(0, 14L, 1, 9L, 2, 40L));

            assertThat(summary.isEmpty()).isTrue();
            assertThat(summary.events()).isZero();
            assertThat(summary.newUsers()).isZero();
            assertThat(summary.newItems()).isZero();
            assertThat(summary.offsets()).isEmpty();
        }

        @Test
        void countsRejectedRecordsBeyondTheAppliedOffsetsAndGuardsTheirPartitions() {
            List<RecordPosition> rejected = List.of(new RecordPosition(0, 12), new RecordPosition(5, 3));

            SummaryDelta summary = SummaryDelta.of(List.of(), rejected, List.of(), List.of(), Map.of(0, 12L));

            assertThat(summary.rejected()).isEqualTo(1); // (5, 3); (0, 12) is held
            assertThat(summary.events()).isZero();
            assertThat(summary.isEmpty()).isFalse();
            assertThat(summary.offsets()).containsOnlyKeys(5);
        }

        @Test
        void worksFromTheOriginsOfAFoldedBatch() {
            BatchDelta batch = fold(BATCH);
            List<RecordPosition> userOrigins = batch.deltas(Rollup.USERS).stream().map(DocumentDelta::origin).toList();
            List<RecordPosition> itemOrigins = batch.deltas(Rollup.ITEMS).stream().map(DocumentDelta::origin).toList();

            SummaryDelta summary = SummaryDelta.of(batch.events(), List.of(), userOrigins, itemOrigins, Map.of(0, 10L));

            assertThat(summary.events()).isEqualTo(5);
            assertThat(summary.newUsers()).isEqualTo(1); // bob at (1, 7); alice's (0, 10) is held
            assertThat(summary.newItems()).isEqualTo(1); // item-2 at (0, 11); item-1's (0, 10) is held
        }
    }
}
