package pulse.it;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.Document;
import pulse.Application;
import pulse.embedded.TestInfrastructure;
import pulse.testsupport.FreePorts;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * The real application (same configuration class, routes and properties as {@code mvn camel:run}) pointed at the
 * test infrastructure, with its own topic, consumer group and database so tests cannot see each other.
 */
public final class Pipeline implements AutoCloseable {

    private final String name;
    private final Map<String, String> overrides = new HashMap<>();
    private Main main;
    private MongoClient mongo;

    /** @param name of the topic, group and database; made unique per run on external infrastructure */
    public Pipeline(String name) {
        this.name = TestInfrastructure.name(name);
        overrides.put("kafka.brokers", TestInfrastructure.kafkaBootstrapServers());
        overrides.put("mongodb.uri", TestInfrastructure.mongoUri());
        overrides.put("kafka.topic", topic());
        overrides.put("kafka.topic.replication-factor", String.valueOf(TestInfrastructure.replicationFactor()));
        overrides.put("kafka.consumer.group-id", this.name + "-group");
        overrides.put("mongodb.database", this.name);
        overrides.put("generator.enabled", "false");
        overrides.put("aggregation.batch.interval-ms", "200");
        overrides.put("aggregation.batch.poll-timeout-ms", "200");
        overrides.put("camel.server.port", String.valueOf(FreePorts.next()));
        overrides.put("camel.management.port", String.valueOf(FreePorts.next()));
    }

    /** The dashboard and API, e.g. {@code http://127.0.0.1:PORT/}. */
    public String serverUrl() {
        return "http://127.0.0.1:" + overrides.get("camel.server.port") + "/";
    }

    /** Health, metrics and Jolokia live under {@code observe/} here. */
    public String managementUrl() {
        return "http://127.0.0.1:" + overrides.get("camel.management.port") + "/";
    }

    public Pipeline with(String key, String value) {
        overrides.put(key, value);
        return this;
    }

    public Pipeline start() {
        main = Application.create();
        overrides.forEach(main::addOverrideProperty);
        main.start();
        return this;
    }

    public void stop() {
        if (main != null) {
            main.stop();
            main = null;
        }
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public String topic() {
        return name;
    }

    public String deadLetterTopic() {
        return name + ".dlq";
    }

    public MongoDatabase database() {
        if (mongo == null) {
            mongo = MongoClients.create(TestInfrastructure.mongoUri());
        }
        return mongo.getDatabase(name);
    }

    public long summaryEvents() {
        var summary = database().getCollection("summary").find(new Document("_id", "global")).first();
        return summary == null ? 0 : ((Number) summary.get("events")).longValue();
    }

    /**
     * Waits until the summary counts {@code events} and the consumer group has committed every record of the topic.
     * The summary's counters are written before the fields derived from them (average, most and least interacted
     * item), and the offsets only after both: reading the aggregates before the commit can see the counters of a
     * write and the derivation of the one before.
     */
    public void awaitAggregated(long events, Duration timeout) {
        await().atMost(timeout).until(() -> summaryEvents() == events);
        await().atMost(timeout).until(this::fullyCommitted);
    }

    /** Whether the consumer group has committed every record of the topic. */
    public boolean fullyCommitted() throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestInfrastructure.kafkaBootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin
                    .listConsumerGroupOffsets(name + "-group").partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(
                    partitions(admin, topic()).stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()))).all().get();
            return ends.entrySet().stream().allMatch(end -> end.getValue().offset() == 0
                    || (committed.get(end.getKey()) != null && committed.get(end.getKey()).offset() == end.getValue().offset()));
        }
    }

    /** Rewinds the (stopped) pipeline's consumer group to the start of the topic. */
    public void rewindConsumerGroup() throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestInfrastructure.kafkaBootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> zero = partitions(admin, topic()).stream()
                    .collect(Collectors.toMap(tp -> tp, tp -> new OffsetAndMetadata(0)));
            admin.alterConsumerGroupOffsets(name + "-group", zero).all().get();
        }
    }

    private static List<TopicPartition> partitions(Admin admin, String topic) throws ExecutionException, InterruptedException {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    public static KafkaProducer<String, byte[]> producer() {
        Properties props = new Properties();
        props.put("bootstrap.servers", TestInfrastructure.kafkaBootstrapServers());
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        props.put("acks", "all");
        props.put("linger.ms", "5");
        props.put("max.request.size", String.valueOf(2 * 1024 * 1024));
        return new KafkaProducer<>(props);
    }

    public static void send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A record's last header of that name as text, or null. */
    public static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** Every record of a topic, from the beginning to its current end. */
    public static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        return readAll(TestInfrastructure.kafkaBootstrapServers(), topic);
    }

    /** Every record of a topic of that broker, from the beginning to its current end. */
    public static List<ConsumerRecord<String, byte[]>> readAll(String bootstrapServers, String topic) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("key.deserializer", StringDeserializer.class.getName());
        props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        props.put("enable.auto.commit", "false");
        props.put("max.partition.fetch.bytes", String.valueOf(4 * 1024 * 1024));
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Could not read " + topic + " to its end within 60 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    @Override
    public void close() {
        stop();
        if (mongo != null) {
            mongo.close();
        }
    }
}
