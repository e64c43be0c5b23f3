package pulse.kafka;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicAuthorizationException;

/**
 * Why Kafka refused a batch of dead letters, and whether waiting can help: a retriable error (a broker down, a
 * leader moving, a timeout) passes by itself; anything else (no permission, a dead letter too large even cut to
 * fit, an invalid topic) lasts until someone changes the topic, its ACLs or the app's settings.
 *
 * @param permanent whether only a change outside the app can end it
 * @param reason    one line saying what is wrong and what fixes it
 */
public record DeadLetterFailure(boolean permanent, String reason) {

    public static DeadLetterFailure of(Throwable failure, String topic) {
        KafkaException kafka = null;
        for (Throwable cause = failure; cause != null && cause.getCause() != cause; cause = cause.getCause()) {
            if (cause instanceof TopicAuthorizationException) {
                return permanent("the app may not write to " + topic + " (" + describe(cause)
                        + "): grant its principal WRITE on the topic");
            }
            if (cause instanceof AuthorizationException || cause instanceof AuthenticationException) {
                return permanent("Kafka refuses the app's producer (" + describe(cause) + "): check its credentials and ACLs");
            }
            if (cause instanceof RecordTooLargeException || cause instanceof RecordBatchTooLargeException) {
                return permanent("a dead letter is too large for " + topic + " even with its value cut to fit ("
                        + describe(cause) + "): raise the topic's max.message.bytes");
            }
            if (cause instanceof RetriableException) {
                return new DeadLetterFailure(false, "Kafka did not take the dead letters yet (" + describe(cause) + ")");
            }
            if (kafka == null && cause instanceof KafkaException found) {
                kafka = found;
            }
        }
        return permanent("Kafka refuses the dead letters for " + topic + " ("
                + describe(kafka != null ? kafka : failure) + ")");
    }

    private static DeadLetterFailure permanent(String reason) {
        return new DeadLetterFailure(true, reason);
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message.replaceAll("\\s+", " ").trim());
    }
}
