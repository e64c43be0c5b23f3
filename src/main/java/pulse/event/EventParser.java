package pulse.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.node.JsonNodeType;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Turns a record value into a valid {@link InteractionEvent}, or says precisely why it cannot.
 * Every string that later becomes part of a MongoDB document id or field path is checked here,
 * so no event field can inject an operator ({@code $}) or a dotted path into an update.
 *
 * <p>The value is read with Jackson's streaming parser, without building a tree. It used to be read with
 * {@code ObjectMapper.readTree} (strict duplicate detection, trailing tokens rejected), and what is accepted
 * and why anything is rejected is kept exactly as it was then:
 * <ul>
 * <li>the whole document is read before any field is judged, so a syntax error anywhere (a duplicated key,
 *     even inside a nested value, or anything after the event) makes it {@code MALFORMED_JSON}, not whatever
 *     an earlier field would have been rejected for;</li>
 * <li>values the event does not use (unknown fields, nested objects and arrays) are still read token by token
 *     the way the tree reader read them (every string decoded, every number converted), so they can fail the
 *     same way, and are otherwise ignored;</li>
 * <li>fields are then judged in a fixed order, whatever their order in the document: schema_version,
 *     event_id, user_id, item_id, interaction_type, timestamp.</li>
 * </ul>
 */
public class EventParser {

