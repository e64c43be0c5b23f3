package pulse.kafka;

/** The parts of a consumed Kafka record the pipeline uses; {@code value} is the original bytes. */
public record KafkaRecord(String topic, int partition, long offset, String key, byte[] value) {
}
