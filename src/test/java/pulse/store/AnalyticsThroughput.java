package pulse.store;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import pulse.PulseConfiguration;
import pulse.aggregate.BatchDelta;
import pulse.aggregate.Rollup;
import pulse.aggregate.Rollups;
import pulse.aggregate.UniqueUsers;
import pulse.config.Settings;
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
import java.util.List;
import java.util.Properties;
import java.util.Random;

/**
 * What each analytics feature costs per write through the {@code upsert-aggregates} route on the embedded MongoDB
 * server: {@code writes} writes of {@code events} generated events each (10k users, 1k items, three types, 3 minutes),
 * with every feature off, each one on alone, and all on; each variant twice, alternating, on a fresh database.
 * {@code mvn -q test-compile exec:java -Dexec.mainClass=pulse.store.AnalyticsThroughput -Dexec.classpathScope=test
 * -Dexec.args="200000 4"}; a third argument picks the variants, e.g. {@code none,unique-users}
 */
public final class AnalyticsThroughput {

    private static final List<String> FEATURES = List.of("unique-users", "sessions", "funnels");

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int writes = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        List<String> variants = args.length > 2 ? List.of(args[2].split(","))
                : List.of("none", "unique-users", "sessions", "funnels", "all");
        Path dir = Files.createTempDirectory("analytics-throughput");
        MongoServer server = new MongoServer(new EmbeddedMongoBackend(dir.resolve("bench.mv").toString()));
        try (MongoClient client = MongoClients.create(server.bindAndGetConnectionString())) {
            for (int round = 0; round < 2; round++) {
                for (String variant : variants) {
                    run(client, variant, events, writes);
                }
            }
        } finally {
            server.shutdownNow();
        }
    }

    private static void run(MongoClient client, String variant, int events, int writes) throws Exception {
        MongoDatabase database = client.getDatabase("throughput-" + variant + "-" + System.nanoTime());
        CamelContext context = new DefaultCamelContext();
        context.getRegistry().bind("pulseMongo", client);
        context.getRegistry().bind("uniqueUsersStore", new UniqueUsersStore(database, Rollups.DEFAULT,
                new UniqueUsers(UniqueUsers.DEFAULT_LG_K), Clock.systemUTC()));
        context.getRegistry().bind("sessionStore", new SessionStore(database, Rollup.WINDOWS, Duration.ofMinutes(30),
                Duration.ofMinutes(5), Duration.ofDays(7)));
        context.getRegistry().bind("funnelStore", new FunnelStore(database, Rollup.WINDOWS,
                List.of("view", "click", "purchase"), Duration.ofHours(1), Duration.ofDays(7)));
        context.getRegistry().bind("aggregateUpserts", new AggregateUpserts(Rollups.DEFAULT,
                InteractionTypes.DEFAULT, Duration.ofMinutes(5), Clock.systemUTC()));
        Properties properties = new Properties();
        properties.setProperty("mongodb.database", database.getName());
        for (String feature : FEATURES) {
            properties.setProperty("analytics." + feature + ".enabled",
                    String.valueOf(variant.equals("all") || variant.equals(feature)));
        }
        properties.setProperty("aggregation.retry.initial-delay-ms", "100");
        properties.setProperty("aggregation.retry.max-delay-ms", "1000");
        context.getPropertiesComponent().setInitialProperties(properties);
        context.getRegistry().bind("retryWithBackoff",
                PulseConfiguration.retryWithBackoff(new Settings(context.getPropertiesComponent()::resolveProperty)));
        context.addRoutes(new UpsertAggregatesRoute());
        context.start();
        ProducerTemplate store = context.createProducerTemplate();
        InteractionType[] types = InteractionTypes.DEFAULT.all().toArray(new InteractionType[0]);
        Random random = new Random(1);
        long offset = 0;
        long total = 0;
        long cpu = 0;
        Instant start = Instant.now().minusSeconds(180);
        long elapsed = 0;
        for (int write = 0; write < writes; write++) {
            BatchDelta batch = new BatchDelta();
            for (int i = 0; i < events; i++) {
                // time moves forward through the writes, out of order within 10 s, as a consumer reads a stream
                elapsed += 1;
                batch.add(new ConsumedEvent(new InteractionEvent(null, 1, "user-" + random.nextInt(10_000),
                        "item-" + (int) Math.floor(Math.pow(random.nextDouble(), 3) * 1000), types[random.nextInt(types.length)],
                        start.plusMillis(elapsed * 180_000L / ((long) events * writes) - random.nextInt(10_000))), 0, offset++));
            }
            long c0 = processCpuNanos();
            long t0 = System.nanoTime();
            store.requestBody("direct:upsert-aggregates", batch);
            total += System.nanoTime() - t0;
            cpu += processCpuNanos() - c0;
        }
        System.out.printf("%-13s %8.1f ms per write of %d events, %8.1f ms of CPU (this JVM: the route and the MongoDB"
                + " server)%n", variant, total / 1e6 / writes, events, cpu / 1e6 / writes);
        context.stop();
    }
}
