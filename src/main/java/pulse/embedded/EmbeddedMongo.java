package pulse.embedded;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pulse.embedded.mongo.EmbeddedMongoBackend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An embedded MongoDB wire-protocol server (mongo-java-server). It is not MongoDB: no transactions, change
 * streams or TTL, and non-unique indexes are ignored; the pipeline relies only on what it shares with MongoDB.
 */
public final class EmbeddedMongo implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMongo.class);

    private final MongoServer server;
    private final String connectionString;

    private EmbeddedMongo(MongoServer server, String connectionString) {
        this.server = server;
        this.connectionString = connectionString;
    }

    /** A server persisted to {@code file}, so aggregates survive a restart. */
    public static EmbeddedMongo persistent(Path file, String host, int port, String portProperty) {
        Ports.requireFree(host, port, portProperty, "set mongodb.uri to an existing MongoDB");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the data directory for " + file, e);
        }
        EmbeddedMongo mongo = start(new EmbeddedMongoBackend(file.toAbsolutePath().toString()), host, port);
        LOG.info("Embedded MongoDB wire-protocol server ready on {}, data in {}", mongo.connectionString, file.toAbsolutePath());
        return mongo;
    }

    /** A throw-away server kept in memory (tests), with the same backend as the persistent one. */
    public static EmbeddedMongo inMemory(String host, int port) {
        return start(new EmbeddedMongoBackend(null), host, port);
    }

    private static EmbeddedMongo start(MongoBackend backend, String host, int port) {
        MongoServer server = new MongoServer(backend);
        server.bind(host, port);
        return new EmbeddedMongo(server, "mongodb://" + host + ":" + port);
    }

    public String connectionString() {
        return connectionString;
    }

    @Override
    public void close() {
        LOG.info("Stopping the embedded MongoDB server on {}", connectionString);
        server.shutdown();
    }
}
