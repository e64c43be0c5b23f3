package pulse.embedded;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Apache Kafka broker in KRaft mode (broker and controller in one), running in this JVM.
 * Its log lives in a directory of its own, so topics and committed offsets survive a restart.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final KafkaRaftServer server;
    private final String bootstrapServers;

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * @param portProperty the property that sets {@code port}, named in the error when the port is taken
     */
    public static EmbeddedKafka start(Path logDir, String host, int port, int controllerPort, String portProperty) {
        return start(logDir, host, port, controllerPort, portProperty, Map.of());
    }

    /**
     * @param portProperty   the property that sets {@code port}, named in the error when the port is taken
     * @param brokerSettings broker settings that replace the defaults of the same name or add to them, e.g. another
     *                       listener (the PLAINTEXT one on {@code port} stays the bootstrap address)
     */
    public static EmbeddedKafka start(Path logDir, String host, int port, int controllerPort, String portProperty,
                                      Map<String, String> brokerSettings) {
        Ports.requireFree(host, port, portProperty, "set kafka.brokers to an existing Kafka cluster");
        Ports.requireFree(host, controllerPort, portProperty.replace("port", "controller-port"),
                "set kafka.brokers to an existing Kafka cluster");
        long started = System.nanoTime();
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("listeners", "PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://" + host + ":" + port);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("controller.quorum.voters", "1@" + host + ":" + controllerPort);
        props.put("log.dirs", logDir.toAbsolutePath().toString());
        props.put("num.partitions", "6");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "6");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "true");
        props.putAll(brokerSettings);
        try {
            Files.createDirectories(logDir);
            format(logDir);
            KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
            server.startup();
            EmbeddedKafka kafka = new EmbeddedKafka(server, host + ":" + port);
            kafka.awaitReady(Duration.ofSeconds(60));
            LOG.info("Embedded Kafka broker (KRaft) ready on {} in {} ms, log in {}", kafka.bootstrapServers,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), logDir.toAbsolutePath());
            return kafka;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Could not start the embedded Kafka broker in " + logDir + ": " + e.getMessage(), e);
        }
    }

    /** Formats the log directory for KRaft, once; an already formatted directory is kept as it is. */
    private static void format(Path logDir) throws Exception {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setClusterId(Uuid.randomUuid().toString())
                .setNodeId(1)
                .setControllerListenerName("CONTROLLER")
                .setMetadataLogDirectory(logDir.toAbsolutePath().toString())
                .setDirectories(List.of(logDir.toAbsolutePath().toString()))
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setIgnoreFormatted(true)
                .run();
    }

    private void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000))) {
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    last = e;
                }
                TimeUnit.MILLISECONDS.sleep(200); // polling a server that is still starting
            }
        }
        throw new IllegalStateException("The embedded Kafka broker did not become ready within " + timeout, last);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        LOG.info("Stopping the embedded Kafka broker on {}", bootstrapServers);
        server.shutdown();
        server.awaitShutdown();
    }
}
