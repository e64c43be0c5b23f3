package pulse.embedded;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

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
        EmbeddedMongo mongo = start(new CommittingH2Backend(file.toAbsolutePath().toString()), host, port);
        LOG.info("Embedded MongoDB wire-protocol server ready on {}, data in {}", mongo.connectionString, file.toAbsolutePath());
        return mongo;
    }

    /** A throw-away in-memory server (tests). */
    public static EmbeddedMongo inMemory(String host, int port) {
        return start(new MemoryBackend(), host, port);
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

    /**
     * Commits the H2 store after every write command, so that an acknowledged write survives a crash of the
     * process (H2 would otherwise keep up to a second of writes in memory), keeping "offsets are committed to
     * Kafka only once the aggregates are durable" true for the embedded default too.
     */
    private static final class CommittingH2Backend extends H2Backend {

        private static final Set<String> WRITES = Set.of("insert", "update", "delete", "findAndModify", "findandmodify");

        CommittingH2Backend(String file) {
            super(file);
        }

        @Override
        public Document handleCommand(Channel channel, String database, String command, Document query) {
            Document result = super.handleCommand(channel, database, command, query);
            if (WRITES.contains(command)) {
                commit();
            }
            return result;
        }
    }
}
