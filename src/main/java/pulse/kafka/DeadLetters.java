package pulse.kafka;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * Turns a batch's rejected records into one Camel message each, for camel-kafka to send to the dead-letter topic as
 * one batch of asynchronous sends: the original key and bytes, and headers that say why the record was rejected
 * and where it came from.
 *
 * <p>A dead letter is its record plus these headers, so a record the source topic took can be too large for the
 * producer ({@code max.request.size}) or for the dead-letter topic ({@code max.message.bytes}). Such a record is
 * sent with its value cut to what fits, and headers that say so and give the original size: no record can stop
 * the pipeline by its size.
 */
public class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    public static final String REASON = "dlq.reason";
    public static final String DETAIL = "dlq.detail";
    public static final String SOURCE_TOPIC = "dlq.source.topic";
    public static final String SOURCE_PARTITION = "dlq.source.partition";
    public static final String SOURCE_OFFSET = "dlq.source.offset";
    /** {@code true} when the value was cut to fit; absent otherwise. */
    public static final String VALUE_TRUNCATED = "dlq.value.truncated";
    /** The original value's size in bytes, when it was cut. */
    public static final String VALUE_ORIGINAL_BYTES = "dlq.value.original-bytes";

    /** Room left, per KiB of the topic's limit, for what compression adds to an incompressible value (block headers). */
    static final int COMPRESSION_SLACK_PER_KIB = 1;
    /** Room left for the record's length fields, which grow with the value, and the batch's framing. */
    static final int FIXED_SLACK = 1024;

    private final String topic;
    private final Supplier<OptionalInt> topicLimitReader;
    private volatile int maxRequestSize = 1_048_576;
    private volatile int topicMaxMessageBytes = Integer.MAX_VALUE;

    /**
     * @param topic            the dead-letter topic
     * @param topicLimitReader reads its current {@code max.message.bytes} from the broker (empty when it cannot be read)
     */
    public DeadLetters(String topic, Supplier<OptionalInt> topicLimitReader) {
        this.topic = topic;
        this.topicLimitReader = topicLimitReader;
    }

    /**
     * @param maxRequestSize       the producer's {@code max.request.size}: it refuses a larger record before sending
     * @param topicMaxMessageBytes the dead-letter topic's {@code max.message.bytes}: the broker refuses a larger batch
     */
    public void useLimits(int maxRequestSize, int topicMaxMessageBytes) {
        this.maxRequestSize = maxRequestSize;
        this.topicMaxMessageBytes = topicMaxMessageBytes;
    }

    /** The largest dead letter sent as it is: the batch it travels in (uncompressed) fits both limits. */
    public int limit() {
        int topicLimit = topicMaxMessageBytes;
        int topicWithSlack = topicLimit == Integer.MAX_VALUE ? topicLimit
                : topicLimit - FIXED_SLACK - topicLimit / 1024 * COMPRESSION_SLACK_PER_KIB;
        return Math.min(maxRequestSize - FIXED_SLACK, topicWithSlack);
    }

    /** The batch's rejected records as messages for camel-kafka, each sent as one record. */
    public List<Message> toMessages(List<RejectedRecord> rejected, Exchange exchange) {
        int limit = limit();
        List<Message> messages = new ArrayList<>(rejected.size());
        for (RejectedRecord record : rejected) {
            messages.add(toMessage(record, limit, exchange, this));
        }
        return messages;
    }

    /**
     * Before a failed batch of dead letters is sent again: reads the topic's limit anew (an operator may have
     * changed it) and makes the messages again from the rejected records kept in {@code rejectedProperty}.
     */
    public void refit(Exchange exchange, String rejectedProperty) {
        topicLimitReader.get().ifPresent(limit -> topicMaxMessageBytes = limit);
        @SuppressWarnings("unchecked")
        List<RejectedRecord> rejected = exchange.getProperty(rejectedProperty, List.class);
        exchange.getMessage().setBody(toMessages(rejected, exchange));
    }

    private static Message toMessage(RejectedRecord rejected, int limit, Exchange exchange, DeadLetters limits) {
        KafkaRecord record = rejected.record();
        Map<String, byte[]> headers = new LinkedHashMap<>();
        headers.put(REASON, utf8(rejected.reason()));
        headers.put(DETAIL, utf8(rejected.detail()));
        headers.put(SOURCE_TOPIC, utf8(record.topic()));
        headers.put(SOURCE_PARTITION, utf8(String.valueOf(record.partition())));
        headers.put(SOURCE_OFFSET, utf8(String.valueOf(record.offset())));
        byte[] key = record.key() == null ? null : utf8(record.key());
        byte[] value = record.value();
        int size = value == null ? 0 : size(key, value, headers);
        if (size > limit) {
            headers.put(VALUE_TRUNCATED, utf8("true"));
            headers.put(VALUE_ORIGINAL_BYTES, utf8(String.valueOf(value.length)));
            int room = Math.min(value.length, Math.max(0, limit - size(key, new byte[0], headers)));
            LOG.warn("The dead letter of {}-{}@{} takes {} bytes, more than max.request.size = {} and max.message.bytes"
                    + " of {} = {} allow (with room for batch framing and compression): sending the first {} of its {}"
                    + " value bytes, with header {}=true", record.topic(), record.partition(), record.offset(), size,
                    limits.maxRequestSize, limits.topic, limits.topicMaxMessageBytes, room, value.length, VALUE_TRUNCATED);
            value = Arrays.copyOf(value, room);
        }
        Message message = new DefaultMessage(exchange);
        headers.forEach(message::setHeader);
        if (record.key() != null) {
            message.setHeader(KafkaConstants.KEY, record.key());
        }
        message.setBody(value);
        return message;
    }

    /** What Kafka's producer counts for a record in a batch of its own (before compression). */
    static int size(byte[] key, byte[] value, Map<String, byte[]> headers) {
        Header[] recordHeaders = headers.entrySet().stream()
                .map(header -> new RecordHeader(header.getKey(), header.getValue())).toArray(Header[]::new);
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                key, value, recordHeaders);
    }

    private static byte[] utf8(String text) {
        return text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
    }
}
