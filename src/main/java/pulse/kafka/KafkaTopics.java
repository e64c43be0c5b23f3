package pulse.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the topics the pipeline needs, with the configured partitions, before any route starts: the events' topic,
 * and its dead-letter topic with the same {@code max.message.bytes}, so that whatever record the first takes, the
 * second takes its dead letter (cut to fit when the {@code dlq.*} headers would make it too large).
 */
public final class KafkaTopics {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopics.class);

    private KafkaTopics() {
    }

    /**
     * @param clientProperties connection properties (bootstrap servers and any security settings)
     * @return the dead-letter topic's {@code max.message.bytes} ({@link Integer#MAX_VALUE} when it cannot be read)
     */
    public static int ensure(Properties clientProperties, String topic, String deadLetterTopic, int partitions,
                             short replicationFactor, Duration timeout) {
        try (Admin admin = Admin.create(clientProperties)) {
            ensure(admin, topic, partitions, replicationFactor, Map.of(), timeout);
            OptionalInt sourceLimit = maxMessageBytes(admin, topic, timeout);
            Map<String, String> deadLetterConfig = sourceLimit.isPresent()
                    ? Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(sourceLimit.getAsInt())) : Map.of();
            boolean created = ensure(admin, deadLetterTopic, partitions, replicationFactor, deadLetterConfig, timeout);
            // a topic just created may not be described yet by the broker asked: it has the limit it was created with
            OptionalInt deadLetterLimit = created && sourceLimit.isPresent() ? sourceLimit
                    : maxMessageBytes(admin, deadLetterTopic, timeout);
            if (sourceLimit.isPresent() && deadLetterLimit.isPresent() && deadLetterLimit.getAsInt() < sourceLimit.getAsInt()) {
                LOG.warn("Topic {} takes records of up to {} bytes (max.message.bytes), its dead-letter topic {} only {}:"
                                + " larger dead letters are sent with their value cut to fit", topic, sourceLimit.getAsInt(),
                        deadLetterTopic, deadLetterLimit.getAsInt());
            }
            return deadLetterLimit.orElse(Integer.MAX_VALUE);
        }
    }

    /** A topic's {@code max.message.bytes} as the broker applies it; empty when it cannot be read. */
    public static OptionalInt maxMessageBytes(Properties clientProperties, String topic, Duration timeout) {
        try (Admin admin = Admin.create(clientProperties)) {
            return maxMessageBytes(admin, topic, timeout);
        }
    }

    private static OptionalInt maxMessageBytes(Admin admin, String topic, Duration timeout) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            Config config = admin.describeConfigs(List.of(resource)).all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(resource);
            ConfigEntry entry = config == null ? null : config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            return entry == null || entry.value() == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(entry.value()));
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn("Could not read the max.message.bytes of topic {}: {}", topic,
                    e instanceof ExecutionException ? e.getCause().toString() : e.toString());
            return OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        }
    }

    /**
     * Waits until every partition of a topic just created has a leader: a producer that sends before gets
     * NOT_LEADER_OR_FOLLOWER, and its idempotent retries can then stall on out-of-order sequence numbers.
     */
    private static void awaitLeaders(Admin admin, String topic, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
                if (description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) { // not in the metadata yet
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                LOG.warn("Not every partition of topic {} has a leader yet after {}; going on", topic, timeout);
                return;
            }
            Thread.sleep(100); // polling the broker's metadata: nothing to wait on but time
        }
    }

    /** @return whether this call created the topic */
    private static boolean ensure(Admin admin, String topic, int partitions, short replicationFactor,
                                  Map<String, String> config, Duration timeout) {
        try {
            try {
                admin.createTopics(List.of(new NewTopic(topic, partitions, replicationFactor).configs(config)))
                        .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                LOG.info("Created topic {} with {} partitions{}", topic, partitions, config.isEmpty() ? "" : " and " + config);
                awaitLeaders(admin, topic, timeout);
                return true;
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
                return false;
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
