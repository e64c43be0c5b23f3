package pulse.embedded.mongo;

import com.mongodb.ConnectionString;
import com.mongodb.ErrorCategory;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import org.apache.camel.health.HealthCheck;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.bson.Document;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pulse.health.MongoHealthCheck;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The embedded backend's {@code _id} index answers like mongo-java-server's own for every kind of key, and opens
 * data files written before it changed how index keys are stored. A store that H2 closed by itself is reported once
 * and makes the app's MongoDB health check DOWN.
 */
class EmbeddedMongoBackendIT {

    private static final ObjectId OBJECT_ID = new ObjectId("65f0c0ffee0000000000beef");
    private static final Document DOCUMENT_ID = new Document("user", "u1").append("window", 3);

    @TempDir
    Path dir;

    @Test
    void keysOfEveryTypeAreUniqueAndFoundAcrossARestart() {
        Path file = dir.resolve("keys.mv");
        withServer(new EmbeddedMongoBackend(file.toString()), collection -> {
            insertOneOfEveryKeyType(collection);
            assertKeys(collection);
        });
        withServer(new EmbeddedMongoBackend(file.toString()), EmbeddedMongoBackendIT::assertKeys);
    }

    @Test
    void guardedUpsertsUpdateInsertOrAnswerDuplicateKey() {
        withServer(new EmbeddedMongoBackend(null), collection -> {
            for (Object id : List.of("a", 1)) {
                upsert(collection, id, 5); // inserts
                upsert(collection, id, 7); // the guard matches: updates
                assertThat(collection.find(Filters.eq("_id", id)).first()).containsEntry("n", 2).containsEntry("last", 7L);
                assertDuplicateKey(() -> upsert(collection, id, 6)); // already holds 7: the guard does not match
                assertThat(collection.find(Filters.eq("_id", id)).first()).containsEntry("n", 2);
            }
            assertThat(collection.countDocuments()).isEqualTo(2);
        });
    }

    @Test
    void opensAFileWrittenWithUpstreamIndexes() {
        Path file = dir.resolve("upstream.mv");
        withServer(new H2Backend(file.toString()), collection -> {
            insertOneOfEveryKeyType(collection);
        });
        withServer(new EmbeddedMongoBackend(file.toString()), collection -> {
            assertKeys(collection);
            upsert(collection, "a", 1);
            upsert(collection, "new", 1);
        });
        withServer(new EmbeddedMongoBackend(file.toString()), collection -> {
            assertKeys(collection);
            assertThat(collection.find(Filters.eq("_id", "a")).first()).containsEntry("n", 1);
            assertThat(collection.countDocuments()).isEqualTo(9);
        });
    }

