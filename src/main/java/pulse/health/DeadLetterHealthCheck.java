package pulse.health;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import pulse.kafka.DeadLetterStatus;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * DOWN while rejected records cannot be dead-lettered and no retry can fix it (no permission on the topic, a dead
 * letter too large for it, the topic gone), with one line saying why: the consumer retries that batch and commits
 * nothing after it until someone fixes the cause.
 */
public class DeadLetterHealthCheck extends AbstractHealthCheck implements AutoCloseable {

    private final DeadLetterStatus status;
    private final Admin admin;

    public DeadLetterHealthCheck(DeadLetterStatus status, Properties clientProperties) {
        super("pulse", "dead-letter-topic");
        this.status = status;
        Properties properties = new Properties();
        properties.putAll(clientProperties);
        properties.put("request.timeout.ms", "2000");
        properties.put("default.api.timeout.ms", "2000");
        this.admin = Admin.create(properties);
    }

    @Override
    public boolean isLiveness() {
        return false; // a restart fixes none of the causes
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("topic", status.topic());
        status.lastFailure().ifPresent(failure -> builder.detail("last.failure", failure.reason()));
        if (status.problem().isPresent()) {
            builder.message("Dead letters cannot be written: " + status.problem().get().reason());
            builder.down();
        } else if (!topicExists()) {
            builder.message("Dead letters cannot be written: topic " + status.topic() + " does not exist; create it"
                    + " (with the source topic's max.message.bytes) or restart the app, which creates it");
            builder.down();
        } else {
            builder.up();
        }
    }

    /** False only when the broker says the topic does not exist (an unreachable broker is the Kafka check's). */
    private boolean topicExists() {
        try {
            admin.describeTopics(List.of(status.topic())).allTopicNames().get(2, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            return !(e.getCause() instanceof UnknownTopicOrPartitionException);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        } catch (Exception e) {
            return true;
        }
    }

    @Override
    public void close() {
        admin.close();
    }
}
