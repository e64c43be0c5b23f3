package pulse.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Creates the topics the pipeline needs, with the configured partitions, before any route starts. */
public final class KafkaTopics {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopics.class);

    private KafkaTopics() {
    }

    /**
     * @param clientProperties connection properties (bootstrap servers and any security settings)
     */
    public static void ensure(Properties clientProperties, Map<String, Integer> partitionsByTopic,
                              short replicationFactor, Duration timeout) {
        try (Admin admin = Admin.create(clientProperties)) {
            for (Map.Entry<String, Integer> topic : partitionsByTopic.entrySet()) {
                ensure(admin, topic.getKey(), topic.getValue(), replicationFactor, timeout);
            }
        }
    }

    private static void ensure(Admin admin, String topic, int partitions, short replicationFactor, Duration timeout) {
        try {
            try {
                admin.createTopics(List.of(new NewTopic(topic, partitions, replicationFactor)))
                        .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                LOG.info("Created topic {} with {} partitions", topic, partitions);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
                int existing = description.partitions().size();
                if (existing != partitions) {
                    LOG.warn("Topic {} exists with {} partitions, not the {} configured by kafka.topic.partitions;"
                            + " using it as it is", topic, existing, partitions);
                } else {
                    LOG.info("Using existing topic {} ({} partitions)", topic, existing);
                }
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within " + timeout + " while creating topic " + topic
                    + ": check kafka.brokers", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not create topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + topic, e);
        }
    }
}
