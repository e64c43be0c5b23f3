package pulse.embedded.mongo;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.WriteModel;
import com.sun.management.OperatingSystemMXBean;
import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import org.bson.Document;
import org.h2.mvstore.MVStore;
import pulse.aggregate.DocumentDelta;
import pulse.aggregate.Rollup;
import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;
import pulse.event.InteractionTypes;
import pulse.store.AggregateUpdates;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Not a test: a manual throughput harness for the embedded server's guarded upserts, in the app's exact shapes
 * ({@link AggregateUpdates#upsert}). Each round updates {@code touched} of the {@code ids} documents (all by default;
 * a random few, as a live batch does, when fewer), in one bulk write. Prints upserts/s per round and the median of
 * the later rounds.
 *
 * <pre>
 * mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp target/classes:target/test-classes:$(cat /tmp/cp.txt) pulse.embedded.mongo.UpsertThroughput [users|new-users|windows] [file|memory|upstream]  [rounds] [ids] [touched]
 * </pre>
 */
public final class UpsertThroughput {

    private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().ordered(false);

    private UpsertThroughput() {
    }

    /** CPU time of this JVM so far (client, server and store threads): less noisy than a rate on a shared machine. */
    private static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    public static void main(String[] args) throws Exception {
        String shape = args.length > 0 ? args[0] : "users";
        String store = args.length > 1 ? args[1] : "file";
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int ids = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
        int touched = args.length > 4 ? Integer.parseInt(args[4]) : ids;
        Random random = new Random(42);
        Rollup rollup = shape.equals("windows") ? Rollup.ITEM_WINDOWS : Rollup.USERS;
        boolean fresh = shape.equals("new-users"); // every upsert inserts a document
        Path dir = Files.createTempDirectory("upsert-throughput");
        MongoBackend backend = switch (store) {
            case "memory" -> new EmbeddedMongoBackend(null);
            case "upstream" -> new H2Backend(MVStore.open(null));
            default -> new EmbeddedMongoBackend(dir.resolve("bench.mv").toString());
        };
        MongoServer server = new MongoServer(backend);
        List<Double> rates = new ArrayList<>();
        int firstMeasured = Math.min(5, rounds - 1); // the rounds before warm the JIT up
        long laterCpuStart = 0;
        try (MongoClient client = MongoClients.create(server.bindAndGetConnectionString())) {
            MongoCollection<Document> collection = client.getDatabase("bench").getCollection(rollup.collection());
            Instant start = Instant.parse("2024-01-01T00:00:00Z");
            long offset = 0;
            for (int round = 0; round < rounds; round++) {
                if (round == firstMeasured) {
                    laterCpuStart = processCpuNanos();
                }
                List<WriteModel<Document>> models = new ArrayList<>(touched);
                List<Integer> chosen = new ArrayList<>();
                for (int i = 0; i < ids; i++) {
                    chosen.add(i);
                }
                if (touched < ids) {
                    Collections.shuffle(chosen, random);
                }
                for (int i : chosen.subList(0, touched)) {
                    int n = fresh ? round * ids + i : i;
                    String id = rollup.isWindowed() ? "2024-01-01T00:00/item-" + n : "user-" + n;
                    DocumentDelta delta = new DocumentDelta(id);
                    InteractionType type = InteractionTypes.DEFAULT.all().get((i + round) % 3);
                    Instant at = start.plusMillis(round * 1000L + i % 1000);
                    delta.add(new ConsumedEvent(new InteractionEvent("e" + offset, 1, "user-" + i, "item-" + i, type, at),
                            i % 6, offset++));
                    models.add(AggregateUpdates.upsert(rollup, delta, InteractionTypes.DEFAULT));
                }
                long t0 = System.nanoTime();
                int errors = 0;
                try {
                    collection.bulkWrite(models, UNORDERED);
                } catch (MongoBulkWriteException e) {
                    errors = e.getWriteErrors().size();
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                double rate = touched / seconds;
                rates.add(rate);
                System.out.printf(Locale.ROOT, "round %2d: %8.0f upserts/s (%d errors)%n", round, rate, errors);
            }
        } finally {
            server.shutdown();
        }
        List<Double> later = new ArrayList<>(rates.subList(firstMeasured, rates.size()));
        later.sort(null);
        int measured = rounds - firstMeasured;
        System.out.printf(Locale.ROOT, "%s/%s: median of rounds %d..%d: %.0f upserts/s; CPU of this JVM in those rounds:"
                + " %.1f us per upsert%n", shape, store, firstMeasured, rounds - 1, later.get(later.size() / 2),
                (processCpuNanos() - laterCpuStart) / 1e3 / ((long) measured * touched));
    }
}
