package pulse.kafka;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The parts of a consumed Kafka record the pipeline uses; {@code value} is the original bytes.
 *
 * @param timestamp the record's timestamp (epoch milliseconds), or -1 when it has none
 * @param headers   the record's headers, or null when it has none
 */
public record KafkaRecord(String topic, int partition, long offset, String key, byte[] value, long timestamp,
                          Headers headers) {

    /** A record without timestamp or headers. */
    public KafkaRecord(String topic, int partition, long offset, String key, byte[] value) {
        this(topic, partition, offset, key, value, -1, null);
    }

    /** The value of the last header of that name, or null. */
    public byte[] header(String name) {
        Header header = headers == null ? null : headers.lastHeader(name);
        return header == null ? null : header.value();
    }
}
