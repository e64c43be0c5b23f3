package pulse.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Turns a record value into a valid {@link InteractionEvent}, or says precisely why it cannot.
 * Every string that later becomes part of a MongoDB document id or field path is checked here,
 * so no event field can inject an operator ({@code $}) or a dotted path into an update.
 */
public class EventParser {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS) // "{...}garbage" is not one event
            .build();

    private final ValidationOptions options;
    private final Clock clock;

    public EventParser(ValidationOptions options, Clock clock) {
        this.options = options;
        this.clock = clock;
    }

    public InteractionEvent parse(byte[] value) throws InvalidEventException {
        if (value == null || value.length == 0) {
            throw new InvalidEventException(RejectionReason.EMPTY_VALUE, "the record has no value");
        }
        if (value.length > options.maxEventBytes()) {
            throw new InvalidEventException(RejectionReason.TOO_LARGE,
                    "value is " + value.length + " bytes, the limit is " + options.maxEventBytes());
        }
        JsonNode json = readTree(value);
        if (!json.isObject()) {
            throw new InvalidEventException(RejectionReason.NOT_AN_OBJECT, "expected a JSON object, got " + json.getNodeType());
        }
        int schemaVersion = schemaVersion(json);
        String eventId = id(json, "event_id");
        String userId = id(json, "user_id");
        String itemId = id(json, "item_id");
        String typeName = text(json, "interaction_type");
        InteractionType type = InteractionType.fromWireName(typeName).orElseThrow(() -> new InvalidEventException(
                RejectionReason.UNKNOWN_TYPE, "interaction_type '" + abbreviate(typeName) + "' is not view, click or purchase"));
        Instant timestamp = timestamp(text(json, "timestamp"));
        return new InteractionEvent(eventId, schemaVersion, userId, itemId, type, timestamp);
    }

    private static JsonNode readTree(byte[] value) throws InvalidEventException {
        try {
            JsonNode json = MAPPER.readTree(value);
            if (json == null || json.isMissingNode()) {
                throw new InvalidEventException(RejectionReason.MALFORMED_JSON, "no JSON content");
            }
            return json;
        } catch (JsonProcessingException e) {
            throw new InvalidEventException(RejectionReason.MALFORMED_JSON, abbreviate(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new InvalidEventException(RejectionReason.MALFORMED_JSON, abbreviate(String.valueOf(e.getMessage())));
        }
    }

    private static int schemaVersion(JsonNode json) throws InvalidEventException {
        JsonNode node = json.get("schema_version");
        if (node == null) {
            return InteractionEvent.CURRENT_SCHEMA_VERSION; // producers that predate the field
        }
        if (node.isNull()) {
            throw new InvalidEventException(RejectionReason.NULL_FIELD, "schema_version is null");
        }
        if (!node.isIntegralNumber()) {
            throw new InvalidEventException(RejectionReason.WRONG_TYPE, "schema_version must be an integer");
        }
        if (!node.canConvertToInt() || node.intValue() != InteractionEvent.CURRENT_SCHEMA_VERSION) {
            throw new InvalidEventException(RejectionReason.UNSUPPORTED_SCHEMA_VERSION,
                    "schema_version " + node.asText() + " is not supported (expected " + InteractionEvent.CURRENT_SCHEMA_VERSION + ")");
        }
        return InteractionEvent.CURRENT_SCHEMA_VERSION;
    }

    private static String text(JsonNode json, String field) throws InvalidEventException {
        JsonNode node = json.get(field);
        if (node == null) {
            throw new InvalidEventException(RejectionReason.MISSING_FIELD, field + " is missing");
        }
        if (node.isNull()) {
            throw new InvalidEventException(RejectionReason.NULL_FIELD, field + " is null");
        }
        if (!node.isTextual()) {
            throw new InvalidEventException(RejectionReason.WRONG_TYPE, field + " must be a string, got " + node.getNodeType());
        }
        return node.textValue();
    }

    private String id(JsonNode json, String field) throws InvalidEventException {
        String id = text(json, field);
        if (id.isEmpty()) {
            throw new InvalidEventException(RejectionReason.INVALID_ID, field + " is empty");
        }
        if (id.length() > options.maxIdLength()) {
            throw new InvalidEventException(RejectionReason.INVALID_ID,
                    field + " is " + id.length() + " characters, the limit is " + options.maxIdLength());
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c == '$' || c == '.' || Character.isISOControl(c)) {
                throw new InvalidEventException(RejectionReason.INVALID_ID,
                        field + " contains '" + (Character.isISOControl(c) ? "\\u%04x".formatted((int) c) : c)
                                + "', which is not allowed in ids");
            }
        }
        return id;
    }

    private Instant timestamp(String text) throws InvalidEventException {
        Instant timestamp;
        try {
            timestamp = DateTimeFormatter.ISO_INSTANT.parse(text, Instant::from);
        } catch (DateTimeParseException e) {
            throw new InvalidEventException(RejectionReason.INVALID_TIMESTAMP,
                    "timestamp '" + abbreviate(text) + "' is not an ISO-8601 instant such as 2026-01-31T12:00:00.000Z");
        }
        Instant now = clock.instant();
        if (timestamp.isAfter(now.plus(options.maxFutureSkew()))) {
            throw new InvalidEventException(RejectionReason.TIMESTAMP_IN_FUTURE,
                    "timestamp " + timestamp + " is more than " + options.maxFutureSkew() + " ahead of " + now);
        }
        if (timestamp.isBefore(now.minus(options.maxAge()))) {
            throw new InvalidEventException(RejectionReason.TIMESTAMP_TOO_OLD,
                    "timestamp " + timestamp + " is more than " + options.maxAge() + " before " + now);
        }
        return timestamp;
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
