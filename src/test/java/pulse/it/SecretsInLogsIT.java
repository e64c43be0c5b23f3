package pulse.it;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pulse.embedded.TestInfrastructure;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Credentials given through the configuration (a MongoDB URI with a password, a Kafka JAAS config) never
 * appear in the logs, at any level, including the start-up summaries and connection errors.
 */
@ExtendWith(TestInfrastructure.class)
class SecretsInLogsIT {

    private static final String MONGO_PASSWORD = "Mongo-S3cret-Passw0rd";
    private static final String KAFKA_PASSWORD = "Kafka-S3cret-Passw0rd";

    @Test
    void passwordsNeverReachTheLog() {
        Capture capture = Capture.install();
        try (Pipeline pipeline = new Pipeline("secrets")
                .with("mongodb.uri", TestInfrastructure.mongoUri().replace("mongodb://",
                        "mongodb://pulse:" + MONGO_PASSWORD + "@") + "/?authSource=admin&serverSelectionTimeoutMS=2000")
                .with("camel.component.kafka.sasl-jaas-config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"pulse\" password=\""
                                + KAFKA_PASSWORD + "\";")
                .start()) {
            // long enough for the start-up summaries and the driver's failed authentication to be logged
            await().atMost(Duration.ofSeconds(30)).until(() -> capture.text().contains("Routes startup"));
            await().atMost(Duration.ofSeconds(30)).until(() -> capture.text().contains("MongoDB at"));
        } finally {
            capture.remove();
        }
        String log = capture.text();
        assertThat(log).contains("Routes startup").doesNotContain(MONGO_PASSWORD).doesNotContain(KAFKA_PASSWORD);
    }

    /** Every log event of every logger, with its stack trace, at DEBUG and above. */
    private static final class Capture extends AbstractAppender {
        private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        private org.apache.logging.log4j.Level previous;

        private Capture() {
            super("secrets-capture", null, null, true, Property.EMPTY_ARRAY);
        }

        static Capture install() {
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            Configuration configuration = context.getConfiguration();
            Capture capture = new Capture();
            capture.start();
            LoggerConfig root = configuration.getRootLogger();
            capture.previous = root.getLevel();
            root.addAppender(capture, org.apache.logging.log4j.Level.DEBUG, null);
            root.setLevel(org.apache.logging.log4j.Level.DEBUG);
            context.updateLoggers();
            return capture;
        }

        @Override
        public void append(LogEvent event) {
            StringWriter text = new StringWriter();
            text.append(event.getMessage().getFormattedMessage());
            if (event.getThrown() != null) {
                event.getThrown().printStackTrace(new PrintWriter(text));
            }
            lines.add(text.toString());
        }

        String text() {
            return String.join("\n", lines);
        }

        void remove() {
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            LoggerConfig root = context.getConfiguration().getRootLogger();
            root.removeAppender(getName());
            root.setLevel(previous);
            context.updateLoggers();
            stop();
        }
    }
}
