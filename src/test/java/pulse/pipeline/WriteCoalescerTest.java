package pulse.pipeline;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import pulse.aggregate.BatchDelta;
import pulse.aggregate.DocumentDelta;
import pulse.aggregate.Rollup;
import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;
import pulse.kafka.KafkaBatch;
import pulse.kafka.KafkaRecord;
import pulse.kafka.PartitionCommits;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class WriteCoalescerTest {

    private static final String TOPIC = "interactions";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    private final AtomicLong nanos = new AtomicLong();
    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST);
    private final WriteCoalescer coalescer = new WriteCoalescer(1_000, Duration.ofSeconds(2), nanos::get);

    /** A consumed batch of {@code count} events of {@code partition} from {@code firstOffset}, one user per offset mod 3. */
    private record Consumed(BatchDelta delta, KafkaBatch batch) {
    }

    private static Consumed batch(Consumer<?, ?> by, int partition, long firstOffset, int count, boolean backlogAhead) {
        return batch("interactions-Thread 0", by, partition, firstOffset, count, backlogAhead);
    }

    private static Consumed batch(String consumerId, Consumer<?, ?> by, int partition, long firstOffset, int count,
                                  boolean backlogAhead) {
        BatchDelta delta = new BatchDelta();
        List<KafkaRecord> records = new ArrayList<>();
        for (long offset = firstOffset; offset < firstOffset + count; offset++) {
            InteractionEvent event = new InteractionEvent("e-" + partition + "-" + offset, InteractionEvent.CURRENT_SCHEMA_VERSION,
                    "user-" + offset % 3, "item-1", InteractionType.VIEW, Instant.parse("2026-11-28T00:00:00Z").plusSeconds(offset));
            delta.add(new ConsumedEvent(event, partition, offset));
            records.add(new KafkaRecord(TOPIC, partition, offset, event.userId(), new byte[0]));
        }
        long last = firstOffset + count - 1;
        PartitionCommits commits = new PartitionCommits(by, Map.of(new TopicPartition(TOPIC, partition), last), 5_000);
        return new Consumed(delta, KafkaBatch.of(records, consumerId, commits, backlogAhead, Set.of(P0, P1)));
    }

    private List<AggregateWrite> add(Consumed consumed) {
        return coalescer.add(consumed.delta(), consumed.batch());
    }

    private static Map<String, Long> userTotals(BatchDelta delta) {
        return delta.deltas(Rollup.USERS).stream().collect(Collectors.toMap(DocumentDelta::id, DocumentDelta::total));
    }

    @Test
    void aBatchCutByTheIntervalIsWrittenAtOnce() {
        List<AggregateWrite> due = add(batch(consumer, 0, 0, 10, false));

        assertThat(due).singleElement().satisfies(write -> {
            assertThat(write.batches()).isEqualTo(1);
            assertThat(write.delta().events()).hasSize(10);
        });
        assertThat(coalescer.heldEvents()).isZero();
    }

    @Test
    void whileABacklogLiesAheadBatchesAreFoldedIntoOneWriteWithTheLatestOffsetsToCommit() {
        assertThat(add(batch(consumer, 0, 0, 300, true))).isEmpty();
        assertThat(add(batch(consumer, 1, 0, 300, true))).isEmpty();
        assertThat(add(batch(consumer, 0, 300, 300, true))).isEmpty();
        assertThat(coalescer.heldEvents()).isEqualTo(900);

        List<AggregateWrite> due = add(batch(consumer, 1, 300, 100, false));

        assertThat(due).singleElement().satisfies(write -> {
            assertThat(write.batches()).isEqualTo(4);
            assertThat(write.delta().events()).hasSize(1_000);
            // one delta per user for all four batches: what makes a backlog cheap to write
            assertThat(userTotals(write.delta())).containsOnlyKeys("user-0", "user-1", "user-2");
            assertThat(userTotals(write.delta()).values().stream().mapToLong(Long::longValue).sum()).isEqualTo(1_000);
            assertThat(write.commits().lastOffsets()).containsExactlyInAnyOrderEntriesOf(Map.of(P0, 599L, P1, 399L));
        });
        assertThat(coalescer.heldEvents()).isZero();
    }

    @Test
    void aFoldIsWrittenOnceItHoldsMaxEventsOrIsMaxDelayOld() {
        assertThat(add(batch(consumer, 0, 0, 600, true))).isEmpty();
        assertThat(add(batch(consumer, 0, 600, 400, true))).as("1,000 events: max-events").singleElement()
                .satisfies(write -> assertThat(write.delta().events()).hasSize(1_000));

        assertThat(add(batch(consumer, 0, 1_000, 10, true))).isEmpty();
        nanos.addAndGet(Duration.ofMillis(1_999).toNanos());
        assertThat(add(batch(consumer, 0, 1_010, 10, true))).isEmpty();
        nanos.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(add(batch(consumer, 0, 1_020, 10, true))).as("2 s after its first batch: max-delay").singleElement()
                .satisfies(write -> assertThat(write.batches()).isEqualTo(3));
    }

    @Test
    void aPartitionReadAgainFromAnEarlierOffsetHasTheHeldFoldWrittenFirst() {
        add(batch(consumer, 0, 0, 100, true));
        add(batch(consumer, 1, 0, 100, true));

        // the consumer got partition 0 back in a rebalance and reads it again from its last commit
        List<AggregateWrite> due = add(batch(consumer, 0, 40, 100, true));

        assertThat(due).singleElement().satisfies(write -> {
            assertThat(write.delta().events()).hasSize(200);
            assertThat(write.commits().lastOffsets()).containsExactlyInAnyOrderEntriesOf(Map.of(P0, 99L, P1, 99L));
        });
        assertThat(coalescer.heldEvents()).as("the re-read batch starts a new fold").isEqualTo(100);
    }

    @Test
    void aReplacedConsumerReadsAgainFromTheCommittedOffsetsSoTheOldFoldIsDropped() {
        add(batch(consumer, 0, 0, 100, true));
        MockConsumer<byte[], byte[]> reconnected = new MockConsumer<>(OffsetResetStrategy.EARLIEST);

        List<AggregateWrite> due = add(batch(reconnected, 0, 0, 100, false));

        assertThat(due).singleElement().satisfies(write -> {
            assertThat(write.delta().events()).as("only the new consumer's batch, never the same events twice").hasSize(100);
            assertThat(write.commits().consumer()).isSameAs(reconnected);
        });
    }

    @Test
    void eachConsumerOfTheRouteHasItsOwnFold() {
        add(batch(consumer, 0, 0, 100, true));
        MockConsumer<byte[], byte[]> other = new MockConsumer<>(OffsetResetStrategy.EARLIEST);

        List<AggregateWrite> otherConsumer = add(batch("interactions-Thread 1", other, 1, 0, 50, false));

        assertThat(otherConsumer).singleElement().satisfies(write -> assertThat(write.delta().events()).hasSize(50));
        assertThat(add(batch(consumer, 0, 100, 10, false))).singleElement()
                .satisfies(write -> assertThat(write.delta().events()).hasSize(110));
    }

    @Test
    void aFoldGoesOnWhenTheRouteGoesOnOnAnotherThread() throws Exception {
        // after a send to the dead-letter topic, routing may go on on the producer's thread
        add(batch(consumer, 0, 0, 100, true));

        List<AggregateWrite> due = CompletableFuture.supplyAsync(() -> add(batch(consumer, 0, 100, 10, false))).get();

        assertThat(due).singleElement().satisfies(write -> assertThat(write.delta().events()).hasSize(110));
        assertThat(coalescer.heldEvents()).isZero();
    }

    @Test
    void eventsOfPartitionsARebalanceTookAwayAreLeftToTheirNewOwner() {
        add(batch(consumer, 0, 0, 100, true));
        add(batch(consumer, 1, 0, 100, true));
        Consumed afterRebalance = batch(consumer, 0, 100, 10, false);
        KafkaBatch onlyP0 = KafkaBatch.of(List.of(new KafkaRecord(TOPIC, 0, 100, "user-1", new byte[0])),
                "interactions-Thread 0", afterRebalance.batch().commits(), false, Set.of(P0));

        List<AggregateWrite> due = coalescer.add(afterRebalance.delta(), onlyP0);

        assertThat(due).singleElement().satisfies(write -> {
            assertThat(write.delta().events()).as("partition 0's 110 events, none of partition 1's").hasSize(110)
                    .allMatch(event -> event.partition() == 0);
            assertThat(write.commits().lastOffsets()).containsExactly(Map.entry(P0, 109L));
        });
    }

    @Test
    void commitsOnlyThePartitionsTheConsumerStillOwns() {
        consumer.assign(List.of(P0));
        PartitionCommits commits = new PartitionCommits(consumer, Map.of(P0, 41L), 5_000)
                .plus(new PartitionCommits(consumer, Map.of(P0, 99L, P1, 7L), 5_000));

        coalescer.commit(new AggregateWrite(new BatchDelta(), commits, 2));

        assertThat(consumer.committed(Set.of(P0, P1)))
                .containsEntry(P0, new OffsetAndMetadata(100))
                .doesNotContainKey(P1);
    }
}
