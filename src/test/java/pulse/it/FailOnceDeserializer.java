package pulse.it;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The app's value deserializer (bytes as they are), except that a record whose value contains {@link #MARK} fails
 * to deserialize the first three times it is read: a poll error on that record, as an undecodable record gives.
 * Three times, because Kafka's consumer throws out of {@code poll} only when the failed record is the first it would
 * return: with records before it, {@code poll} returns those and tries the failed record again once in the same
 * call and once first thing in the next, which throws.
 */
public class FailOnceDeserializer extends ByteArrayDeserializer {

    static final String MARK = "fail-once";
    private static final byte[] MARK_BYTES = MARK.getBytes(StandardCharsets.UTF_8);
    static final int FAILING_READS = 3;
    private static final AtomicInteger FAILURES = new AtomicInteger();

    @Override
    public byte[] deserialize(String topic, byte[] data) {
        if (data != null && contains(data) && FAILURES.getAndUpdate(n -> Math.min(n + 1, FAILING_READS)) < FAILING_READS) {
            throw new SerializationException("cannot deserialize a record marked " + MARK + " (the first "
                    + FAILING_READS + " times)");
        }
        return super.deserialize(topic, data);
    }

    /** How many reads of the marked record failed. */
    static int failures() {
        return FAILURES.get();
    }

    static void reset() {
        FAILURES.set(0);
    }

    private static boolean contains(byte[] data) {
        outer:
        for (int i = 0; i + MARK_BYTES.length <= data.length; i++) {
            for (int j = 0; j < MARK_BYTES.length; j++) {
                if (data[i + j] != MARK_BYTES[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
