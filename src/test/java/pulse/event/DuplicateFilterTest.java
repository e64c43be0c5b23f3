package pulse.event;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class DuplicateFilterTest {

    private static final Instant T0 = Instant.parse("2026-12-02T02:00:00Z");
    private static final Duration HORIZON = Duration.ofMinutes(10);

    private static ConsumedEvent event(String id, int partition, long offset, Instant time) {
        return new ConsumedEvent(new InteractionEvent(id, 1, "u", "i", InteractionType.VIEW, time), partition, offset);
    }

    @Test
    void aResendWithinTheHorizonIsADuplicateAndTheOriginalIsNot() {
        DuplicateFilter filter = new DuplicateFilter(HORIZON, 1_000);

        assertThat(filter.isDuplicate(event("e-1", 0, 10, T0))).isFalse();
        assertThat(filter.isDuplicate(event("e-1", 0, 11, T0))).isTrue();
        assertThat(filter.isDuplicate(event("e-1", 0, 50, T0.plusSeconds(30)))).isTrue();
    }

    @Test
    void readingTheSameRecordsAgainJudgesThemTheSameWay() {
        DuplicateFilter filter = new DuplicateFilter(HORIZON, 1_000);
        filter.isDuplicate(event("e-1", 0, 10, T0));
        filter.isDuplicate(event("e-1", 0, 11, T0));

        // a replay from offset 10 (a failed write, a rebalance back to this instance)
        assertThat(filter.isDuplicate(event("e-1", 0, 10, T0))).as("the original, read again").isFalse();
        assertThat(filter.isDuplicate(event("e-1", 0, 11, T0))).as("the resend, read again").isTrue();
    }

    @Test
    void anOriginalReadAgainFromAnEarlierOffsetBecomesTheReference() {
        DuplicateFilter filter = new DuplicateFilter(HORIZON, 1_000);
        filter.isDuplicate(event("e-1", 0, 11, T0)); // the batch that held offset 10 was dropped and is read again

        assertThat(filter.isDuplicate(event("e-1", 0, 10, T0))).isFalse();
        assertThat(filter.isDuplicate(event("e-1", 0, 11, T0))).isTrue();
    }

    @Test
    void idsArePerPartitionAndEventsWithoutIdsAlwaysCount() {
        DuplicateFilter filter = new DuplicateFilter(HORIZON, 1_000);
        filter.isDuplicate(event("e-1", 0, 10, T0));

        assertThat(filter.isDuplicate(event("e-1", 1, 11, T0))).isFalse();
        assertThat(filter.isDuplicate(event(null, 0, 12, T0))).isFalse();
        assertThat(filter.isDuplicate(event(null, 0, 13, T0))).isFalse();
    }

    @Test
    void anIdSeenBeyondTheHorizonCountsAgain() {
        DuplicateFilter filter = new DuplicateFilter(HORIZON, 1_000);
        filter.isDuplicate(event("e-1", 0, 10, T0));

        assertThat(filter.isDuplicate(event("e-1", 0, 11, T0.plus(HORIZON).plusSeconds(1)))).isFalse();
        assertThat(filter.isDuplicate(event("e-1", 0, 12, T0.plus(HORIZON).plusSeconds(2)))).isTrue();
    }

    @Test
    void offCountsEverything() {
        DuplicateFilter off = DuplicateFilter.off();
        off.isDuplicate(event("e-1", 0, 10, T0));

        assertThat(off.isDuplicate(event("e-1", 0, 11, T0))).isFalse();
        assertThat(off.isOn()).isFalse();
    }

    @Test
    void memoryIsBoundedByMaxIdsAndTheOldestAreForgottenFirst() {
        DuplicateFilter filter = new DuplicateFilter(Duration.ofDays(1), 5_000);
        for (int i = 0; i < 20_000; i++) {
            filter.isDuplicate(event("e-" + i, 0, i, T0.plusMillis(i)));
        }

        assertThat(filter.rememberedIds()).isEqualTo(5_000);
        assertThat(filter.isDuplicate(event("e-19999", 0, 30_000, T0.plusSeconds(30)))).as("a recent id").isTrue();
        assertThat(filter.isDuplicate(event("e-10", 0, 30_001, T0.plusSeconds(30)))).as("forgotten").isFalse();
    }

    @Test
    void idsOlderThanTheHorizonAreForgottenAsStreamTimeMovesOn() {
        DuplicateFilter filter = new DuplicateFilter(HORIZON, 1_000_000);
        for (int i = 0; i < 10_000; i++) {
            filter.isDuplicate(event("e-" + i, 0, i, T0.plusSeconds(i)));
        }

        assertThat(filter.rememberedIds()).as("one id a second, 10 minutes of them").isBetween(600L, 602L);
    }

    /**
     * Random resends, replays and evictions against a plain map that remembers every (partition, id) with its first
     * offset and time: the filter must agree whenever the map's entry is within the horizon and was not evicted.
     */
    @Test
    void agreesWithAPlainMapOnRandomStreamsWithReplays() {
        Random random = new Random(42);
        DuplicateFilter filter = new DuplicateFilter(Duration.ofSeconds(100), 100_000);
        Map<String, long[]> firstSeen = new HashMap<>(); // partition/id -> offset, time
        long[] nextOffset = new long[3];
        List<ConsumedEvent> history = new ArrayList<>();
        int duplicates = 0;
        for (int i = 0; i < 50_000; i++) {
            ConsumedEvent event;
            if (!history.isEmpty() && random.nextInt(10) == 0) { // a replayed record: the same partition and offset
                event = history.get(history.size() - 1 - random.nextInt(Math.min(50, history.size())));
            } else {
                int partition = random.nextInt(3);
                String id = random.nextInt(5) == 0 && !history.isEmpty()
                        ? history.get(history.size() - 1 - random.nextInt(Math.min(200, history.size()))).event().eventId()
                        : "e-" + i;
                event = event(id, partition, nextOffset[partition]++, T0.plusMillis(i * 10L));
                history.add(event);
            }
            String key = event.partition() + "/" + event.event().eventId();
            long[] first = firstSeen.get(key);
            long time = event.event().timestamp().toEpochMilli();
            boolean expected = first != null && first[0] < event.offset() && Math.abs(time - first[1]) <= 100_000;
            if (first == null || event.offset() < first[0]) {
                firstSeen.put(key, new long[] {event.offset(), time});
            }
            boolean actual = filter.isDuplicate(event);
            assertThat(actual).as("event %d: %s", i, event).isEqualTo(expected);
            duplicates += actual ? 1 : 0;
        }
        assertThat(duplicates).as("the stream had duplicates to find").isGreaterThan(3_000);
    }
}
