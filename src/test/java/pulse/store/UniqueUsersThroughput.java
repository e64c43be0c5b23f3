package pulse.store;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import pulse.aggregate.BatchDelta;
import pulse.aggregate.Rollups;
import pulse.aggregate.UniqueUsers;
import pulse.embedded.mongo.EmbeddedMongoBackend;
import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;
import pulse.event.InteractionTypes;
import routes.UpsertAggregatesRoute;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.Random;

/**
 * What keeping unique users costs per write on the embedded MongoDB server: writes of {@code events} generated events
 * (10k users, 1k items, 3 minutes) through the {@code upsert-aggregates} route with and without unique users.
 * {@code mvn -q test-compile exec:java -Dexec.mainClass=pulse.store.UniqueUsersThroughput -Dexec.classpathScope=test}
 */
public final class UniqueUsersThroughput {

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int writes = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        Path dir = Files.createTempDirectory("unique-users-throughput");
        MongoServer server = new MongoServer(new EmbeddedMongoBackend(dir.resolve("bench.mv").toString()));
        try (MongoClient client = MongoClients.create(server.bindAndGetConnectionString())) {
            for (boolean on : new boolean[] {false, true, false, true, false, true}) {
                MongoDatabase database = client.getDatabase("throughput-" + on + "-" + System.nanoTime());
                UniqueUsersStore uniqueUsers = new UniqueUsersStore(database, Rollups.DEFAULT,
                        new UniqueUsers(UniqueUsers.DEFAULT_LG_K), Clock.systemUTC());
                CamelContext context = new DefaultCamelContext();
                context.getRegistry().bind("pulseMongo", client);
                context.getRegistry().bind("uniqueUsersStore", uniqueUsers);
                context.getRegistry().bind("aggregateUpserts", new AggregateUpserts(Rollups.DEFAULT,
                        InteractionTypes.DEFAULT, Duration.ofMinutes(5), Clock.systemUTC()));
                Properties properties = new Properties();
                properties.setProperty("mongodb.database", database.getName());
                properties.setProperty("analytics.unique-users.enabled", String.valueOf(on));
                properties.setProperty("analytics.sessions.enabled", "false");
                properties.setProperty("aggregation.retry.initial-delay-ms", "100");
                properties.setProperty("aggregation.retry.max-delay-ms", "1000");
                context.getPropertiesComponent().setInitialProperties(properties);
                context.addRoutes(new UpsertAggregatesRoute());
                context.start();
                ProducerTemplate store = context.createProducerTemplate();
                Random random = new Random(1);
                long offset = 0;
                long total = 0;
                long cpu = 0;
                long sketchNanos = 0;
                Instant start = Instant.now().minusSeconds(180);
                for (int write = 0; write < writes; write++) {
                    BatchDelta batch = new BatchDelta();
                    for (int i = 0; i < events; i++) {
                        batch.add(new ConsumedEvent(new InteractionEvent(null, 1, "user-" + random.nextInt(10_000),
                                "item-" + (int) Math.floor(Math.pow(random.nextDouble(), 3) * 1000), InteractionType.VIEW,
                                start.plusMillis(random.nextInt(180_000))), 0, offset++));
                    }
                    long c0 = processCpuNanos();
                    long t0 = System.nanoTime();
                    store.requestBody("direct:upsert-aggregates", batch);
                    long t1 = System.nanoTime();
                    cpu += processCpuNanos() - c0;
                    total += t1 - t0;
                    if (on) { // what the sketches alone cost again (a replay: read, compare, nothing to write)
                        uniqueUsers.apply(batch);
                        sketchNanos += System.nanoTime() - t1;
                    }
                }
                System.out.printf("unique users %s: %.1f ms per write of %d events, %.1f ms of CPU (this JVM: the store and"
                                + " the MongoDB server); a replay of the sketches alone %.1f ms%n",
                        on ? "on " : "off", total / 1e6 / writes, events, cpu / 1e6 / writes, sketchNanos / 1e6 / writes);
                context.stop();
            }
        } finally {
            server.shutdownNow();
        }
    }
}
