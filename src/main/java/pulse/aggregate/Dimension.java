package pulse.aggregate;

import pulse.event.InteractionEvent;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Function;

/** The aggregates kept per event attribute, one MongoDB collection each. */
public enum Dimension {
    /** Per user: {@code _id} = user_id. */
    USERS("users", InteractionEvent::userId),
    /** Per item: {@code _id} = item_id. */
    ITEMS("items", InteractionEvent::itemId),
    /** Per 1-minute tumbling event-time window: {@code _id} = the window start, ISO-8601. */
    WINDOWS("windows", event -> windowStart(event.timestamp()).toString()),
    /** Per window and item, for "top items in the last hour": {@code _id} = window start + "/" + item_id. */
    ITEM_WINDOWS("item_windows", event -> windowStart(event.timestamp()) + "/" + event.itemId());

    public static final Duration WINDOW_SIZE = Duration.ofMinutes(1);

    private final String collection;
    private final Function<InteractionEvent, String> key;

    Dimension(String collection, Function<InteractionEvent, String> key) {
        this.collection = collection;
        this.key = key;
    }

    public String collection() {
        return collection;
    }

    public String keyOf(InteractionEvent event) {
        return key.apply(event);
    }

    /** Whether documents are per event-time window (and so subject to lateness and retention). */
    public boolean isWindowed() {
        return this == WINDOWS || this == ITEM_WINDOWS;
    }

    public static Instant windowStart(Instant timestamp) {
        return timestamp.truncatedTo(ChronoUnit.MINUTES);
    }
}
