package pulse.embedded;

import com.mongodb.ConnectionString;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import pulse.testsupport.FreePorts;
import pulse.testsupport.TempDirs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.awaitility.Awaitility.await;

/**
 * The Kafka broker and MongoDB server of the integration and fault tests: a real Kafka broker (KRaft) and a MongoDB
 * wire-protocol server, started once per test JVM on free ports and stopped when the test plan ends; or external
 * ones, given by {@code -Dit.kafka.brokers=host:9092} and {@code -Dit.mongodb.uri=mongodb://...} (either or both),
 * of which nothing is started or stopped. Tests isolate themselves with their own topic, group and database names,
 * made unique per run ({@link #name}) when the infrastructure is external and outlives the run.
 */
public final class TestInfrastructure implements BeforeAllCallback, ExtensionContext.Store.CloseableResource, AutoCloseable {

    /** A Kafka bootstrap list to test against instead of the embedded broker. */
    public static final String KAFKA_PROPERTY = "it.kafka.brokers";
    /** A MongoDB connection string to test against instead of the embedded server. */
    public static final String MONGO_PROPERTY = "it.mongodb.uri";
    /** Replication factor of the topics the tests create (1 by default; e.g. 3 on a real cluster). */
    public static final String REPLICATION_PROPERTY = "it.kafka.replication-factor";

    /** Real MongoDB refuses database names of 64 characters or more. */
    private static final int MAX_DATABASE_NAME = 63;
    /** Tells this run's topics and databases from earlier runs' on external infrastructure. */
    private static final String RUN = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36, 36L * 36 * 36 * 36 * 36 * 36), 36);

    private static TestInfrastructure instance;

    private Path kafkaDir;
    private EmbeddedKafka kafka;
    private EmbeddedMongo mongo;
    private String kafkaBootstrapServers;
    private String mongoUri;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        synchronized (TestInfrastructure.class) {
            if (instance == null) {
                String externalKafka = property(KAFKA_PROPERTY);
                String externalMongo = property(MONGO_PROPERTY);
                if (externalMongo != null) {
                    new ConnectionString(externalMongo); // a malformed URI fails here, once, naming the property
                    mongoUri = externalMongo;
                } else {
                    mongo = EmbeddedMongo.inMemory("127.0.0.1", FreePorts.next());
                    mongoUri = mongo.connectionString();
                }
                if (externalKafka != null) {
                    kafkaBootstrapServers = externalKafka;
                } else {
                    kafkaDir = Files.createTempDirectory("pulse-test-kafka");
                    kafka = EmbeddedKafka.start(kafkaDir, "127.0.0.1", FreePorts.next(), FreePorts.next(), "kafka.embedded.port");
                    kafkaBootstrapServers = kafka.bootstrapServers();
                }
                instance = this;
                System.out.printf(Locale.ROOT, "[infra] Kafka %s (%s), MongoDB %s (%s)%n", kafkaBootstrapServers,
                        externalKafka != null ? "external, -D" + KAFKA_PROPERTY : "embedded",
                        externalMongo != null ? new ConnectionString(externalMongo).getHosts() : mongoUri,
                        externalMongo != null ? "external, -D" + MONGO_PROPERTY + ", run " + RUN : "embedded");
                // closed once, when the whole test plan is done
                context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(TestInfrastructure.class.getName(), this);
            }
        }
    }

    private static String property(String key) {
        String value = System.getProperty(key);
        return value == null || value.isBlank() ? null : value.trim();
    }

    public static String kafkaBootstrapServers() {
        return current().kafkaBootstrapServers;
    }

    public static String mongoUri() {
        return current().mongoUri;
    }

    /** Kafka is given by {@value #KAFKA_PROPERTY}: nothing here can stop, restart or cut it. */
    public static boolean externalKafka() {
        return current().kafka == null;
    }

    /** MongoDB is given by {@value #MONGO_PROPERTY}: nothing here can stop, restart or cut it. */
    public static boolean externalMongo() {
        return current().mongo == null;
    }

    public static short replicationFactor() {
        String value = property(REPLICATION_PROPERTY);
        return value == null ? 1 : Short.parseShort(value);
    }

    /**
     * Creates a topic and waits until each of its partitions has a leader: a producer that sends to a topic still
     * electing them gets NOT_LEADER_OR_FOLLOWER, and its idempotent retries can stall on out-of-order sequence
     * numbers until the delivery timeout (seen on a loaded machine).
     */
    public static void createTopic(String topic, int partitions) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafkaBootstrapServers()))) {
            createTopic(admin, topic, partitions, replicationFactor());
        }
    }

    /** As {@link #createTopic(String, int)}, on the broker {@code admin} talks to. */
    public static void createTopic(Admin admin, String topic, int partitions, short replicationFactor) {
        createTopic(admin, topic, partitions, replicationFactor, Map.of());
    }

    /**
     * Creates a topic with the given topic configs and waits until every partition's leader serves it: metadata names
     * a leader before its replica manager takes records, and an idempotent producer whose first sends meet
     * NOT_LEADER_OR_FOLLOWER there can retry them out of sequence until they expire.
     */
    public static void createTopic(Admin admin, String topic, int partitions, short replicationFactor,
                                   Map<String, String> configs) {
        try {
            admin.createTopics(List.of(new NewTopic(topic, partitions, replicationFactor).configs(configs)))
                    .all().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                ends.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            await("every partition of " + topic + " is served by its leader").atMost(Duration.ofSeconds(30))
                    .ignoreExceptionsInstanceOf(ExecutionException.class)
                    .until(() -> admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                            .allMatch(p -> p.leader() != null && !p.leader().isEmpty())
                            && admin.listOffsets(ends).all().get().size() == partitions);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Could not create topic " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A topic, group or database name for {@code base}: {@code base} itself on the embedded infrastructure (fresh
     * for every test JVM), {@code base} and this run's id on an external one, so that a second run never meets the
     * first one's topics and aggregates. At most 63 characters (a longer base is cut and keeps a hash of itself).
     */
    public static String name(String base) {
        if (base.endsWith("-" + RUN)) {
            return base; // named already (a test's own topic handed to Pipeline)
        }
        String name = externalKafka() || externalMongo() ? base + "-" + RUN : base;
        if (name.length() <= MAX_DATABASE_NAME) {
            return name;
        }
        String hash = HexFormat.of().formatHex(sha1(base), 0, 4);
        String tail = "-" + hash + (name.length() > base.length() ? "-" + RUN : "");
        return base.substring(0, MAX_DATABASE_NAME - tail.length()) + tail;
    }

    private static byte[] sha1(String text) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
            if (kafka != null) {
                kafka.close();
                TempDirs.deleteQuietly(kafkaDir);
            }
            if (mongo != null) {
                mongo.close();
            }
            instance = null;
        }
    }
}
