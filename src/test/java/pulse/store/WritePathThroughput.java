package pulse.store;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.sun.management.OperatingSystemMXBean;
import de.bwaldvogel.mongo.MongoServer;
import pulse.aggregate.BatchDelta;
import pulse.aggregate.Rollups;
import pulse.aggregate.UniqueUsers;
import pulse.embedded.mongo.EmbeddedMongoBackend;
import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;
import pulse.event.InteractionTypes;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Random;

/**
 * Not a test: a manual harness for the CPU of the write path alone (client, driver, embedded server and its store,
 * all in this JVM), without the fold, the consumer or Camel: {@code writes} folds of {@code events} events shaped as
 * the benchmark's (10k users, Zipf-like 1k items, 10k events per second of event time, six partitions) are built
 * (not timed), then written as the {@code upsert-aggregates} route writes them: the rollups' guarded upserts
 * ({@link AggregateUpserts}, bulk writes as the route sends them), then the unique users sketches
 * ({@link UniqueUsersStore}). Prints the process CPU per event of each part over the later writes (the first ones
 * warm the JIT up).
 *
 * <pre>
 * mvn -q test-compile exec:java -Dexec.mainClass=pulse.store.WritePathThroughput -Dexec.classpathScope=test \
 *   -Dexec.args="500000 12"
 * </pre>
 */
public final class WritePathThroughput {

    private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().ordered(false);

    private WritePathThroughput() {
    }

    private static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        int writes = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        int warmup = writes / 3;
        Path dir = Files.createTempDirectory("write-path-throughput");
        MongoServer server = new MongoServer(new EmbeddedMongoBackend(dir.resolve("bench.mv").toString()));
        try (MongoClient client = MongoClients.create(server.bindAndGetConnectionString())) {
            MongoDatabase database = client.getDatabase("throughput");
            Clock clock = Clock.systemUTC();
            AggregateUpserts upserts = new AggregateUpserts(Rollups.DEFAULT, InteractionTypes.DEFAULT, Duration.ofMinutes(5), clock);
            UniqueUsersStore uniqueUsers = new UniqueUsersStore(database, Rollups.DEFAULT, new UniqueUsers(UniqueUsers.DEFAULT_LG_K), clock);
            InteractionType[] types = InteractionTypes.DEFAULT.all().toArray(new InteractionType[0]);
            Random random = new Random(1);
            Instant start = Instant.now().minusSeconds(events * (long) writes / 10_000 + 60);
            long offset = 0;
            long aggregateCpu = 0;
            long sketchCpu = 0;
            long measured = 0;
            for (int write = 0; write < writes; write++) {
                BatchDelta batch = new BatchDelta();
                for (int i = 0; i < events; i++) {
                    long n = offset++;
                    String user = "user-" + (int) Math.floor(Math.pow(random.nextDouble(), 1.8) * 10_000);
                    String item = "item-" + (int) Math.floor(Math.pow(random.nextDouble(), 3) * 1_000);
                    batch.add(new ConsumedEvent(new InteractionEvent(null, 1, user, item, types[random.nextInt(types.length)],
                            start.plusMillis(n / 10)), (int) (n % 6), n / 6));
                }
                long c0 = processCpuNanos();
                FoldUpserts fold = upserts.start(batch, null);
                while (upserts.hasBulkWrite(fold)) {
                    AggregateUpserts.BulkWrite bulk = upserts.nextBulkWrite(fold);
                    upserts.bulkWritten(fold, database.getCollection(bulk.collection()).bulkWrite(bulk.models(), UNORDERED));
                }
                long c1 = processCpuNanos();
                uniqueUsers.apply(batch);
                long c2 = processCpuNanos();
                System.out.printf(Locale.ROOT, "write %2d: aggregates %.2f us/event, unique users %.2f us/event (%d writes)%n",
                        write, (c1 - c0) / 1e3 / events, (c2 - c1) / 1e3 / events, fold.writes);
                if (write >= warmup) {
                    aggregateCpu += c1 - c0;
                    sketchCpu += c2 - c1;
                    measured += events;
                }
            }
            System.out.printf(Locale.ROOT, "writes %d..%d: aggregates %.3f us/event, unique users %.3f us/event, together %.3f%n",
                    warmup, writes - 1, aggregateCpu / 1e3 / measured, sketchCpu / 1e3 / measured,
                    (aggregateCpu + sketchCpu) / 1e3 / measured);
        } finally {
            server.shutdownNow();
        }
    }
}
