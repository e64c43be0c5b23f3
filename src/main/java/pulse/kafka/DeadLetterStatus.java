package pulse.kafka;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Whether the dead-letter topic takes the dead letters: the last failure no retry can fix, until a batch of dead
 * letters is acknowledged again. Read by the health check; fed by the dead-letter route.
 */
public class DeadLetterStatus {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterStatus.class);

    private final String topic;
    private volatile DeadLetterFailure problem;
    private volatile DeadLetterFailure lastFailure;

    public DeadLetterStatus(String topic) {
        this.topic = topic;
    }

    /** A batch of dead letters failed (called by the route's error handler before it retries the batch). */
    public void failed(Exchange exchange) {
        Throwable caught = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (caught != null) {
            failed(DeadLetterFailure.of(caught, topic));
        }
    }

    void failed(DeadLetterFailure failure) {
        lastFailure = failure;
        if (failure.permanent()) {
            DeadLetterFailure previous = problem;
            problem = failure;
            if (previous == null || !previous.reason().equals(failure.reason())) {
                LOG.error("Dead letters cannot be written: {}; the batch is retried with backoff and nothing after it"
                        + " is committed", failure.reason());
            }
        }
    }

    /** A batch of dead letters was acknowledged. */
    public void sent() {
        if (problem != null) {
            LOG.info("Dead letters are written to {} again", topic);
            problem = null;
        }
        lastFailure = null;
    }

    /** The failure no retry can fix that stops the dead letters now, if any. */
    public Optional<DeadLetterFailure> problem() {
        return Optional.ofNullable(problem);
    }

    /** The last failure since the last acknowledged batch, retriable or not. */
    public Optional<DeadLetterFailure> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }

    public String topic() {
        return topic;
    }
}
