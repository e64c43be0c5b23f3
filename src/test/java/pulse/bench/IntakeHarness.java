package pulse.bench;

import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualSyncCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import pulse.event.EventJson;
import pulse.event.EventParser;
import pulse.event.InteractionEvent;
import pulse.event.InvalidEventException;
import pulse.event.ValidationOptions;
import pulse.kafka.KafkaBatch;
import pulse.kafka.KafkaRecord;
import pulse.pipeline.RecordValidator;

import java.lang.ref.Reference;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.stream.StreamSupport;

/**
 * What the consumer thread spends per record from camel-kafka's batch to the parsed event: {@link KafkaBatch#read}
 * over a batch built the way camel-kafka 4.18's batching consumer builds it, then the app's {@link RecordValidator}
 * over the records read. Each batch is built right before it is read, in camel-kafka's allocation order: first the
 * poll's {@code ConsumerRecord}s (value, key, headers), then per record an exchange with the eight headers
 * {@code KafkaRecordProcessor.setupExchangeMessage} sets (same order, same boxed types, in the HashMap of
 * {@code camel.main.case-insensitive-headers = false}), the record-header stream {@code propagateHeaders} runs and the
 * manual commit, queued in an {@code ArrayBlockingQueue} and handed over as a list: so the read meets the records
 * where the app meets them, tens of MB of allocation back. Records: the benchmark's events (seed 42, 10k users, 1k
 * items, Zipf 1.1), batches of 20k over 3 partitions (one of the two consumers' share of 6). Every parsed event is
 * checked against the event it was written from, outside the timing.
 *
 * <pre>flock /tmp/bench.lock java -XX:+UseParallelGC -cp target/test-classes:target/classes:$(cat cp.txt) \
 *     pulse.bench.IntakeHarness 2000000 5</pre>
 */
public final class IntakeHarness {

    private static final String TOPIC = "interactions";
    private static final int BATCH = 20_000;
    private static final int PARTITIONS = 3;

    private IntakeHarness() {
    }

    public static void main(String[] args) throws InvalidEventException {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        count -= count % BATCH;

        InteractionEvent[] expected = new InteractionEvent[count];
        byte[][] values = new byte[count][];
        int n = 0;
        for (InteractionEvent event : new BenchEvents(count, 10_000, 1_000, 1.1, 0.8, 42, Instant.now())) {
            expected[n] = event;
            values[n] = EventJson.toBytes(event);
            n++;
        }
        DefaultCamelContext camel = new DefaultCamelContext();
        camel.setCaseInsensitiveHeaders(false); // as application.properties sets it
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST);
        TopicPartition[] partitions = new TopicPartition[PARTITIONS];
        for (int p = 0; p < PARTITIONS; p++) {
            partitions[p] = new TopicPartition(TOPIC, p);
        }
        consumer.assign(Arrays.asList(partitions));
        RecordValidator validator = new RecordValidator(new EventParser(ValidationOptions.defaults(), Clock.systemUTC()));
        InteractionEvent[] parsed = new InteractionEvent[BATCH];

