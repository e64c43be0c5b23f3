package pulse.bench;

import org.apache.kafka.common.utils.Utils;
import org.bson.Document;
import pulse.aggregate.BatchDelta;
import pulse.aggregate.DocumentUsers;
import pulse.aggregate.Rollup;
import pulse.aggregate.Rollups;
import pulse.aggregate.SummaryDelta;
import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionTypes;
import pulse.pipeline.FoldedRecords;
import pulse.store.AggregateUpdates;
import pulse.store.AggregateUpserts;
import pulse.store.FoldUpserts;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Not a test: the CPU per event of the fold on the consumer thread, without Kafka or MongoDB. The benchmark's events
 * (10k users, 1k items, item Zipf 1.1, user Zipf 0.8, seed 42), keyed to 6 partitions by their user id as Kafka's
 * default partitioner does, are folded as the app folds them: in batches of {@code batch} records, each partition's
 * records into its own {@link BatchDelta} merged into the batch's ({@link FoldedRecords#merge}, what the route's
 * aggregation strategy does), batches merged into a write of {@code batches-per-write} batches (what the write
 * coalescer does while behind), then per write what the consumer thread does before and besides MongoDB: {@link
 * AggregateUpserts#start} (windows and lateness, every rollup's deltas, sorted), the unique users of every document
 * ({@link DocumentUsers}, keys included, not the sketches) and the summary's delta. Each round folds fresh copies of
 * the events' id strings, as the parser makes new ones for every record.
 *
 * <pre>
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -Xmx3g -XX:+UseParallelGC -cp target/classes:target/test-classes:$(cat /tmp/cp.txt) pulse.bench.FoldCost \
 *     [events=2000000] [batch=20000] [batches-per-write=25] [rounds=7] [fold: the folds and merges only]
 * </pre>
 */
public final class FoldCost {

    private static final int PARTITIONS = 6;

    private FoldCost() {
    }

    public static void main(String[] args) {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int batchesPerWrite = args.length > 2 ? Integer.parseInt(args[2]) : 25;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 7;
        // "fold" times only the folds and their merges (the look-ups by id), without the write's passes
        boolean writePasses = !(args.length > 4 && args[4].equals("fold"));

        List<InteractionEvent> generated = new ArrayList<>(events);
        // a fixed end, so that every run has the same windows (and checksum)
        new BenchEvents(events, 10_000, 1_000, 1.1, 0.8, 42, Instant.parse("2026-12-03T09:00:00Z")).forEach(generated::add);
        int[] partitionOf = new int[events];
        long[] offsetOf = new long[events];
        long[] next = new long[PARTITIONS];
        for (int i = 0; i < events; i++) {
            byte[] key = generated.get(i).userId().getBytes(StandardCharsets.UTF_8);
            partitionOf[i] = Utils.toPositive(Utils.murmur2(key)) % PARTITIONS;
            offsetOf[i] = next[partitionOf[i]]++;
        }

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Rollups rollups = Rollups.DEFAULT;
        AggregateUpserts upserts = new AggregateUpserts(rollups, InteractionTypes.DEFAULT, Duration.ofMinutes(5),
                Clock.systemUTC());
        double[] nsPerEvent = new double[rounds];
        long checksum = 0;
        for (int round = 0; round < rounds; round++) {
            List<ConsumedEvent> consumed = freshCopies(generated, partitionOf, offsetOf);
            System.gc();
            long cpuBefore = threads.getCurrentThreadCpuTime();
            long wallBefore = System.nanoTime();
            Document summary = null;
            BatchDelta write = null;
            int batchesInWrite = 0;
            long writePassesCpu = 0;
            for (int from = 0; from < events; from += batchSize) {
                BatchDelta batch = foldBatch(consumed.subList(from, Math.min(events, from + batchSize)), rollups);
                if (write == null) {
                    write = batch;
                } else {
                    write.merge(batch);
                }
                if (++batchesInWrite == batchesPerWrite || from + batchSize >= events) {
                    if (writePasses) {
                        long passesBefore = threads.getCurrentThreadCpuTime();
                        checksum += writeCost(write, upserts, summary);
                        writePassesCpu += threads.getCurrentThreadCpuTime() - passesBefore;
                        summary = summaryOf(write.streamTimes(), summary);
                    } else {
                        checksum += write.events().size() + write.deltas(Rollup.USERS).size() + write.deltas(Rollup.ITEMS).size();
                    }
                    write = null;
                    batchesInWrite = 0;
                }
            }
            long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
            long wall = System.nanoTime() - wallBefore;
            nsPerEvent[round] = cpu / (double) events;
            System.out.printf(Locale.ROOT, "round %d: %.0f ns/event CPU (the write's passes %.0f), %.0f ns/event wall%n",
                    round + 1, nsPerEvent[round], writePassesCpu / (double) events, wall / (double) events);
        }
        double[] measured = Arrays.copyOfRange(nsPerEvent, Math.min(2, rounds - 1), rounds); // the first two warm up
        Arrays.sort(measured);
        System.out.printf(Locale.ROOT, "%,d events in batches of %,d of %d partitions, %d batches per write: median"
                        + " %.0f ns/event CPU (min %.0f, max %.0f) over rounds 3-%d%s (checksum %d)%n", events, batchSize,
                PARTITIONS, batchesPerWrite, measured[measured.length / 2], measured[0],
                measured[measured.length - 1], rounds, writePasses ? "" : ", folds and merges only", checksum);
    }

    /** What the route does with a consumed batch: one fold per partition, merged into the first. */
    private static BatchDelta foldBatch(List<ConsumedEvent> records, Rollups rollups) {
        List<List<ConsumedEvent>> byPartition = new ArrayList<>(PARTITIONS);
        for (int p = 0; p < PARTITIONS; p++) {
            byPartition.add(new ArrayList<>());
        }
        for (ConsumedEvent record : records) {
            byPartition.get(record.partition()).add(record);
        }
        FoldedRecords folded = null;
        for (List<ConsumedEvent> partition : byPartition) {
            if (partition.isEmpty()) {
                continue;
            }
            BatchDelta delta = new BatchDelta(rollups);
            for (ConsumedEvent event : partition) {
                delta.add(event);
            }
            FoldedRecords fold = new FoldedRecords(delta, List.of());
            folded = folded == null ? fold : folded.merge(fold);
        }
        return folded.getDelta();
    }

    /** The consumer thread's work for a write, besides MongoDB's. */
    private static long writeCost(BatchDelta write, AggregateUpserts upserts, Document summary) {
        // the bulk writes' update models are the write's cost, left out
        FoldUpserts started = upserts.start(write, summary);
        long count = started.batch().deltas(Rollup.ITEM_WINDOWS).size();
        DocumentUsers.Users users = DocumentUsers.users(write);
        for (Rollup rollup : List.of(Rollup.ITEMS, Rollup.WINDOWS, Rollup.ITEM_WINDOWS)) {
            for (DocumentUsers document : DocumentUsers.of(write, rollup, users)) {
                count += document.keys().length;
            }
        }
        SummaryDelta delta = SummaryDelta.of(write, List.of(), List.of(), Map.of());
        return count + delta.events();
    }

    private static Document summaryOf(Map<Integer, Instant> streamTimes, Document previous) {
        Document times = previous == null ? new Document()
                : new Document(previous.get(AggregateUpdates.STREAM_TIME, Document.class));
        streamTimes.forEach((partition, time) -> times.put("p" + partition, Date.from(time)));
        return new Document(AggregateUpdates.STREAM_TIME, times);
    }

    /** The events with new id strings, as the parser makes them for every record. */
    private static List<ConsumedEvent> freshCopies(List<InteractionEvent> generated, int[] partitionOf, long[] offsetOf) {
        List<ConsumedEvent> copies = new ArrayList<>(generated.size());
        for (int i = 0; i < generated.size(); i++) {
            InteractionEvent event = generated.get(i);
            copies.add(new ConsumedEvent(new InteractionEvent(new String(event.eventId()), event.schemaVersion(),
                    new String(event.userId()), new String(event.itemId()), event.type(), event.timestamp()),
                    partitionOf[i], offsetOf[i]));
        }
        return copies;
    }
}
