package pulse.event;

import java.time.Duration;

/**
 * Limits an event must respect to be aggregated.
 *
 * @param maxEventBytes  largest accepted record value ({@code validation.max-event-bytes})
 * @param maxIdLength    longest accepted id ({@code validation.max-id-length})
 * @param maxFutureSkew  how far ahead of this host's clock an event time may be ({@code validation.max-future-skew})
 * @param maxAge         how far in the past an event time may be ({@code validation.max-age})
 */
public record ValidationOptions(int maxEventBytes, int maxIdLength, Duration maxFutureSkew, Duration maxAge) {

    public static ValidationOptions defaults() {
        return new ValidationOptions(16 * 1024, 128, Duration.ofMinutes(5), Duration.ofDays(30));
    }
}