        long[] readNanos = new long[passes];
        long[] parseNanos = new long[passes];
        for (int pass = -2; pass < passes; pass++) { // two passes of warm-up
            long read = 0;
            long parse = 0;
            for (int from = 0; from < count; from += BATCH) {
                List<Exchange> batch = camelKafkaBatch(camel, consumer, partitions, values, from, from / BATCH);
                long start = System.nanoTime();
                KafkaBatch kafkaBatch = KafkaBatch.read(batch, BATCH);
                long readDone = System.nanoTime();
                int r = 0;
                for (List<KafkaRecord> records : kafkaBatch.getPartitions()) {
                    for (KafkaRecord record : records) {
                        parsed[r++] = validator.validate(record).event();
                    }
                }
                long parseDone = System.nanoTime();
                // camel-kafka keeps the batch's exchanges (its queue, the batch exchange's body) until the route is
                // done with the batch: so must the harness, or a GC during the validation finds them garbage here only
                Reference.reachabilityFence(batch);
                read += readDone - start;
                parse += parseDone - readDone;
                check(kafkaBatch, parsed, expected, from);
            }
            if (pass >= 0) {
                readNanos[pass] = read;
                parseNanos[pass] = parse;
            }
        }
        Arrays.sort(readNanos);
        Arrays.sort(parseNanos);
        System.out.printf("%,d records x %d passes: KafkaBatch.read best %.1f median %.1f ns/record;"
                        + " validate after it best %.1f median %.1f ns/record%n", count, passes,
                (double) readNanos[0] / count, (double) readNanos[passes / 2] / count,
                (double) parseNanos[0] / count, (double) parseNanos[passes / 2] / count);
    }

    /**
     * One batch as camel-kafka hands it over: records {@code from..from+BATCH} of the events, in runs per partition
     * (a poll returns each partition's records together), each partition's offsets continuing where the last batch's
     * ended.
     */
    private static List<Exchange> camelKafkaBatch(DefaultCamelContext camel, MockConsumer<byte[], byte[]> consumer,
                                                  TopicPartition[] partitions, byte[][] values, int from, int batchNo) {
        int perPartition = BATCH / PARTITIONS;
        List<ConsumerRecord<Object, Object>> polled = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            int event = from + i;
            int partition = Math.min(i / perPartition, PARTITIONS - 1);
            long offset = (long) batchNo * perPartition + i - partition * perPartition;
            String key = "user-" + (event % 10_000);
            polled.add(new ConsumerRecord<>(TOPIC, partition, offset, 1_700_000_000_000L + event,
                    TimestampType.CREATE_TIME, key.length(), values[event].length, key, values[event],
                    new RecordHeaders(), Optional.empty()));
        }
        ArrayBlockingQueue<Exchange> exchanges = new ArrayBlockingQueue<>(BATCH);
        for (ConsumerRecord<Object, Object> record : polled) {
            Exchange exchange = new DefaultExchange(camel);
            var message = exchange.getMessage();
            message.setHeader(KafkaConstants.PARTITION, record.partition());
            message.setHeader(KafkaConstants.TOPIC, record.topic());
            message.setHeader(KafkaConstants.OFFSET, record.offset());
            message.setHeader(KafkaConstants.HEADERS, record.headers());
            message.setHeader(KafkaConstants.TIMESTAMP, record.timestamp());
            message.setHeader(Exchange.MESSAGE_TIMESTAMP, record.timestamp());
            if (record.key() != null) {
                message.setHeader(KafkaConstants.KEY, record.key());
            }
            message.setBody(record.value());
            // propagateHeaders: the record's headers streamed through the filter (RecordHeadersLeftOut drops all)
            StreamSupport.stream(record.headers().spliterator(), false).filter(header -> false)
                    .forEach(header -> message.setHeader(header.key(), header.value()));
            TopicPartition partition = partitions[record.partition()];
            message.setHeader(KafkaConstants.MANUAL_COMMIT, new DefaultKafkaManualSyncCommit(
                    new KafkaManualCommitFactory.CamelExchangePayload(exchange, consumer, "intake-Thread 0", null),
                    new KafkaManualCommitFactory.KafkaRecordPayload(partition, record.offset(), 5_000), null));
            exchanges.add(exchange);
        }
        return exchanges.stream().toList();
    }

    private static void check(KafkaBatch batch, InteractionEvent[] parsed, InteractionEvent[] expected, int from) {
        int r = 0;
        for (List<KafkaRecord> records : batch.getPartitions()) {
            for (KafkaRecord record : records) {
                if (!parsed[r].equals(expected[from + r])) {
                    throw new IllegalStateException("record " + (from + r) + " parsed as " + parsed[r]
                            + ", written from " + expected[from + r]);
                }
                if (!record.key().equals("user-" + ((from + r) % 10_000))
                        || record.timestamp() != 1_700_000_000_000L + from + r) {
                    throw new IllegalStateException("record " + (from + r) + " read as " + record);
                }
                r++;
            }
        }
        if (r != BATCH) {
            throw new IllegalStateException(r + " records read of " + BATCH);
        }
        Map<TopicPartition, Long> last = batch.commits().lastOffsets();
        if (last.size() != PARTITIONS) {
            throw new IllegalStateException("commits " + last);
        }
    }
}
