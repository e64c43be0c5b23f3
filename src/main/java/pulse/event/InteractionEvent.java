package pulse.event;

import java.time.Instant;
import java.util.Objects;

/**
 * One user interaction with an item, as carried on the {@code interactions} topic.
 *
 * @param eventId       unique id of the event (a UUID when produced by the generator); null when the producer
 *                      writes none
 * @param schemaVersion version of the event's JSON shape
 * @param userId        who interacted; also the Kafka record key, so a user's events stay in order on one partition
 * @param itemId        what was interacted with
 * @param type          one of the configured interaction types
 * @param timestamp     when it happened (event time)
 */
public record InteractionEvent(String eventId, int schemaVersion, String userId, String itemId,
                               InteractionType type, Instant timestamp) {

    public static final int CURRENT_SCHEMA_VERSION = 1;

    public InteractionEvent {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(itemId, "itemId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(timestamp, "timestamp");
    }
}