    /**
     * H2 gives its store up for good when it fails to write it (MVStore.panic, e.g. on OutOfMemoryError while
     * serialising pages, which the benchmark's memory run hit in H2's background writer): here panic called as that
     * writer calls it. Every later command
     * fails with the message that the app must be restarted, logged once; the health check over a real driver goes
     * DOWN with that message; what was acknowledged before is in the file, nothing after.
     */
    @Test
    void aStoreThatClosedItselfIsReportedOnceAndTheHealthCheckIsDown() {
        Path file = dir.resolve("closing.mv");
        EmbeddedMongoBackend backend = new EmbeddedMongoBackend(file.toString());
        MongoServer server = new MongoServer(backend);
        List<LogEvent> errors = new CopyOnWriteArrayList<>();
        AbstractAppender appender = new AbstractAppender("closed-store", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                if (event.getLevel().isMoreSpecificThan(Level.ERROR)) {
                    errors.add(event.toImmutable());
                }
            }
        };
        appender.start();
        org.apache.logging.log4j.core.Logger logger =
                (org.apache.logging.log4j.core.Logger) LogManager.getLogger(EmbeddedMongoBackend.class);
        logger.addAppender(appender);
        MongoClientSettings settings = MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(server.bindAndGetConnectionString()))
                .applyToClusterSettings(cluster -> cluster.serverSelectionTimeout(2, TimeUnit.SECONDS))
                .applyToServerSettings(monitor -> monitor.heartbeatFrequency(500, TimeUnit.MILLISECONDS))
                .build();
        try (MongoClient client = MongoClients.create(settings)) {
            MongoCollection<Document> collection = client.getDatabase("test").getCollection("docs");
            collection.insertOne(new Document("_id", "before"));
            MongoHealthCheck health = new MongoHealthCheck(client);
            await("health UP").atMost(Duration.ofSeconds(10))
                    .until(() -> health.call(Map.of()).getState() == HealthCheck.State.UP);
            assertThat(backend.storeClosedItself()).isFalse();

            MVStore store = backend.getMvStore();
            assertThatThrownBy(() -> store.panic(DataUtils.newMVStoreException(DataUtils.ERROR_WRITING_FAILED,
                    "simulated: {0}", "java.lang.OutOfMemoryError: Capacity"))).isInstanceOf(MVStoreException.class);

            assertThat(backend.storeClosedItself()).isTrue();
            for (String id : List.of("after-1", "after-2")) {
                assertThatThrownBy(() -> collection.insertOne(new Document("_id", id)))
                        .hasMessageContaining("has closed itself").hasMessageContaining("Restart the app");
            }
            assertThatThrownBy(() -> collection.find(Filters.eq("_id", "before")).first())
                    .hasMessageContaining("has closed itself");
            await("health DOWN").atMost(Duration.ofSeconds(10))
                    .until(() -> health.call(Map.of()).getState() == HealthCheck.State.DOWN);
            assertThat(health.call(Map.of()).getMessage()).hasValueSatisfying(message -> assertThat(message)
                    .contains("No writable MongoDB server").contains("has closed itself").contains("Restart the app"));
            assertThat(errors).as("ERROR lines of the backend").hasSize(1);
            assertThat(errors.get(0).getMessage().getFormattedMessage())
                    .contains("The embedded MongoDB store (" + file + ") has closed itself")
                    .contains("with a larger heap (-Xmx) or with mongodb.uri set to an external MongoDB")
                    .contains("H2: org.h2.mvstore.MVStoreException: simulated: java.lang.OutOfMemoryError: Capacity");
        } finally {
            logger.removeAppender(appender);
            server.shutdown();
        }
        withServer(new EmbeddedMongoBackend(file.toString()), "docs",
                collection -> assertThat(ids(collection, Filters.empty())).containsExactly("before"));
    }

    private static void insertOneOfEveryKeyType(MongoCollection<Document> collection) {
        for (Object id : List.of("a", "b", "item-7", 1, 2L, 2.5, DOCUMENT_ID, OBJECT_ID)) {
            collection.insertOne(new Document("_id", id).append("n", 0));
        }
    }

    private static void assertKeys(MongoCollection<Document> collection) {
        for (Object id : List.of("a", "b", "item-7", 1, 2L, 2.5, DOCUMENT_ID, OBJECT_ID)) {
            assertThat(collection.find(Filters.eq("_id", id)).first()).as("_id %s", id).isNotNull();
            assertThat(collection.find(Filters.and(Filters.eq("_id", id), Filters.exists("n"))).first())
                    .as("_id %s and more", id).isNotNull();
            assertDuplicateKey(() -> collection.insertOne(new Document("_id", id)));
        }
        // numbers are one key whatever their type, as in MongoDB
        assertThat(collection.find(Filters.eq("_id", 1L)).first()).containsEntry("_id", 1);
        assertThat(collection.find(Filters.eq("_id", 2.0)).first()).containsEntry("_id", 2L);
        assertDuplicateKey(() -> collection.insertOne(new Document("_id", 1.0)));
        assertThat(collection.find(Filters.eq("_id", "c")).first()).isNull();
        assertThat(collection.find(Filters.eq("_id", 3)).first()).isNull();

        assertThat(ids(collection, Filters.in("_id", "b", "zzz", 2, DOCUMENT_ID))).containsExactlyInAnyOrder("b", 2L, DOCUMENT_ID);
        assertThat(ids(collection, Filters.regex("_id", Pattern.compile("^item-")))).containsExactly("item-7");
    }

    private static void upsert(MongoCollection<Document> collection, Object id, long offset) {
        collection.updateOne(Filters.and(Filters.eq("_id", id), Filters.not(Filters.gte("last", offset))),
                Updates.combine(Updates.inc("n", 1), Updates.set("last", offset)), new UpdateOptions().upsert(true));
    }

    private static List<Object> ids(MongoCollection<Document> collection, Bson filter) {
        List<Object> ids = new ArrayList<>();
        collection.find(filter).forEach(document -> ids.add(document.get("_id")));
        return ids;
    }

    private static void assertDuplicateKey(Runnable write) {
        assertThatThrownBy(write::run).isInstanceOfSatisfying(MongoWriteException.class,
                e -> assertThat(ErrorCategory.fromErrorCode(e.getCode())).isEqualTo(ErrorCategory.DUPLICATE_KEY));
    }

    private static void withServer(MongoBackend backend, Consumer<MongoCollection<Document>> test) {
        withServer(backend, "keys", test);
    }

    private static void withServer(MongoBackend backend, String collection, Consumer<MongoCollection<Document>> test) {
        MongoServer server = new MongoServer(backend);
        try (MongoClient client = MongoClients.create(server.bindAndGetConnectionString())) {
            test.accept(client.getDatabase("test").getCollection(collection));
        } finally {
            server.shutdown(); // closes the backend, and so its file
        }
    }
}
