package pulse.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pulse.config.Settings;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * Runs only the embedded Kafka broker and MongoDB server, as their own process, until Ctrl-C, so that app
 * instances can be started, killed and restarted against them with
 * {@code -Dkafka.brokers=127.0.0.1:9092 -Dmongodb.uri=mongodb://127.0.0.1:27017}.
 * Reads the same properties as the app (application.properties, environment variables, system properties).
 */
public final class DevInfrastructure {

    private static final Logger LOG = LoggerFactory.getLogger(DevInfrastructure.class);

    private DevInfrastructure() {
    }

    public static void main(String[] args) throws InterruptedException {
        Properties defaults = new Properties();
        try (InputStream in = DevInfrastructure.class.getResourceAsStream("/application.properties")) {
            if (in != null) {
                defaults.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Settings settings = new Settings(key -> Optional.ofNullable(System.getProperty(key))
                .or(() -> Optional.ofNullable(System.getenv(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'))))
                .or(() -> Optional.ofNullable(defaults.getProperty(key))));
        EmbeddedInfrastructure infrastructure = EmbeddedInfrastructure.start(settings, true, true);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            infrastructure.close();
            stopped.countDown();
        }, "dev-infrastructure-shutdown"));
        var addresses = infrastructure.addresses();
        LOG.info("Dev infrastructure running until Ctrl-C. Start app instances with: -Dkafka.brokers={} -Dmongodb.uri={}",
                addresses.get("kafka.brokers"), addresses.get("mongodb.uri"));
        stopped.await();
    }
}
