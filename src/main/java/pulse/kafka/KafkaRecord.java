package pulse.kafka;

import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.util.Map;
import java.util.Objects;

/**
 * The parts of a consumed Kafka record the pipeline uses; {@code value} is the original bytes.
 *
 * <p>Read from camel-kafka, the key, timestamp and headers stay in the record's Camel headers until asked for: the
 * batch is read 20,000 exchanges after camel-kafka built them, where every header map entry touched is a cache miss,
 * and most records need none of the three (the key only a dead letter, the timestamp only an event without one,
 * the headers only CloudEvents in binary mode).
 */
public final class KafkaRecord {

    private final String topic;
    private final int partition;
    private final long offset;
    private final byte[] value;
    /** camel-kafka's headers of the record (never changed once handed over), or null when made from values. */
    private final Map<String, Object> camelHeaders;
    private final String key;
    private final long timestamp;
    private final Headers headers;

    /**
     * @param timestamp the record's timestamp (epoch milliseconds), or -1 when it has none
     * @param headers   the record's headers, or null when it has none
     */
    public KafkaRecord(String topic, int partition, long offset, String key, byte[] value, long timestamp,
                       Headers headers) {
        this(topic, partition, offset, value, null, key, timestamp, headers);
    }

    /** A record without timestamp or headers. */
    public KafkaRecord(String topic, int partition, long offset, String key, byte[] value) {
        this(topic, partition, offset, key, value, -1, null);
    }

    private KafkaRecord(String topic, int partition, long offset, byte[] value, Map<String, Object> camelHeaders,
                        String key, long timestamp, Headers headers) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.value = value;
        this.camelHeaders = camelHeaders;
        this.key = key;
        this.timestamp = timestamp;
        this.headers = headers;
    }

    /** A record whose key, timestamp and headers are read from camel-kafka's headers when asked for. */
    static KafkaRecord ofCamelHeaders(String topic, int partition, long offset, byte[] value,
                                      Map<String, Object> camelHeaders) {
        return new KafkaRecord(topic, partition, offset, value, camelHeaders, null, -1, null);
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    public long offset() {
        return offset;
    }

    public byte[] value() {
        return value;
    }

    public String key() {
        if (camelHeaders == null) {
            return key;
        }
        Object camelKey = camelHeaders.get(KafkaConstants.KEY);
        return camelKey == null ? null : camelKey.toString();
    }

    /** The record's timestamp (epoch milliseconds), or -1 when it has none. */
    public long timestamp() {
        if (camelHeaders == null) {
            return timestamp;
        }
        return camelHeaders.get(KafkaConstants.TIMESTAMP) instanceof Long camelTimestamp ? camelTimestamp : -1;
    }

    /** The record's headers, or null when it has none. */
    public Headers headers() {
        return camelHeaders == null ? headers : (Headers) camelHeaders.get(KafkaConstants.HEADERS);
    }

    /** The value of the last header of that name, or null. */
    public byte[] header(String name) {
        Headers recordHeaders = headers();
        Header header = recordHeaders == null ? null : recordHeaders.lastHeader(name);
        return header == null ? null : header.value();
    }

    /** Equal as a record class would be: the same values, the value bytes the same array. */
    @Override
    public boolean equals(Object other) {
        return other instanceof KafkaRecord that && partition == that.partition && offset == that.offset
                && timestamp() == that.timestamp() && value == that.value && Objects.equals(topic, that.topic)
                && Objects.equals(key(), that.key()) && Objects.equals(headers(), that.headers());
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset, key(), System.identityHashCode(value), timestamp(), headers());
    }

    @Override
    public String toString() {
        return "KafkaRecord[topic=" + topic + ", partition=" + partition + ", offset=" + offset + ", key=" + key()
                + ", value=" + (value == null ? null : value.length + " bytes") + ", timestamp=" + timestamp()
                + ", headers=" + headers() + "]";
    }
}