    /** One factory for every parser; thread-safe, and it keeps the field-name symbol table and buffers warm. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** What the tree reader said about content after the value (its "bound as" type was JsonNode). */
    private static final String TRAILING_TOKEN = "Trailing token (of type %s) found after value (bound as "
            + "`com.fasterxml.jackson.databind.JsonNode`): not allowed as per `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`";

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
        Fields json = read(value);
        int schemaVersion = schemaVersion(json);
        String eventId = id(json, Fields.EVENT_ID);
        String userId = id(json, Fields.USER_ID);
        String itemId = id(json, Fields.ITEM_ID);
        String typeName = text(json, Fields.INTERACTION_TYPE);
        InteractionType type = InteractionType.fromWireName(typeName).orElseThrow(() -> new InvalidEventException(
                RejectionReason.UNKNOWN_TYPE, "interaction_type '" + abbreviate(typeName) + "' is not view, click or purchase"));
        Instant timestamp = timestamp(text(json, Fields.TIMESTAMP));
        return new InteractionEvent(eventId, schemaVersion, userId, itemId, type, timestamp);
    }

    // ---- reading ------------------------------------------------------------------------------------

    /** The fields the event is made of, as found at the top level of the object; everything else is ignored. */
    private static final class Fields {
        static final int SCHEMA_VERSION = 0;
        static final int EVENT_ID = 1;
        static final int USER_ID = 2;
        static final int ITEM_ID = 3;
        static final int INTERACTION_TYPE = 4;
        static final int TIMESTAMP = 5;
        static final String[] NAMES = {"schema_version", "event_id", "user_id", "item_id", "interaction_type", "timestamp"};

        /** The JSON type of each field's value, null where the field is absent. */
        final JsonNodeType[] types = new JsonNodeType[NAMES.length];
        /** Each field's value where it is a string. */
        final String[] texts = new String[NAMES.length];
        /** schema_version, where it is an integer: its value if it fits an int, and as text. */
        boolean versionIsIntegral;
        boolean versionFitsInt;
        int version;
        String versionText;

        static int slot(String name) {
            return switch (name) {
                case "schema_version" -> SCHEMA_VERSION;
                case "event_id" -> EVENT_ID;
                case "user_id" -> USER_ID;
                case "item_id" -> ITEM_ID;
                case "interaction_type" -> INTERACTION_TYPE;
                case "timestamp" -> TIMESTAMP;
                default -> -1;
            };
        }
    }

    /** Reads the whole value: one JSON object and nothing after it, or the reason it is not. */
    private static Fields read(byte[] value) throws InvalidEventException {
        try (JsonParser p = JSON.createParser(value)) {
            JsonToken root = p.nextToken();
            if (root == null) {
                throw new InvalidEventException(RejectionReason.MALFORMED_JSON, "no JSON content");
            }
            Fields fields = null;
            if (root == JsonToken.START_OBJECT) {
                fields = readFields(p);
            } else {
                skipValue(p, root);
            }
            JsonToken trailing = p.nextToken(); // "{...}garbage" is not one event
            if (trailing != null) {
                throw new InvalidEventException(RejectionReason.MALFORMED_JSON, abbreviate(TRAILING_TOKEN.formatted(trailing)));
            }
            if (fields == null) {
                throw new InvalidEventException(RejectionReason.NOT_AN_OBJECT, "expected a JSON object, got " + typeOf(root));
            }
            return fields;
        } catch (JsonProcessingException e) {
            throw new InvalidEventException(RejectionReason.MALFORMED_JSON, abbreviate(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new InvalidEventException(RejectionReason.MALFORMED_JSON, abbreviate(String.valueOf(e.getMessage())));
        }
    }

    /** The members of the top-level object, the parser being on its START_OBJECT; ends on its END_OBJECT. */
    private static Fields readFields(JsonParser p) throws IOException {
        Fields fields = new Fields();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            JsonToken token = p.nextToken();
            int slot = Fields.slot(name);
            if (slot < 0) {
                skipValue(p, token); // an unknown field is ignored, as it always was, once it is well formed
                continue;
            }
            fields.types[slot] = typeOf(token);
            if (token == JsonToken.VALUE_STRING) {
                fields.texts[slot] = p.getText();
            } else if (slot == Fields.SCHEMA_VERSION && token == JsonToken.VALUE_NUMBER_INT) {
                readVersion(p, fields);
            } else {
                skipValue(p, token);
            }
        }
        return fields;
    }

    /** An integer schema_version, converted as the tree reader did: to an int, a long or a BigInteger. */
    private static void readVersion(JsonParser p, Fields fields) throws IOException {
        fields.versionIsIntegral = true;
        switch (p.getNumberType()) {
            case INT -> {
                fields.version = p.getIntValue();
                fields.versionFitsInt = true;
                fields.versionText = Integer.toString(fields.version);
            }
            case LONG -> fields.versionText = Long.toString(p.getLongValue());
            default -> fields.versionText = p.getBigIntegerValue().toString();
        }
    }

    /**
     * Reads past the value that starts at {@code token}, with the calls the tree reader made to build it
     * (field names with {@code nextFieldName}, strings decoded, numbers converted), so that whatever made it
     * fail, from a duplicated key in a nested object to a nesting too deep, fails here too.
     */
    private static void skipValue(JsonParser p, JsonToken token) throws IOException {
        if (token != JsonToken.START_OBJECT && token != JsonToken.START_ARRAY) {
            readScalar(p, token);
            return;
        }
        int depth = 1;
        while (depth > 0) {
            JsonToken next;
            if (p.getParsingContext().inObject()) {
                if (p.nextFieldName() == null) { // END_OBJECT
                    depth--;
                    continue;
                }
                next = p.nextToken();
            } else {
                next = p.nextToken();
                if (next == JsonToken.END_ARRAY) {
                    depth--;
                    continue;
                }
            }
            if (next == JsonToken.START_OBJECT || next == JsonToken.START_ARRAY) {
                depth++;
            } else {
                readScalar(p, next);
            }
        }
    }

    private static void readScalar(JsonParser p, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_STRING) {
            p.getText();
        } else if (token == JsonToken.VALUE_NUMBER_INT) {
            switch (p.getNumberType()) {
                case INT -> p.getIntValue();
                case LONG -> p.getLongValue();
                default -> p.getBigIntegerValue();
            }
        } else if (token == JsonToken.VALUE_NUMBER_FLOAT) {
            switch (p.getNumberTypeFP()) {
                case BIG_DECIMAL -> p.getDecimalValue();
                case FLOAT32 -> p.getFloatValue();
                default -> p.getDoubleValue();
            }
        }
    }

    /** The name the tree reader gave the type of a value starting at {@code token}, used in details. */
    private static JsonNodeType typeOf(JsonToken token) {
        return switch (token) {
            case START_OBJECT -> JsonNodeType.OBJECT;
            case START_ARRAY -> JsonNodeType.ARRAY;
            case VALUE_STRING -> JsonNodeType.STRING;
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> JsonNodeType.NUMBER;
            case VALUE_TRUE, VALUE_FALSE -> JsonNodeType.BOOLEAN;
            case VALUE_NULL -> JsonNodeType.NULL;
            case VALUE_EMBEDDED_OBJECT -> JsonNodeType.POJO; // not produced by a JSON text parser
            default -> JsonNodeType.MISSING;
        };
    }

    // ---- judging ------------------------------------------------------------------------------------

    private static int schemaVersion(Fields json) throws InvalidEventException {
        JsonNodeType type = json.types[Fields.SCHEMA_VERSION];
        if (type == null) {
            return InteractionEvent.CURRENT_SCHEMA_VERSION; // producers that predate the field
        }
        if (type == JsonNodeType.NULL) {
            throw new InvalidEventException(RejectionReason.NULL_FIELD, "schema_version is null");
        }
        if (!json.versionIsIntegral) {
            throw new InvalidEventException(RejectionReason.WRONG_TYPE, "schema_version must be an integer");
        }
        if (!json.versionFitsInt || json.version != InteractionEvent.CURRENT_SCHEMA_VERSION) {
            throw new InvalidEventException(RejectionReason.UNSUPPORTED_SCHEMA_VERSION,
                    "schema_version " + json.versionText + " is not supported (expected " + InteractionEvent.CURRENT_SCHEMA_VERSION + ")");
        }
        return InteractionEvent.CURRENT_SCHEMA_VERSION;
    }

    private static String text(Fields json, int slot) throws InvalidEventException {
        JsonNodeType type = json.types[slot];
        String field = Fields.NAMES[slot];
        if (type == null) {
            throw new InvalidEventException(RejectionReason.MISSING_FIELD, field + " is missing");
        }
        if (type == JsonNodeType.NULL) {
            throw new InvalidEventException(RejectionReason.NULL_FIELD, field + " is null");
        }
        if (type != JsonNodeType.STRING) {
            throw new InvalidEventException(RejectionReason.WRONG_TYPE, field + " must be a string, got " + type);
        }
        return json.texts[slot];
    }

    private String id(Fields json, int slot) throws InvalidEventException {
        String id = text(json, slot);
        String field = Fields.NAMES[slot];
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
        Instant timestamp = Timestamps.parseCommonShape(text); // the shape producers write, without a formatter
        if (timestamp == null) { // any other form: ISO_INSTANT accepts or rejects it, as it always did
            try {
                timestamp = DateTimeFormatter.ISO_INSTANT.parse(text, Instant::from);
            } catch (DateTimeParseException e) {
                throw new InvalidEventException(RejectionReason.INVALID_TIMESTAMP,
                        "timestamp '" + abbreviate(text) + "' is not an ISO-8601 instant such as 2026-01-31T12:00:00.000Z");
            }
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
