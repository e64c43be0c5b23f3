package pulse.embedded.mongo;

import com.mongodb.ErrorCategory;
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
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The embedded backend's {@code _id} index answers like mongo-java-server's own for every kind of key, and opens
 * data files written before it changed how index keys are stored.
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
        MongoServer server = new MongoServer(backend);
        try (MongoClient client = MongoClients.create(server.bindAndGetConnectionString())) {
            test.accept(client.getDatabase("test").getCollection("keys"));
        } finally {
            server.shutdown(); // closes the backend, and so its file
        }
    }
}
