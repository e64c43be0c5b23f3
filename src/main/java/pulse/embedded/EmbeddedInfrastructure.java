package pulse.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pulse.config.Settings;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts the embedded default: a Kafka broker when {@code kafka.brokers=embedded} and a MongoDB wire-protocol
 * server when {@code mongodb.uri=embedded}, both persisted under {@code pulse.data-dir}. With real addresses
 * configured, nothing starts.
 */
public final class EmbeddedInfrastructure implements AutoCloseable {

    public static final String EMBEDDED = "embedded";
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedInfrastructure.class);

    private final EmbeddedKafka kafka;
    private final EmbeddedMongo mongo;

    private EmbeddedInfrastructure(EmbeddedKafka kafka, EmbeddedMongo mongo) {
        this.kafka = kafka;
        this.mongo = mongo;
    }

    public static EmbeddedInfrastructure startAsConfigured(Settings settings) {
        boolean embeddedKafka = EMBEDDED.equalsIgnoreCase(settings.string("kafka.brokers"));
        boolean embeddedMongo = EMBEDDED.equalsIgnoreCase(settings.string("mongodb.uri"));
        return start(settings, embeddedKafka, embeddedMongo);
    }

    public static EmbeddedInfrastructure start(Settings settings, boolean withKafka, boolean withMongo) {
        Path dataDir = Path.of(settings.string("pulse.data-dir"));
        EmbeddedMongo mongo = null;
        EmbeddedKafka kafka = null;
        try {
            if (withMongo) {
                mongo = EmbeddedMongo.persistent(dataDir.resolve("mongo").resolve("interactions.mv"),
                        settings.string("mongodb.embedded.host"), settings.intInRange("mongodb.embedded.port", 1, 65535),
                        "mongodb.embedded.port");
            } else {
                LOG.info("Using the configured MongoDB (mongodb.uri); no embedded server started");
            }
            if (withKafka) {
                kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), settings.string("kafka.embedded.host"),
                        settings.intInRange("kafka.embedded.port", 1, 65535),
                        settings.intInRange("kafka.embedded.controller-port", 1, 65535), "kafka.embedded.port");
            } else {
                LOG.info("Using the configured Kafka brokers (kafka.brokers); no embedded broker started");
            }
            return new EmbeddedInfrastructure(kafka, mongo);
        } catch (RuntimeException e) {
            if (mongo != null) {
                mongo.close();
            }
            throw e;
        }
    }

    /** The real addresses that replace {@code embedded} in {@code kafka.brokers} and {@code mongodb.uri}. */
    public Map<String, String> addresses() {
        Map<String, String> addresses = new LinkedHashMap<>();
        if (kafka != null) {
            addresses.put("kafka.brokers", kafka.bootstrapServers());
        }
        if (mongo != null) {
            addresses.put("mongodb.uri", mongo.connectionString());
        }
        return addresses;
    }

    @Override
    public void close() {
        if (kafka != null) {
            kafka.close();
        }
        if (mongo != null) {
            mongo.close();
        }
    }
}
