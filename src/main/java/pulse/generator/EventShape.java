package pulse.generator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import pulse.event.EventJson;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The shapes the generator writes events in ({@code generator.format}), so that the demo, the tests and the
 * benchmark run on what real producers send. README ("Bring your own events") gives the {@code event.*} properties
 * that read each.
 */
public enum EventShape {

    /** The product's own: {@code {"event_id":"…","schema_version":1,"user_id":"user-42",…,"timestamp":"…Z"}}. */
    PULSE("pulse"),
    /**
     * What a minimal producer writes: integer ids, an ISO time without zone with microseconds, no event id:
     * {@code {"user_id": 42, "item_id": 7, "interaction_type": "click", "timestamp": "2026-12-02T02:00:00.123000"}}.
     */
    MINIMAL("minimal"),
    /**
     * A tracking-plan shape with nested fields, epoch milliseconds and display names for types:
     * {@code {"event":{"id":"…","name":"Product Viewed","ts":1764640800123},"user":{"id":42},
     * "properties":{"product_id":"item-7"}}}.
     */
    NESTED("nested"),
    /** CloudEvents 1.0, structured mode: the event as JSON with the user and item in {@code data}. */
    CLOUDEVENTS("cloudevents"),
    /** CloudEvents 1.0, binary mode: attributes as {@code ce_} headers, the value is the data. */
    CLOUDEVENTS_BINARY("cloudevents-binary");

    /** Deliberately broken records, to watch the pipeline reject them ({@code generator.malformed-ratio}). */
    public enum Fault {
        NONE, TRUNCATED, UNKNOWN_TYPE, MISSING_USER, DOLLAR_IN_ITEM
    }

    static final String CLOUDEVENTS_SOURCE = "/interaction-pulse/generator";
    private static final JsonFactory JSON = new JsonFactory();
    private static final DateTimeFormatter LOCAL_MICROS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

    private final String property;

    EventShape(String property) {
        this.property = property;
    }

    /** The name {@code generator.format} takes. */
    public String property() {
        return property;
    }

    public static EventShape parse(String text) {
        for (EventShape shape : values()) {
            if (shape.property.equals(text.toLowerCase(Locale.ROOT))) {
                return shape;
            }
        }
        throw new IllegalArgumentException("must be one of " + Arrays.stream(values()).map(EventShape::property).toList());
    }

    /**
     * @param spellings how a type is written where the shape uses display names (an alias), else its name
     */
    public GeneratedRecord write(InteractionEvent event, Map<InteractionType, String> spellings, Fault fault) {
        String type = fault == Fault.UNKNOWN_TYPE ? "like" : event.type().name();
        String displayType = fault == Fault.UNKNOWN_TYPE ? "like" : spellings.getOrDefault(event.type(), type);
        String item = fault == Fault.DOLLAR_IN_ITEM ? "$" + event.itemId() : event.itemId();
        boolean withUser = fault != Fault.MISSING_USER;
        GeneratedRecord record = switch (this) {
            case PULSE -> pulse(event, type, item, withUser);
            case MINIMAL -> json(rank(event.userId()), json -> {
                if (withUser) {
                    json.writeNumberField("user_id", Long.parseLong(rank(event.userId())));
                }
                json.writeFieldName("item_id");
                writeRank(json, item);
                json.writeStringField("interaction_type", type);
                json.writeStringField("timestamp", LOCAL_MICROS.format(event.timestamp()));
            });
            case NESTED -> json(rank(event.userId()), json -> {
                json.writeObjectFieldStart("event");
                json.writeStringField("id", event.eventId());
                json.writeStringField("name", displayType);
                json.writeNumberField("ts", event.timestamp().toEpochMilli());
                json.writeEndObject();
                if (withUser) {
                    json.writeObjectFieldStart("user");
                    json.writeNumberField("id", Long.parseLong(rank(event.userId())));
                    json.writeEndObject();
                }
                json.writeObjectFieldStart("properties");
                json.writeStringField("product_id", item);
                json.writeEndObject();
            });
            case CLOUDEVENTS -> json(event.userId(), json -> {
                json.writeStringField("specversion", "1.0");
                json.writeStringField("id", event.eventId());
                json.writeStringField("source", CLOUDEVENTS_SOURCE);
                json.writeStringField("type", displayType);
                json.writeStringField("time", EventJson.formatTimestamp(event.timestamp()));
                json.writeStringField("datacontenttype", "application/json");
                json.writeObjectFieldStart("data");
                writeData(json, event, item, withUser);
                json.writeEndObject();
            });
            case CLOUDEVENTS_BINARY -> {
                Map<String, String> headers = new LinkedHashMap<>();
                headers.put("ce_specversion", "1.0");
                headers.put("ce_id", event.eventId());
                headers.put("ce_source", CLOUDEVENTS_SOURCE);
                headers.put("ce_type", displayType);
                headers.put("ce_time", EventJson.formatTimestamp(event.timestamp()));
                headers.put("content-type", "application/json");
                GeneratedRecord data = json(event.userId(), json -> writeData(json, event, item, withUser));
                yield new GeneratedRecord(data.key(), data.value(), headers);
            }
        };
        if (fault == Fault.TRUNCATED) {
            return new GeneratedRecord(record.key(), Arrays.copyOf(record.value(), record.value().length / 2), record.headers());
        }
        return record;
    }

    private static GeneratedRecord pulse(InteractionEvent event, String type, String item, boolean withUser) {
        return json(event.userId(), json -> {
            json.writeStringField("event_id", event.eventId());
            json.writeNumberField("schema_version", event.schemaVersion());
            if (withUser) {
                json.writeStringField("user_id", event.userId());
            }
            json.writeStringField("item_id", item);
            json.writeStringField("interaction_type", type);
            json.writeStringField("timestamp", EventJson.formatTimestamp(event.timestamp()));
        });
    }

    private static void writeData(JsonGenerator json, InteractionEvent event, String item, boolean withUser) throws IOException {
        if (withUser) {
            json.writeStringField("user_id", event.userId());
        }
        json.writeStringField("item_id", item);
    }

    /** The generator's ids are {@code user-<rank>} / {@code item-<rank>}; integer-id shapes write the rank. */
    static String rank(String id) {
        return id.substring(id.indexOf('-') + 1);
    }

    /** An integer where the id is a generated one, the text itself where a fault broke it. */
    private static void writeRank(JsonGenerator json, String id) throws IOException {
        String rank = rank(id);
        if (id.startsWith("$") || rank.isEmpty() || !rank.chars().allMatch(Character::isDigit)) {
            json.writeString(id);
        } else {
            json.writeNumber(rank);
        }
    }

    private interface Members {
        void write(JsonGenerator json) throws IOException;
    }

    /** One JSON object with those members, keyed by {@code key}. */
    private static GeneratedRecord json(String key, Members members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(192);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            members.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen writing to memory
        }
        return new GeneratedRecord(key, out.toByteArray());
    }
}
