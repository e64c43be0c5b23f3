package pulse.embedded;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real Kafka broker (KRaft) and a MongoDB wire-protocol server, started once per test JVM on free ports and
 * stopped when the test plan ends. Tests isolate themselves with their own topic, group and database names.
 */
public final class TestInfrastructure implements BeforeAllCallback, ExtensionContext.Store.CloseableResource {

    private static TestInfrastructure instance;

    private Path kafkaDir;
    private EmbeddedKafka kafka;
    private EmbeddedMongo mongo;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        synchronized (TestInfrastructure.class) {
            if (instance == null) {
                kafkaDir = Files.createTempDirectory("pulse-test-kafka");
                mongo = EmbeddedMongo.inMemory("127.0.0.1", Ports.free());
                kafka = EmbeddedKafka.start(kafkaDir, "127.0.0.1", Ports.free(), Ports.free(), "kafka.embedded.port");
                instance = this;
                // closed once, when the whole test plan is done
                context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(TestInfrastructure.class.getName(), this);
            }
        }
    }

    public static String kafkaBootstrapServers() {
        return current().kafka.bootstrapServers();
    }

    public static String mongoUri() {
        return current().mongo.connectionString();
    }

    private static TestInfrastructure current() {
        if (instance == null) {
            throw new IllegalStateException("Annotate the test with @ExtendWith(TestInfrastructure.class)");
        }
        return instance;
    }

    @Override
    public void close() {
        synchronized (TestInfrastructure.class) {
            kafka.close();
            mongo.close();
            EmbeddedKafka.deleteQuietly(kafkaDir);
            instance = null;
        }
    }
}
