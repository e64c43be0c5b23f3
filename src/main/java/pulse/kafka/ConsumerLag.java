package pulse.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * How many records of the topic the consumer group has not committed yet, summed over partitions. Computed at
 * most every two seconds (two admin requests), so dashboards and scrapers can ask as often as they like.
 */
public class ConsumerLag implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLag.class);
    private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final Supplier<Admin> adminFactory;
    private final String topic;
    private final String groupId;
    private Admin admin;
    private long computedAt;
    private Long lag;

    /** @param clientProperties connection settings, asked for on first use (once Kafka's are known) */
    public ConsumerLag(Supplier<Properties> clientProperties, String topic, String groupId) {
        this.adminFactory = () -> {
            Properties properties = new Properties();
            properties.putAll(clientProperties.get());
            properties.put("request.timeout.ms", "2000");
            properties.put("default.api.timeout.ms", "2000");
            return Admin.create(properties);
        };
        this.topic = topic;
        this.groupId = groupId;
    }

    /** The lag, or null when Kafka cannot be asked right now. */
    public synchronized Long current() {
        long now = System.nanoTime();
        if (computedAt != 0 && now - computedAt < REFRESH_NANOS) {
            return lag;
        }
        computedAt = now;
        try {
            if (admin == null) {
                admin = adminFactory.get();
            }
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(2, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = admin.describeTopics(java.util.List.of(topic)).allTopicNames()
                    .get(2, TimeUnit.SECONDS).get(topic).partitions().stream()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
                    .get(2, TimeUnit.SECONDS);
            lag = ends.entrySet().stream().mapToLong(end -> {
                OffsetAndMetadata done = committed.get(end.getKey());
                return Math.max(0, end.getValue().offset() - (done == null ? 0 : done.offset()));
            }).sum();
        } catch (Exception e) {
            LOG.debug("Could not compute the consumer lag: {}", e.getMessage());
            lag = null;
        }
        return lag;
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close();
        }
    }
}
