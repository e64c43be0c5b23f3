package pulse.kafka;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import pulse.testsupport.CamelKafkaRecords;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaBatchTest {

    private static final String TOPIC = "interactions";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    private final DefaultCamelContext camel = new DefaultCamelContext();
    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST);

    @BeforeEach
    void assignBothPartitions() {
        consumer.assign(List.of(P0, P1));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    }

    private final CamelKafkaRecords camelKafka = new CamelKafkaRecords(camel, consumer, "interactions-Thread 0");

    /** A record as camel-kafka hands it to the route: headers, bytes and its manual commit. */
    private Exchange record(int partition, long offset) {
        return camelKafka.record(TOPIC, partition, offset, "user-" + offset, new byte[0]);
    }

    private List<Exchange> records(int partition, long from, long to) {
        List<Exchange> records = new ArrayList<>();
        for (long offset = from; offset <= to; offset++) {
            records.add(record(partition, offset));
        }
        return records;
    }

    private void positionAndEnd(TopicPartition partition, long position, long end) {
        consumer.updateEndOffsets(Map.of(partition, end));
        consumer.seek(partition, position);
    }

    @Test
    void groupsRecordsByPartitionWithWhatCommittingTakes() {
        List<Exchange> exchanges = new ArrayList<>(records(0, 10, 12));
        exchanges.addAll(records(1, 5, 6));
        exchanges.add(record(0, 13));

        KafkaBatch batch = KafkaBatch.read(exchanges, 100);

        assertThat(batch.getPartitions()).extracting(List::size).containsExactly(4, 2);
        assertThat(batch.firstOffsets()).containsExactly(Map.entry(P0, 10L), Map.entry(P1, 5L));
        assertThat(batch.commits().lastOffsets()).containsExactly(Map.entry(P0, 13L), Map.entry(P1, 6L));
        assertThat(batch.commits().consumer()).isSameAs(consumer);
        assertThat(batch.consumerId()).isEqualTo("interactions-Thread 0");
        assertThat(batch.assignment()).containsExactlyInAnyOrder(P0, P1);
    }

    @Test
    void aPartitionReadAgainWithinTheBatchKeepsOnlyTheNewReading() {
        // records polled before a rebalance reset the partition's position stay in camel-kafka's batch
        List<Exchange> exchanges = new ArrayList<>(records(0, 651, 653));
        exchanges.addAll(records(1, 5, 6));
        exchanges.addAll(records(0, 500, 501));

        KafkaBatch batch = KafkaBatch.read(exchanges, 100);

        assertThat(batch.getPartitions()).flatExtracting(records -> records).extracting(KafkaRecord::offset)
                .containsExactly(500L, 501L, 5L, 6L);
        assertThat(batch.commits().lastOffsets()).containsEntry(P0, 501L);
    }

    @Test
    void eachRecordKeepsTheKeyTimestampAndHeadersCamelKafkaSetForIt() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8));
        headers.add("ce_specversion", "1.1".getBytes(StandardCharsets.UTF_8));
        byte[] value = {'{', '}'};
        List<Exchange> exchanges = List.of(
                camelKafka.record(TOPIC, 0, 7, "user-7", value, 1_796_176_800_123L, headers),
                camelKafka.record(TOPIC, 1, 3, null, value, 1_796_176_800_456L, new RecordHeaders()));

        List<KafkaRecord> records = KafkaBatch.read(exchanges, 100).getPartitions().stream()
                .flatMap(List::stream).toList();

        assertThat(records).containsExactly(
                new KafkaRecord(TOPIC, 0, 7, "user-7", value, 1_796_176_800_123L, headers),
                new KafkaRecord(TOPIC, 1, 3, null, value, 1_796_176_800_456L, new RecordHeaders()));
        assertThat(records.get(0).header("ce_specversion")).asString(StandardCharsets.UTF_8).isEqualTo("1.1");
        assertThat(records.get(1).header("ce_specversion")).isNull();
    }

    @Test
    void aRecordWithoutTimestampOrHeadersReadsAsNone() {
        KafkaRecord record = KafkaBatch.read(List.of(record(0, 1)), 100).getPartitions().iterator().next().get(0);

        assertThat(record.timestamp()).isEqualTo(-1);
        assertThat(record.headers()).isNull();
        assertThat(record.header("ce_specversion")).isNull();
        assertThat(record.key()).isEqualTo("user-1");
    }

    @Test
    void aBacklogLiesAheadOfAFullBatchWithLagOrOfAnyBatchWithAFullBatchOfLag() {
        positionAndEnd(P0, 3, 5);
        positionAndEnd(P1, 0, 1);
        assertThat(KafkaBatch.read(records(0, 0, 2), 3).backlogAhead()).as("full, lag").isTrue();
        assertThat(KafkaBatch.read(records(0, 0, 2), 4).backlogAhead()).as("cut by the interval, 3 behind").isFalse();
        assertThat(KafkaBatch.read(records(0, 0, 2), 5).backlogAhead()).as("cut by the interval, 3 behind").isFalse();

        // after a slow write camel-kafka cuts the next batch by the interval however far behind the consumer is
        positionAndEnd(P0, 3, 1_000);
        assertThat(KafkaBatch.read(records(0, 0, 2), 4).backlogAhead()).as("cut by the interval, 998 behind").isTrue();

        positionAndEnd(P0, 3, 3);
        positionAndEnd(P1, 0, 0);
        assertThat(KafkaBatch.read(records(0, 0, 2), 3).backlogAhead()).as("full, no lag").isFalse();
    }
}
