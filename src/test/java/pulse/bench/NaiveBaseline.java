package pulse.bench;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.dataformat.JsonLibrary;
import org.bson.Document;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The straightforward way to build the same thing, as a yardstick: a non-batching camel-kafka consumer with
 * auto-commit, each record unmarshalled with Jackson, then one upsert per user, item and window document and a
 * {@code $inc} of the summary, one event at a time (4 MongoDB round trips per event, no replay safety).
 */
final class NaiveBaseline {

    private static final UpdateOptions UPSERT = new UpdateOptions().upsert(true);

    record Result(long events, double seconds, double steadySeconds, boolean complete) {
        double rate() {
            return events / seconds;
        }

        double steadyRate() {
            return steadySeconds > 0 ? (events - 1) / steadySeconds : Double.NaN;
        }
    }

    private final String brokers;
    private final String mongoUri;

    NaiveBaseline(String brokers, String mongoUri) {
        this.brokers = brokers;
        this.mongoUri = mongoUri;
    }

    Result run(String topic, String database, long target, Duration timeout) throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicLong firstAt = new AtomicLong();
        AtomicLong lastAt = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(1);
        MongoClientSettings settings = MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(mongoUri))
                .writeConcern(WriteConcern.MAJORITY.withJournal(true)) // what the app asks for too
                .build();
        try (MongoClient client = MongoClients.create(settings)) {
            MongoDatabase db = client.getDatabase(database);
            MongoCollection<Document> users = db.getCollection("users");
            MongoCollection<Document> items = db.getCollection("items");
            MongoCollection<Document> windows = db.getCollection("windows");
            MongoCollection<Document> summary = db.getCollection("summary");

            CamelContext camel = new DefaultCamelContext();
            camel.getCamelContextExtension().setName("naive-baseline");
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("kafka:" + topic + "?brokers=" + brokers + "&groupId=" + database + "-group"
                            + "&autoOffsetReset=earliest&autoCommitEnable=true")
                            .routeId("naive-aggregation")
                            .unmarshal().json(JsonLibrary.Jackson, Map.class)
                            .process((Exchange exchange) -> {
                                if (done.get() >= target) {
                                    return; // only the first target events are measured
                                }
                                Map<?, ?> event = exchange.getMessage().getBody(Map.class);
                                String type = (String) event.get("interaction_type");
                                Instant timestamp = Instant.parse((String) event.get("timestamp"));
                                Date time = Date.from(timestamp);
                                Instant windowStart = timestamp.truncatedTo(ChronoUnit.MINUTES);
                                users.updateOne(Filters.eq("_id", event.get("user_id")), Updates.combine(
                                        Updates.inc("total", 1), Updates.inc("byType." + type, 1),
                                        Updates.min("firstSeen", time), Updates.max("lastSeen", time)), UPSERT);
                                items.updateOne(Filters.eq("_id", event.get("item_id")), Updates.combine(
                                        Updates.inc("total", 1), Updates.inc("byType." + type, 1),
                                        Updates.min("firstSeen", time), Updates.max("lastSeen", time)), UPSERT);
                                windows.updateOne(Filters.eq("_id", windowStart.toString()), Updates.combine(
                                        Updates.inc("total", 1), Updates.inc("byType." + type, 1),
                                        Updates.setOnInsert("windowStart", Date.from(windowStart)),
                                        Updates.setOnInsert("windowEnd", Date.from(windowStart.plusSeconds(60)))), UPSERT);
                                summary.updateOne(Filters.eq("_id", "global"), Updates.inc("events", 1), UPSERT);
                                long n = done.incrementAndGet();
                                if (n == 1) {
                                    firstAt.set(System.nanoTime());
                                }
                                if (n == target) {
                                    lastAt.set(System.nanoTime());
                                    finished.countDown();
                                }
                            });
                }
            });
            long start = System.nanoTime();
            camel.start();
            try {
                long deadline = start + timeout.toNanos();
                long lastReport = start;
                long lastCount = 0;
                while (!finished.await(1, TimeUnit.SECONDS)) {
                    long now = System.nanoTime();
                    if (now - lastReport >= 5_000_000_000L) {
                        long n = done.get();
                        Benchmark.say("[naive] %,d / %,d events, %,.0f events/s over the last %.0f s, elapsed %.0f s",
                                n, target, (n - lastCount) * 1e9 / (now - lastReport), (now - lastReport) / 1e9,
                                (now - start) / 1e9);
                        lastReport = now;
                        lastCount = n;
                    }
                    if (now > deadline) {
                        break;
                    }
                }
                boolean complete = finished.getCount() == 0;
                long end = complete ? lastAt.get() : System.nanoTime();
                long events = complete ? target : done.get();
                double steady = firstAt.get() == 0 ? 0 : (end - firstAt.get()) / 1e9;
                return new Result(events, (end - start) / 1e9, steady, complete);
            } finally {
                camel.stop();
            }
        }
    }
}
