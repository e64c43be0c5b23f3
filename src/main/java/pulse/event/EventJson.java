package pulse.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Writes events in the product's own JSON shape (snake_case, ISO-8601 UTC timestamps with milliseconds). */
public final class EventJson {

    private static final JsonFactory JSON = new JsonFactory();
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private EventJson() {
    }

    public static String formatTimestamp(Instant instant) {
        return TIMESTAMP.format(instant);
    }

    public static byte[] toBytes(InteractionEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(192);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            if (event.eventId() != null) {
                json.writeStringField("event_id", event.eventId());
            }
            json.writeNumberField("schema_version", event.schemaVersion());
            json.writeStringField("user_id", event.userId());
            json.writeStringField("item_id", event.itemId());
            json.writeStringField("interaction_type", event.type().name());
            json.writeStringField("timestamp", formatTimestamp(event.timestamp()));
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen writing to memory
        }
        return out.toByteArray();
    }
}
