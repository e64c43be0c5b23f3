package pulse.bench;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** A producer callback that counts the acknowledged sends and keeps the first failure, to be thrown on the sender's thread. */
final class SendTally implements Callback {

    private final AtomicLong acked = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    @Override
    public void onCompletion(RecordMetadata metadata, Exception exception) {
        if (exception != null) {
            failure.compareAndSet(null, exception);
        } else {
            acked.incrementAndGet();
        }
    }

    long acked() {
        return acked.get();
    }

    /** Throws the first failed send's exception, if any. */
    void throwIfFailed() throws Exception {
        if (failure.get() != null) {
            throw failure.get();
        }
    }
}
