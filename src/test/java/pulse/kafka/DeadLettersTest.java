package pulse.kafka;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLettersTest {

    /** The broker's default message.max.bytes, which topics take as max.message.bytes unless told otherwise. */
    private static final int BROKER_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;
    private static final int PRODUCER_DEFAULT_MAX_REQUEST_SIZE = 1_048_576;

    private final Exchange exchange = new DefaultExchange(new DefaultCamelContext());

    private static RejectedRecord rejected(byte[] value) {
        return new RejectedRecord(new KafkaRecord("interactions", 4, 1234, "user-7", value), "TOO_LARGE",
                "the value is " + (value == null ? 0 : value.length) + " bytes, the limit is 16384");
    }

    private static DeadLetters deadLetters(int maxRequestSize, int topicLimit) {
        DeadLetters deadLetters = new DeadLetters("interactions.dlq", OptionalInt::empty);
        deadLetters.useLimits(maxRequestSize, topicLimit);
        return deadLetters;
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes); // incompressible: compression can only add to it
        return bytes;
    }

    private static String header(Message message, String name) {
        Object value = message.getHeader(name);
        return value == null ? null : new String((byte[]) value, StandardCharsets.UTF_8);
    }

    @Test
    void aDeadLetterIsTheOriginalKeyAndBytesWithHeadersSayingWhyAndWhere() {
        byte[] value = "{\"event_id\":".getBytes(StandardCharsets.UTF_8);

        List<Message> messages = deadLetters(PRODUCER_DEFAULT_MAX_REQUEST_SIZE, BROKER_DEFAULT_MAX_MESSAGE_BYTES)
                .toMessages(List.of(rejected(value)), exchange);

        assertThat(messages).hasSize(1);
        Message message = messages.get(0);
        assertThat(message.getBody()).isEqualTo(value);
        assertThat(message.getHeader(KafkaConstants.KEY)).isEqualTo("user-7");
        assertThat(header(message, DeadLetters.REASON)).isEqualTo("TOO_LARGE");
        assertThat(header(message, DeadLetters.DETAIL)).isEqualTo("the value is 12 bytes, the limit is 16384");
        assertThat(header(message, DeadLetters.SOURCE_TOPIC)).isEqualTo("interactions");
        assertThat(header(message, DeadLetters.SOURCE_PARTITION)).isEqualTo("4");
        assertThat(header(message, DeadLetters.SOURCE_OFFSET)).isEqualTo("1234");
        assertThat(message.getHeaders()).doesNotContainKeys(DeadLetters.VALUE_TRUNCATED, DeadLetters.VALUE_ORIGINAL_BYTES);
    }

    @Test
    void aTombstoneStaysATombstone() {
        Message message = deadLetters(PRODUCER_DEFAULT_MAX_REQUEST_SIZE, BROKER_DEFAULT_MAX_MESSAGE_BYTES)
                .toMessages(List.of(rejected(null)), exchange).get(0);

        assertThat(message.getBody()).isNull();
        assertThat(message.getHeaders()).doesNotContainKey(DeadLetters.VALUE_TRUNCATED);
    }

    @Test
    void aRecordOfAMegabyteIsSentWhole() {
        byte[] value = random(1_000_000);

        Message message = deadLetters(PRODUCER_DEFAULT_MAX_REQUEST_SIZE, BROKER_DEFAULT_MAX_MESSAGE_BYTES)
                .toMessages(List.of(rejected(value)), exchange).get(0);

        assertThat(message.getBody()).isEqualTo(value);
        assertThat(message.getHeaders()).doesNotContainKey(DeadLetters.VALUE_TRUNCATED);
    }

    /**
     * 1,048,500 bytes: the broker's default limits take the record, but with the dlq.* headers its dead letter is more
     * than the producer's default max.request.size. Checked against Kafka's own encoding of the batch, with every codec.
     */
    @Test
    void aDeadLetterTooLargeForTheProducerIsCutToFitAndSaysSo() {
        byte[] value = random(1_048_500);

        Message message = deadLetters(PRODUCER_DEFAULT_MAX_REQUEST_SIZE, BROKER_DEFAULT_MAX_MESSAGE_BYTES)
                .toMessages(List.of(rejected(value)), exchange).get(0);

        byte[] sent = (byte[]) message.getBody();
        assertThat(header(message, DeadLetters.VALUE_TRUNCATED)).isEqualTo("true");
        assertThat(header(message, DeadLetters.VALUE_ORIGINAL_BYTES)).isEqualTo("1048500");
        assertThat(sent.length).isLessThan(value.length).isGreaterThan(1_040_000);
        assertThat(sent).isEqualTo(Arrays.copyOf(value, sent.length));
        for (Compression compression : List.of(Compression.NONE, Compression.lz4().build(), Compression.gzip().build(),
                Compression.snappy().build(), Compression.zstd().build())) {
            assertThat(batchBytes(message, compression)).as("%s batch", compression.type())
                    .isLessThanOrEqualTo(PRODUCER_DEFAULT_MAX_REQUEST_SIZE);
        }
    }

    @Test
    void aDeadLetterIsCutToTheDeadLetterTopicsLimitWhenThatIsTheSmaller() {
        byte[] value = random(200_000);

        Message message = deadLetters(PRODUCER_DEFAULT_MAX_REQUEST_SIZE, 100_000)
                .toMessages(List.of(rejected(value)), exchange).get(0);

        assertThat(header(message, DeadLetters.VALUE_ORIGINAL_BYTES)).isEqualTo("200000");
        assertThat(batchBytes(message, Compression.lz4().build())).isLessThanOrEqualTo(100_000);
        assertThat(((byte[]) message.getBody()).length).isGreaterThan(95_000);
    }

    @Test
    void whenNotEvenTheHeadersFitTheValueIsEmptiedAndKafkaDecides() {
        Message message = deadLetters(PRODUCER_DEFAULT_MAX_REQUEST_SIZE, 64)
                .toMessages(List.of(rejected(random(5_000))), exchange).get(0);

        assertThat((byte[]) message.getBody()).isEmpty();
        assertThat(header(message, DeadLetters.VALUE_ORIGINAL_BYTES)).isEqualTo("5000");
    }

    @Test
    void refitReadsTheTopicsLimitAgainAndMakesTheMessagesAgainFromTheRejectedRecords() {
        AtomicInteger topicLimit = new AtomicInteger(BROKER_DEFAULT_MAX_MESSAGE_BYTES);
        DeadLetters deadLetters = new DeadLetters("interactions.dlq", () -> OptionalInt.of(topicLimit.get()));
        deadLetters.useLimits(PRODUCER_DEFAULT_MAX_REQUEST_SIZE, BROKER_DEFAULT_MAX_MESSAGE_BYTES);
        byte[] value = random(300_000);
        List<RejectedRecord> rejected = List.of(rejected(value));
        exchange.setProperty("rejected", rejected);
        exchange.getMessage().setBody(deadLetters.toMessages(rejected, exchange));
        assertThat(((List<?>) exchange.getMessage().getBody())).singleElement()
                .satisfies(message -> assertThat(((Message) message).getBody()).isEqualTo(value));

        topicLimit.set(200_000); // an operator lowered the topic's max.message.bytes
        deadLetters.refit(exchange, "rejected");

        Message refitted = (Message) ((List<?>) exchange.getMessage().getBody()).get(0);
        assertThat(header(refitted, DeadLetters.VALUE_ORIGINAL_BYTES)).isEqualTo("300000");
        assertThat(batchBytes(refitted, Compression.lz4().build())).isLessThanOrEqualTo(200_000);
    }

    /** The size of the record batch Kafka's producer would build for this message alone. */
    private static int batchBytes(Message message, Compression compression) {
        Header[] headers = message.getHeaders().entrySet().stream()
                .filter(header -> header.getValue() instanceof byte[])
                .map((Map.Entry<String, Object> header) -> new RecordHeader(header.getKey(), (byte[]) header.getValue()))
                .toArray(Header[]::new);
        byte[] key = ((String) message.getHeader(KafkaConstants.KEY)).getBytes(StandardCharsets.UTF_8);
        return MemoryRecords.withRecords(compression, new SimpleRecord(System.currentTimeMillis(), key,
                (byte[]) message.getBody(), headers)).sizeInBytes();
    }
}
