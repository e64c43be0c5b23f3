package pulse.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pulse.config.AheadOfStart;
import pulse.config.Settings;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts the embedded default: a Kafka broker when {@code kafka.brokers=embedded} and a MongoDB wire-protocol
 * server when {@code mongodb.uri=embedded}, both persisted under {@code pulse.data-dir}. With real addresses
 * configured, nothing starts.
 * <p>
 * {@link #begin} checks the ports and starts each server on a thread of its own: their addresses are known at once
 * (the configured host and port), so Camel can configure itself while they start; {@link #awaitReady()} waits for
 * both and fails as a server's start failed.
 */
public final class EmbeddedInfrastructure implements AutoCloseable {

    public static final String EMBEDDED = "embedded";
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedInfrastructure.class);

    private final AheadOfStart<EmbeddedKafka> kafka;
    private final AheadOfStart<EmbeddedMongo> mongo;
    private final Map<String, String> addresses;

    private EmbeddedInfrastructure(AheadOfStart<EmbeddedKafka> kafka, AheadOfStart<EmbeddedMongo> mongo,
                                   Map<String, String> addresses) {
        this.kafka = kafka;
        this.mongo = mongo;
        this.addresses = addresses;
    }

    /** Starts what is configured as embedded and waits until it is ready. */
    public static EmbeddedInfrastructure startAsConfigured(Settings settings) {
        EmbeddedInfrastructure infrastructure = beginAsConfigured(settings);
        infrastructure.awaitReadyOrClose();
        return infrastructure;
    }

    /** Begins to start what is configured as embedded; {@link #awaitReady()} before using it. */
    public static EmbeddedInfrastructure beginAsConfigured(Settings settings) {
        boolean embeddedKafka = EMBEDDED.equalsIgnoreCase(settings.string("kafka.brokers"));
        boolean embeddedMongo = EMBEDDED.equalsIgnoreCase(settings.string("mongodb.uri"));
        return begin(settings, embeddedKafka, embeddedMongo);
    }

    /** Starts the servers asked for and waits until they are ready. */
    public static EmbeddedInfrastructure start(Settings settings, boolean withKafka, boolean withMongo) {
        EmbeddedInfrastructure infrastructure = begin(settings, withKafka, withMongo);
        infrastructure.awaitReadyOrClose();
        return infrastructure;
    }

    /**
     * Checks the ports here (a taken one fails at once, naming its property) and starts each server asked for on a
     * thread of its own.
     */
    public static EmbeddedInfrastructure begin(Settings settings, boolean withKafka, boolean withMongo) {
        Path dataDir = Path.of(settings.string("pulse.data-dir"));
        Map<String, String> addresses = new LinkedHashMap<>();
        AheadOfStart<EmbeddedMongo> mongo = null;
        AheadOfStart<EmbeddedKafka> kafka = null;
        String mongoHost = null;
        int mongoPort = 0;
        if (withMongo) {
            mongoHost = settings.string("mongodb.embedded.host");
            mongoPort = settings.intInRange("mongodb.embedded.port", 1, 65535);
            Ports.requireFree(mongoHost, mongoPort, "mongodb.embedded.port", EmbeddedMongo.ALTERNATIVE);
        } else {
            LOG.info("Using the configured MongoDB (mongodb.uri); no embedded server started");
        }
        String kafkaHost = null;
        int kafkaPort = 0;
        int controllerPort = 0;
        if (withKafka) {
            kafkaHost = settings.string("kafka.embedded.host");
            kafkaPort = settings.intInRange("kafka.embedded.port", 1, 65535);
            controllerPort = settings.intInRange("kafka.embedded.controller-port", 1, 65535);
            Ports.requireFree(kafkaHost, kafkaPort, "kafka.embedded.port", EmbeddedKafka.ALTERNATIVE);
            Ports.requireFree(kafkaHost, controllerPort, "kafka.embedded.controller-port", EmbeddedKafka.ALTERNATIVE);
        } else {
            LOG.info("Using the configured Kafka brokers (kafka.brokers); no embedded broker started");
        }
        if (withKafka) {
            String host = kafkaHost;
            int port = kafkaPort;
            int controller = controllerPort;
            kafka = new AheadOfStart<>("pulse-embedded-kafka");
            kafka.begin(() -> EmbeddedKafka.start(dataDir.resolve("kafka"), host, port, controller, "kafka.embedded.port"));
            addresses.put("kafka.brokers", EmbeddedKafka.bootstrapServers(host, port));
        }
        if (withMongo) {
            String host = mongoHost;
            int port = mongoPort;
            mongo = new AheadOfStart<>("pulse-embedded-mongo");
            mongo.begin(() -> EmbeddedMongo.persistent(dataDir.resolve("mongo").resolve("interactions.mv"), host, port,
                    "mongodb.embedded.port"));
            addresses.put("mongodb.uri", EmbeddedMongo.connectionString(host, port));
        }
        return new EmbeddedInfrastructure(kafka, mongo, addresses);
    }

    /** Waits until every server begun is ready; throws what a server's start threw. */
    public void awaitReady() throws Exception {
        if (mongo != null) {
            mongo.await();
        }
        if (kafka != null) {
            kafka.await();
        }
    }

    private void awaitReadyOrClose() {
        try {
            awaitReady();
        } catch (RuntimeException e) {
            close();
            throw e;
        } catch (Exception e) {
            close();
            throw new IllegalStateException("The embedded infrastructure did not start: " + e.getMessage(), e);
        }
    }

    /** The real addresses that replace {@code embedded} in {@code kafka.brokers} and {@code mongodb.uri}. */
    public Map<String, String> addresses() {
        return addresses;
    }

    /** Stops every server that started (after its start has ended); one that failed to start has nothing to stop. */
    @Override
    public void close() {
        closeStarted(kafka);
        closeStarted(mongo);
    }

    private static void closeStarted(AheadOfStart<? extends AutoCloseable> server) {
        if (server == null) {
            return;
        }
        AutoCloseable started;
        try {
            started = server.await();
        } catch (Exception e) {
            return;
        }
        try {
            started.close();
        } catch (Exception e) {
            LOG.warn("Could not stop an embedded server: {}", e.toString());
        }
    }
}
