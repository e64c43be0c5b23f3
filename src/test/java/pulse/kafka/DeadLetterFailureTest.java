package pulse.kafka;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterFailureTest {

    /** camel-kafka's synchronous send rethrows the producer's failure wrapped, as Future.get() does. */
    private static DeadLetterFailure of(Exception cause) {
        return DeadLetterFailure.of(new ExecutionException(cause), "interactions.dlq");
    }

    @Test
    void noPermissionOnTheTopicIsPermanentAndSaysWhatToGrant() {
        DeadLetterFailure failure = of(new TopicAuthorizationException(Set.of("interactions.dlq")));

        assertThat(failure.permanent()).isTrue();
        assertThat(failure.reason()).contains("may not write to interactions.dlq", "TopicAuthorizationException",
                "grant its principal WRITE").doesNotContain("\n");
    }

    @Test
    void aRecordTooLargeEvenCutIsPermanent() {
        DeadLetterFailure failure = of(new RecordTooLargeException("The request included a message larger than the max"
                + " message size the server will accept."));

        assertThat(failure.permanent()).isTrue();
        assertThat(failure.reason()).contains("too large for interactions.dlq", "max.message.bytes");
    }

    @Test
    void refusedCredentialsArePermanent() {
        assertThat(of(new SaslAuthenticationException("Authentication failed")).permanent()).isTrue();
    }

    @Test
    void retriableErrorsPassByThemselves() {
        assertThat(of(new TimeoutException("Expiring 12 record(s) for interactions.dlq-3: 120000 ms has passed")).permanent())
                .isFalse();
        assertThat(of(new NotEnoughReplicasException("Messages are rejected since there are fewer in-sync replicas"))
                .permanent()).isFalse();
    }

    @Test
    void anyOtherKafkaErrorIsPermanentAndNamed() {
        DeadLetterFailure failure = of(new KafkaException("Unexpected error"));

        assertThat(failure.permanent()).isTrue();
        assertThat(failure.reason()).contains("KafkaException: Unexpected error");
    }
}
