package pulse.fault;

import com.mongodb.ConnectionString;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pulse.embedded.EmbeddedKafka;
import pulse.embedded.TestInfrastructure;
import pulse.testsupport.FreePorts;
import pulse.testsupport.TempDirs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Credentials handed to the app as an operator does, in environment variables (a Kafka SASL/PLAIN JAAS config with a
 * password, a MongoDB URI with a password), never appear in anything the app writes, with every logger at DEBUG
 * (Kafka clients, the MongoDB driver, Camel Main included: the app runs as its own JVM with a log4j2 configuration
 * whose only level is DEBUG at the root), from the start-up to the shutdown, through failed MongoDB authentications.
 *
 * <p>Kafka: the test's broker has a SASL_PLAINTEXT listener (PLAIN mechanism, user {@code pulse}) and the app knows
 * only that address, so everything it does with Kafka (topic creation, the generator, the consumer, lag and health)
 * goes through SASL; a wrong password is refused there. MongoDB: the embedded wire-protocol server has no
 * authentication, so the app's first run, with a password in {@code MONGODB_URI}, has every authentication attempt
 * fail (the driver's error path, the aggregation retrying) while the generator fills the topic; the second run, with
 * a URI without credentials (or the external one given by {@code -Dit.mongodb.uri}, whose password is then checked
 * too), aggregates the whole topic through SASL.
 */
@ExtendWith(TestInfrastructure.class)
class SecretsInLogsIT {

    private static final String HOST = "127.0.0.1";
    private static final String MONGO_PASSWORD = "Mongo-S3cret-Passw0rd";
    private static final String KAFKA_PASSWORD = "Kafka-S3cret-Passw0rd";
    private static final String PLAIN = "org.apache.kafka.common.security.plain.PlainLoginModule";
    /** The driver's error when the server refuses (or, here, cannot do) the authentication. */
    private static final Pattern MONGO_AUTH_FAILED = Pattern.compile("MongoSecurityException");
    /** The SASL handshake of the Kafka clients, at DEBUG. */
    private static final Pattern SASL_DONE = Pattern.compile("(?i)successfully authenticated|SASL.*COMPLETE");

    private Path kafkaDir;
    private EmbeddedKafka kafka;
    private FaultFixture fixture;
    private final List<AppProcess> apps = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        apps.forEach(AppProcess::close);
        if (fixture != null) {
            fixture.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        TempDirs.deleteQuietly(kafkaDir);
    }

    @Test
    void passwordsNeverReachTheOutputWithEveryLoggerAtDebug() throws Exception {
        kafkaDir = Files.createTempDirectory("pulse-secrets-kafka");
        int port = FreePorts.next();
        int controllerPort = FreePorts.next();
        int saslPort = FreePorts.next();
        kafka = EmbeddedKafka.start(kafkaDir, HOST, port, controllerPort, "kafka.embedded.port",
                saslListener(port, controllerPort, saslPort));
        String sasl = HOST + ":" + saslPort;
        assertThatThrownBy(() -> describeCluster(sasl, "wrong-" + KAFKA_PASSWORD))
                .as("the SASL listener refuses a wrong password").hasRootCauseInstanceOf(SaslAuthenticationException.class);

        String mongoUri = TestInfrastructure.mongoUri();
        List<String> secrets = new ArrayList<>(List.of(KAFKA_PASSWORD, MONGO_PASSWORD));
        char[] external = new ConnectionString(mongoUri).getPassword();
        if (external != null) {
            secrets.add(new String(external));
        }
        // the test's own views go through the broker's PLAINTEXT listener and straight to MongoDB
        fixture = new FaultFixture("secrets", kafka.bootstrapServers(), mongoUri);
        Path debug = debugEverywhere();
        Map<String, String> environment = Map.of(
                "CAMEL_COMPONENT_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "CAMEL_COMPONENT_KAFKA_SASL_MECHANISM", "PLAIN",
                "CAMEL_COMPONENT_KAFKA_SASL_JAAS_CONFIG", PLAIN + " required username=\"pulse\" password=\"" + KAFKA_PASSWORD + "\";");

        // ---- run 1: the generator fills the topic through SASL; MongoDB authentication fails ----
        Map<String, Object> first = new LinkedHashMap<>(environment);
        first.put("MONGODB_URI", withCredentials(mongoUri, "pulse", MONGO_PASSWORD));
        AppProcess generating = start("SecretsInLogsIT-generating", debug, sasl, true, first);
        await("the app produces through SASL and logs MongoDB's refusal").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> {
                    generating.assertAlive();
                    return fixture.endTotal() >= 2_000 && !generating.logLines(MONGO_AUTH_FAILED).isEmpty();
                });
        generating.kill(); // it retries the batch it cannot write: a graceful stop would wait out its timeout
        long produced = fixture.endTotal();

        // ---- run 2: the consumer aggregates the whole topic through SASL ----
        Map<String, Object> second = new LinkedHashMap<>(environment);
        second.put("MONGODB_URI", mongoUri);
        AppProcess aggregating = start("SecretsInLogsIT-aggregating", debug, sasl, false, second);
        await("the app aggregates all " + produced + " events through SASL").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    aggregating.assertAlive();
                    return fixture.summaryEvents() == produced && fixture.fullyCommitted();
                });
        assertThat(aggregating.stop(Duration.ofSeconds(40))).as("the app stops").isPresent();
        Faults.note("SecretsInLogsIT: %d events produced and aggregated through SASL; output %d + %d lines at DEBUG",
                produced, generating.logText().lines().count(), aggregating.logText().lines().count());

        for (AppProcess app : List.of(generating, aggregating)) {
            String output = app.logText();
            assertThat(app.logLines(Pattern.compile(" DEBUG \\[.*\\] org\\.apache\\.kafka\\."))).as("Kafka client DEBUG lines in %s", app.log()).isNotEmpty();
            assertThat(app.logLines(Pattern.compile(" DEBUG \\[.*\\] org\\.mongodb\\.driver"))).as("MongoDB driver DEBUG lines in %s", app.log()).isNotEmpty();
            assertThat(app.logLines(Pattern.compile(" DEBUG \\[.*\\] org\\.apache\\.camel\\.main\\."))).as("Camel Main DEBUG lines in %s", app.log()).isNotEmpty();
            assertThat(app.logLines(SASL_DONE)).as("SASL authentications logged in %s", app.log()).isNotEmpty();
            for (String secret : secrets) {
                assertThat(output.contains(secret)).as("a password in the output of %s", app.log()).isFalse();
            }
        }
    }

    /** A third listener, SASL_PLAINTEXT with PLAIN, that knows one user: pulse. */
    private static Map<String, String> saslListener(int port, int controllerPort, int saslPort) {
        return Map.of(
                "listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort
                        + ",SASL_PLAINTEXT://" + HOST + ":" + saslPort,
                "advertised.listeners", "PLAINTEXT://" + HOST + ":" + port + ",SASL_PLAINTEXT://" + HOST + ":" + saslPort,
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
                "sasl.enabled.mechanisms", "PLAIN",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config", PLAIN + " required user_pulse=\"" + KAFKA_PASSWORD + "\";");
    }

    private static void describeCluster(String bootstrap, String password) throws ExecutionException, InterruptedException,
            TimeoutException {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap, "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "PLAIN", "sasl.jaas.config", PLAIN + " required username=\"pulse\" password=\"" + password + "\";",
                "default.api.timeout.ms", 10_000, "request.timeout.ms", 5_000))) {
            admin.describeCluster().nodes().get(15, TimeUnit.SECONDS);
        }
    }

    private AppProcess start(String name, Path log4j, String kafkaBrokers, boolean generator, Map<String, Object> environment) {
        Map<String, String> props = fixture.appProperties(Map.of(
                "kafka.brokers", kafkaBrokers,
                "generator.enabled", String.valueOf(generator),
                "log4j2.configurationFile", log4j.toString()));
        props.remove("mongodb.uri"); // from MONGODB_URI
        Map<String, String> env = new LinkedHashMap<>();
        environment.forEach((key, value) -> env.put(key, String.valueOf(value)));
        AppProcess app = AppProcess.start(name, props, env);
        apps.add(app);
        return app;
    }

    /** A log4j2 configuration with one level, DEBUG, for every logger. */
    private static Path debugEverywhere() throws IOException {
        Path file = AppProcess.LOG_DIR.resolve("log4j2-debug-everywhere.properties");
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n",
                "status = warn",
                "shutdownHook = disable",
                "appender.console.type = Console",
                "appender.console.name = console",
                "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %-5level [%t] %c - %msg%n%throwable",
                "rootLogger.level = DEBUG",
                "rootLogger.appenderRef.console.ref = console", ""));
        return file;
    }

    /** {@code uri} with {@code user:password@} in place of its credentials, if any. */
    static String withCredentials(String uri, String user, String password) {
        return uri.replaceFirst("^(mongodb(?:\\+srv)?://)(?:[^@/]*@)?", "$1" + user + ":" + password + "@");
    }
}
