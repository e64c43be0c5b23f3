package pulse.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import pulse.event.EventMapping.Field;
import pulse.event.EventMapping.FieldRef;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Turns a record into a valid {@link InteractionEvent}, or says precisely why it cannot. The record is read as the
 * {@link EventMapping} says: each field from a JSON Pointer into the value (or, for CloudEvents, from an attribute),
 * ids as strings or integers, times in several forms, types through the configured vocabulary. Every string that
 * later becomes part of a MongoDB document id or field path is checked here, so no event field can inject an
 * operator ({@code $}) or a dotted path into an update.
 *
 * <p>The value is read with Jackson's streaming parser, without building a tree, following only the paths the
 * mapping names:
 * <ul>
 * <li>the whole document is read before any field is judged, so a syntax error anywhere (a duplicated key,
 *     even inside a nested value, or anything after the event) makes it {@code MALFORMED_JSON}, not whatever
 *     an earlier field would have been rejected for;</li>
 * <li>values the event does not use are still read token by token (every string checked as decoding would,
 *     every number converted), so they fail the same way, and are otherwise ignored;</li>
 * <li>fields are then judged in a fixed order ({@link Field}), whatever their order in the document.</li>
 * </ul>
 */
public class EventParser {

    /** The record has no timestamp of its own (a Kafka record's timestamp is never negative). */
    public static final long NO_RECORD_TIMESTAMP = -1;
    /** A CloudEvents binary-mode record carries its attributes as headers named {@code ce_<attribute>}. */
    public static final String CLOUDEVENTS_HEADER_PREFIX = "ce_";
    /** The header whose presence says a record is a CloudEvent in binary mode, named once rather than per record. */
    private static final String SPECVERSION_HEADER = CLOUDEVENTS_HEADER_PREFIX + "specversion";

    /** One factory for every parser; thread-safe, and it keeps the field-name symbol table and buffers warm. */
    /**
     * Epoch milliseconds below this (before 1973-03-03) are, as epoch seconds, the years 1973-5138: a producer writing
     * seconds where milliseconds are read. Only the rejection's message uses it.
     */
    private static final long SECONDS_READ_AS_MILLIS = 100_000_000_000L;
    /**
     * Duplicated keys are found by {@link MemberNames}, not by Jackson's {@code STRICT_DUPLICATE_DETECTION}, which
     * makes a HashSet for every object read (3 % of the Java samples and ~5 % of the bytes allocated in the
     * steady state profiled for issue 18).
     */
    private static final JsonFactory JSON = JsonFactory.builder().build();
    /** Jackson's own message for a duplicated key, kept as the rejection's detail. */
    private static final String DUPLICATE_FIELD = "Duplicate field '%s'";
    private static final String TRAILING_TOKEN = "Trailing token (of type %s) found after value (bound as "
            + "`com.fasterxml.jackson.databind.JsonNode`): not allowed as per `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`";
    private static final Field[] FIELDS = Field.values();
    /** The CloudEvents {@code specversion}, read after the event's own fields. */
    private static final int SPECVERSION = FIELDS.length;
    private static final int SLOTS = SPECVERSION + 1;
    private static final int TYPE = Field.TYPE.ordinal();
    private static final int TIMESTAMP = Field.TIMESTAMP.ordinal();
    private static final String CURRENT_SCHEMA_VERSION_TEXT = Integer.toString(InteractionEvent.CURRENT_SCHEMA_VERSION);
    /** The texts of small integers (a schema version, a small id), made once. */
    private static final String[] SMALL_INTEGERS = new String[100];

    static {
        for (int i = 0; i < SMALL_INTEGERS.length; i++) {
            SMALL_INTEGERS[i] = Integer.toString(i);
        }
    }

    private static final String SUPPORTED_SPECVERSION = "1.0";

    private final ValidationOptions options;
    private final EventMapping mapping;
    private final Clock clock;
    /** The value is the event: plain JSON, or a CloudEvent in structured mode. */
    private final Layout valueLayout;
    /** A CloudEvent in binary mode: attributes in headers, the value is its data; null unless CloudEvents. */
    private final Layout binaryLayout;

    /** The product's own shape ({@link EventMapping#DEFAULT}). */
    public EventParser(ValidationOptions options, Clock clock) {
        this(options, EventMapping.DEFAULT, clock);
    }

    public EventParser(ValidationOptions options, EventMapping mapping, Clock clock) {
        this.options = options;
        this.mapping = mapping;
        this.clock = clock;
        boolean cloudEvents = mapping.format() == EventMapping.Format.CLOUDEVENTS;
        this.valueLayout = new Layout(mapping, cloudEvents, false);
        this.binaryLayout = cloudEvents ? new Layout(mapping, true, true) : null;
    }

    public EventMapping mapping() {
        return mapping;
    }

    /** A record value alone: no record timestamp, no headers. */
    public InteractionEvent parse(byte[] value) throws InvalidEventException {
        return parse(value, NO_RECORD_TIMESTAMP, name -> null);
    }

    /**
     * @param recordTimestamp the Kafka record's timestamp in epoch milliseconds, or {@link #NO_RECORD_TIMESTAMP}
     * @param headers         the value of the record's header of a name, or null (CloudEvents attributes in binary
     *                        mode are headers {@code ce_*})
     */
    public InteractionEvent parse(byte[] value, long recordTimestamp, Function<String, byte[]> headers)
            throws InvalidEventException {
        return parse(value, () -> recordTimestamp, headers);
    }

    /**
     * @param recordTimestamp the Kafka record's timestamp in epoch milliseconds, or {@link #NO_RECORD_TIMESTAMP}; asked
     *                        for only when the event's time is the record's (reading it costs a cache miss per record)
     * @param headers         the value of the record's header of a name, or null (CloudEvents attributes in binary
     *                        mode are headers {@code ce_*})
     */
    public InteractionEvent parse(byte[] value, LongSupplier recordTimestamp, Function<String, byte[]> headers)
            throws InvalidEventException {
        if (value == null || value.length == 0) {
            throw new InvalidEventException(RejectionReason.EMPTY_VALUE, "the record has no value");
        }
        if (value.length > options.maxEventBytes()) {
            throw new InvalidEventException(RejectionReason.TOO_LARGE,
                    "value is " + value.length + " bytes, the limit is " + options.maxEventBytes());
        }
        Layout layout = binaryLayout != null && headers.apply(SPECVERSION_HEADER) != null
                ? binaryLayout : valueLayout;
        Fields json = read(value, layout);
        layout.readHeaders(headers, json);
        if (binaryLayout != null) {
            specVersion(json, layout);
        }
        int schemaVersion = schemaVersion(json, layout);
        String eventId = optionalId(json, layout, Field.EVENT_ID.ordinal());
        String userId = id(json, layout, Field.USER_ID.ordinal());
        String itemId = id(json, layout, Field.ITEM_ID.ordinal());
        InteractionType type = type(json, layout);
        Instant timestamp = timestamp(json, layout, recordTimestamp);
        return new InteractionEvent(eventId, schemaVersion, userId, itemId, type, timestamp);
    }

    // ---- where fields are -----------------------------------------------------------------------------

    /** Where each field of one kind of record is: a path in the JSON document or a header, and what to call it. */
    private static final class Layout {
        final PathNode root = new PathNode(null);
        final String[] headers = new String[SLOTS];
        final String[] names = new String[SLOTS];
        final InteractionTypes types;
        /** Times are read as ISO-8601 (maybe), so the common shape can be read from the parser's buffer. */
        final boolean isoTimes;
        /** The offset zone-less times are read at, or null when the zone is a region (left to the full parse). */
        final ZoneOffset localOffset;
        /** A JSON integer time is epoch milliseconds (auto or epoch-millis), so it can be read as a long. */
        final boolean integerMillis;

        Layout(EventMapping mapping, boolean cloudEvents, boolean binary) {
            this.types = mapping.types();
            this.isoTimes = mapping.timestampFormat() == EventMapping.TimestampFormat.AUTO
                    || mapping.timestampFormat() == EventMapping.TimestampFormat.ISO;
            this.localOffset = mapping.timeZone() instanceof ZoneOffset offset ? offset : null;
            this.integerMillis = mapping.timestampFormat() == EventMapping.TimestampFormat.AUTO
                    || mapping.timestampFormat() == EventMapping.TimestampFormat.EPOCH_MILLIS;
            for (Field field : FIELDS) {
                FieldRef ref = mapping.field(field);
                boolean read = ref != null && !(field == Field.TIMESTAMP
                        && mapping.timestampSource() == EventMapping.TimestampSource.RECORD);
                if (read) {
                    place(field.ordinal(), ref, cloudEvents, binary);
                }
            }
            if (cloudEvents) {
                place(SPECVERSION, FieldRef.parse("ce:specversion"), true, binary);
            }
        }

        private void place(int slot, FieldRef ref, boolean cloudEvents, boolean binary) {
            if (ref.isAttribute() && binary) {
                headers[slot] = CLOUDEVENTS_HEADER_PREFIX + ref.attribute();
                names[slot] = "header " + headers[slot];
                return;
            }
            List<String> path = ref.isAttribute() ? List.of(ref.attribute())
                    : cloudEvents && !binary ? prepend("data", ref.pointer()) : ref.pointer();
            PathNode node = root;
            for (String token : path) {
                node = node.child(token);
            }
            node.addSlot(slot);
            names[slot] = path.size() == 1 ? path.get(0) : "/" + String.join("/", path);
        }

        private static List<String> prepend(String first, List<String> rest) {
            List<String> path = new ArrayList<>(rest.size() + 1);
            path.add(first);
            path.addAll(rest);
            return path;
        }

        /**
         * Reads the type (a name or alias spelled as configured, in ASCII) or the supported spec version straight
         * from a header's bytes, so that no String is made of them; false for anything else, which is then kept as
         * text and judged as before.
         */
        private boolean readFromBytes(byte[] value, int slot, Fields fields) {
            if (slot == TYPE) {
                fields.type = types.spelledAsConfigured(value);
                return fields.type != null;
            }
            if (slot == SPECVERSION && value.length == 3 && value[0] == '1' && value[1] == '.' && value[2] == '0') {
                fields.texts[slot] = SUPPORTED_SPECVERSION;
                return true;
            }
            return false;
        }

        void readHeaders(Function<String, byte[]> recordHeaders, Fields fields) {
            for (int slot = 0; slot < SLOTS; slot++) {
                if (headers[slot] != null) {
                    byte[] value = recordHeaders.apply(headers[slot]);
                    if (value != null) {
                        fields.types[slot] = JsonNodeType.STRING;
                        if (!readFromBytes(value, slot, fields)) {
                            fields.texts[slot] = new String(value, StandardCharsets.UTF_8);
                        }
                    }
                }
            }
        }
    }

    // ---- reading ------------------------------------------------------------------------------------

    /** What was found for each slot: its JSON type (null where absent) and its text (strings and numbers). */
    private static final class Fields {
        final JsonNodeType[] types = new JsonNodeType[SLOTS];
        final String[] texts = new String[SLOTS];
        /** The number was written without fraction or exponent. */
        final boolean[] integral = new boolean[SLOTS];
        /** The type, when its string was a configured name exactly (no text kept then). */
        InteractionType type;
        /** The time, when its string had the common ISO shape (no text kept then). */
        Instant time;
        final MemberNames memberNames = new MemberNames();
    }


    /** Reads the whole value: one JSON object and nothing after it, or the reason it is not. */
    private static Fields read(byte[] value, Layout layout) throws InvalidEventException {
        try (JsonParser p = JSON.createParser(value)) {
            JsonToken token = p.nextToken();
            if (token == null) {
                throw new InvalidEventException(RejectionReason.MALFORMED_JSON, "no JSON content");
            }
            Fields fields = new Fields();
            boolean object = token == JsonToken.START_OBJECT;
            if (object) {
                readObject(p, layout.root, fields, layout);
            } else {
                skipValue(p, token, fields.memberNames);
            }
            JsonToken trailing = p.nextToken(); // "{...}garbage" is not one event
            if (trailing != null) {
                throw new InvalidEventException(RejectionReason.MALFORMED_JSON, abbreviate(TRAILING_TOKEN.formatted(trailing)));
            }
            if (!object) {
                throw new InvalidEventException(RejectionReason.NOT_AN_OBJECT, "expected a JSON object, got " + typeOf(token));
            }
            return fields;
        } catch (MemberNames.DuplicateMemberException e) {
            throw new InvalidEventException(RejectionReason.MALFORMED_JSON, abbreviate(DUPLICATE_FIELD.formatted(e.name)));
        } catch (JsonProcessingException e) {
            throw new InvalidEventException(RejectionReason.MALFORMED_JSON, abbreviate(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new InvalidEventException(RejectionReason.MALFORMED_JSON, abbreviate(String.valueOf(e.getMessage())));
        }
    }

    /** The members of an object, the parser being on its START_OBJECT; ends on its END_OBJECT. */
    private static void readObject(JsonParser p, PathNode node, Fields fields, Layout layout) throws IOException {
        MemberNames memberNames = fields.memberNames;
        memberNames.enterObject();
        PathNode previous = null; // the last member read whose next one is guessed (mapped, or unmapped and learned)
        while (true) {
            PathNode guess = previous == null ? node.firstMember : previous.nextMember;
            String name;
            PathNode child;
            if (guess != null && p.nextFieldName(guess.quotedName)) {
                name = guess.name;
                child = guess;
            } else {
                name = guess == null ? p.nextFieldName() : p.currentToken() == JsonToken.FIELD_NAME ? p.currentName() : null;
                if (name == null) { // END_OBJECT
                    break;
                }
                child = node.find(name);
                if (child == null) {
                    child = node.unmappedMember(name);
                }
                if (child != null) { // learn this order for the next document (written only when it changes)
                    if (previous == null && node.firstMember != child) {
                        node.firstMember = child;
                    } else if (previous != null && previous.nextMember != child) {
                        previous.nextMember = child;
                    }
                }
            }
            memberNames.add(name);
            JsonToken token = p.nextToken();
            if (child == null || !child.mapped) {
                if (child != null) {
                    previous = child; // the guess goes on past it
                }
                skipValue(p, token, memberNames); // a member the mapping does not name is ignored once it is well formed
            } else {
                previous = child;
                readValue(p, token, child, fields, layout);
            }
        }
        memberNames.exitObject();
    }

    /** The elements of an array on a mapped path, the parser being on its START_ARRAY; ends on its END_ARRAY. */
    private static void readArray(JsonParser p, PathNode node, Fields fields, Layout layout) throws IOException {
        int index = 0;
        for (JsonToken token = p.nextToken(); token != JsonToken.END_ARRAY; token = p.nextToken(), index++) {
            PathNode child = node.find(Integer.toString(index));
            if (child == null) {
                skipValue(p, token, fields.memberNames);
            } else {
                readValue(p, token, child, fields, layout);
            }
        }
    }

    private static void readValue(JsonParser p, JsonToken token, PathNode node, Fields fields, Layout layout)
            throws IOException {
        for (int slot : node.slots) {
            fields.types[slot] = typeOf(token);
            if (token == JsonToken.VALUE_STRING) {
                if (readFromBuffer(p, slot, fields, layout)) {
                    continue;
                }
                fields.texts[slot] = p.getText();
            } else if (token == JsonToken.VALUE_NUMBER_INT) {
                fields.integral[slot] = true;
                if (slot == TIMESTAMP && layout.integerMillis && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                    // what Timestamps.epochMillis reads from the integer's text, without the text
                    fields.time = Instant.ofEpochMilli(p.getLongValue());
                    continue;
                }
                fields.texts[slot] = integerText(p);
            } else if (token == JsonToken.VALUE_NUMBER_FLOAT) {
                fields.texts[slot] = p.getText();
            }
        }
        if (token == JsonToken.START_OBJECT && node.hasChildren()) {
            readObject(p, node, fields, layout);
        } else if (token == JsonToken.START_ARRAY && node.hasChildren()) {
            readArray(p, node, fields, layout);
        } else if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY || node.slots.length == 0
                || token == JsonToken.VALUE_NUMBER_FLOAT) {
            skipValue(p, token, fields.memberNames); // read through (a float converted) like any value nothing is taken from
        }
    }

    /**
     * Reads the type, the time or the spec version straight from the parser's characters when they have the common
     * form (a type's name or alias spelled as configured, an ISO time ending in Z, "1.0"), so that no String is made
     * of them; false for anything else,
     * which is then kept as text and judged as before.
     */
    private static boolean readFromBuffer(JsonParser p, int slot, Fields fields, Layout layout) throws IOException {
        if (slot == TYPE) {
            fields.type = layout.types.spelledAsConfigured(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
            return fields.type != null;
        }
        if (slot == TIMESTAMP && layout.isoTimes) {
            fields.time = Timestamps.parseCommonShape(p.getTextCharacters(), p.getTextOffset(), p.getTextLength(),
                    layout.localOffset);
            return fields.time != null;
        }
        if (slot == SPECVERSION && p.getTextLength() == SUPPORTED_SPECVERSION.length()) {
            char[] chars = p.getTextCharacters();
            int offset = p.getTextOffset();
            if (chars[offset] == '1' && chars[offset + 1] == '.' && chars[offset + 2] == '0') {
                fields.texts[slot] = SUPPORTED_SPECVERSION;
                return true;
            }
        }
        return false;
    }

    /** An integer as decimal text, normalised ({@code -0} is {@code 0}). */
    private static String integerText(JsonParser p) throws IOException {
        return switch (p.getNumberType()) {
            case INT -> {
                int value = p.getIntValue();
                yield value >= 0 && value < SMALL_INTEGERS.length ? SMALL_INTEGERS[value] : Integer.toString(value);
            }
            case LONG -> Long.toString(p.getLongValue());
            default -> p.getBigIntegerValue().toString();
        };
    }

    /**
     * Reads past the value that starts at {@code token} (field names with {@code nextFieldName}, strings checked as
     * decoding would, numbers converted), so that whatever makes a document invalid, from a duplicated key in a nested object to a
     * nesting too deep, fails here too.
     */
    private static void skipValue(JsonParser p, JsonToken token, MemberNames memberNames) throws IOException {
        if (token != JsonToken.START_OBJECT && token != JsonToken.START_ARRAY) {
            readScalar(p, token);
            return;
        }
        if (token == JsonToken.START_OBJECT) {
            memberNames.enterObject();
        }
        int depth = 1;
        while (depth > 0) {
            JsonToken next;
            if (p.getParsingContext().inObject()) {
                String name = p.nextFieldName();
                if (name == null) { // END_OBJECT
                    memberNames.exitObject();
                    depth--;
                    continue;
                }
                memberNames.add(name);
                next = p.nextToken();
            } else {
                next = p.nextToken();
                if (next == JsonToken.END_ARRAY) {
                    depth--;
                    continue;
                }
            }
            if (next == JsonToken.START_OBJECT) {
                memberNames.enterObject();
                depth++;
            } else if (next == JsonToken.START_ARRAY) {
                depth++;
            } else {
                readScalar(p, next);
            }
        }
    }

    private static void readScalar(JsonParser p, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_STRING) {
            // left to the parser's next token, which skips it checking what decoding checks (UTF-8 sequences,
            // control characters, escapes, its end) with the same messages: no characters copied, no String made
            return;
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

    /** The name of the JSON type of a value starting at {@code token}, used in details. */
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

    private static void specVersion(Fields json, Layout layout) throws InvalidEventException {
        if (json.types[SPECVERSION] == null) {
            throw new InvalidEventException(RejectionReason.MISSING_FIELD, layout.names[SPECVERSION]
                    + " is missing: the record is not a CloudEvent (event.format=cloudevents)");
        }
        String version = text(json, layout, SPECVERSION);
        if (!SUPPORTED_SPECVERSION.equals(version)) {
            throw new InvalidEventException(RejectionReason.UNSUPPORTED_SCHEMA_VERSION, layout.names[SPECVERSION]
                    + " '" + abbreviate(version) + "' is not supported (expected " + SUPPORTED_SPECVERSION + ")");
        }
    }

    private static int schemaVersion(Fields json, Layout layout) throws InvalidEventException {
        int slot = Field.SCHEMA_VERSION.ordinal();
        JsonNodeType type = json.types[slot];
        String field = layout.names[slot];
        if (type == null) {
            return InteractionEvent.CURRENT_SCHEMA_VERSION; // producers that predate the field, or do not write it
        }
        if (type == JsonNodeType.NULL) {
            throw new InvalidEventException(RejectionReason.NULL_FIELD, field + " is null");
        }
        if (!json.integral[slot]) {
            throw new InvalidEventException(RejectionReason.WRONG_TYPE, field + " must be an integer");
        }
        if (!CURRENT_SCHEMA_VERSION_TEXT.equals(json.texts[slot])) {
            throw new InvalidEventException(RejectionReason.UNSUPPORTED_SCHEMA_VERSION, field + " " + json.texts[slot]
                    + " is not supported (expected " + InteractionEvent.CURRENT_SCHEMA_VERSION + ")");
        }
        return InteractionEvent.CURRENT_SCHEMA_VERSION;
    }

    /** A field's value, which must be there and not null. */
    private static JsonNodeType present(Fields json, Layout layout, int slot) throws InvalidEventException {
        JsonNodeType type = json.types[slot];
        if (type == null) {
            throw new InvalidEventException(RejectionReason.MISSING_FIELD, layout.names[slot] + " is missing");
        }
        if (type == JsonNodeType.NULL) {
            throw new InvalidEventException(RejectionReason.NULL_FIELD, layout.names[slot] + " is null");
        }
        return type;
    }

    private static String text(Fields json, Layout layout, int slot) throws InvalidEventException {
        JsonNodeType type = present(json, layout, slot);
        if (type != JsonNodeType.STRING) {
            throw new InvalidEventException(RejectionReason.WRONG_TYPE, layout.names[slot] + " must be a string, got " + type);
        }
        return json.texts[slot];
    }

    /** The event id, which producers may leave out (absent or null). */
    private String optionalId(Fields json, Layout layout, int slot) throws InvalidEventException {
        if (json.types[slot] == null || json.types[slot] == JsonNodeType.NULL) {
            return null;
        }
        return id(json, layout, slot);
    }

    /** An id: a string, or an integer stored as its decimal text (so 7 and "7" are the same user). */
    private String id(Fields json, Layout layout, int slot) throws InvalidEventException {
        JsonNodeType type = present(json, layout, slot);
        String field = layout.names[slot];
        if (type != JsonNodeType.STRING && !json.integral[slot]) {
            throw new InvalidEventException(RejectionReason.WRONG_TYPE, field + " must be a string or an integer, got "
                    + (type == JsonNodeType.NUMBER ? "the number " + abbreviate(json.texts[slot]) : type));
        }
        String id = json.texts[slot];
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

    private InteractionType type(Fields json, Layout layout) throws InvalidEventException {
        int slot = Field.TYPE.ordinal();
        if (json.type != null) {
            return json.type; // a string, spelled as configured
        }
        String text = text(json, layout, slot);
        return mapping.types().resolve(text).orElseThrow(() -> new InvalidEventException(RejectionReason.UNKNOWN_TYPE,
                layout.names[slot] + " '" + abbreviate(text) + "' is not one of " + String.join(", ", mapping.types().names())
                        + " (event.types, event.types.aliases)"));
    }

    private Instant timestamp(Fields json, Layout layout, LongSupplier recordTimestamp) throws InvalidEventException {
        int slot = Field.TIMESTAMP.ordinal();
        Instant timestamp = switch (mapping.timestampSource()) {
            case RECORD -> recordTime(recordTimestamp.getAsLong());
            case FIELD -> fieldTime(json, layout, slot);
            case FIELD_OR_RECORD -> json.types[slot] == null || json.types[slot] == JsonNodeType.NULL
                    ? recordTime(recordTimestamp.getAsLong()) : fieldTime(json, layout, slot);
        };
        Instant now = clock.instant();
        if (timestamp.isAfter(now.plus(options.maxFutureSkew()))) {
            throw new InvalidEventException(RejectionReason.TIMESTAMP_IN_FUTURE,
                    "timestamp " + timestamp + " is more than " + options.maxFutureSkew() + " ahead of " + now);
        }
        if (timestamp.isBefore(now.minus(options.maxAge()))) {
            throw new InvalidEventException(RejectionReason.TIMESTAMP_TOO_OLD,
                    "timestamp " + timestamp + " is more than " + options.maxAge() + " before " + now
                            + (timestamp.toEpochMilli() >= 0 && timestamp.toEpochMilli() < SECONDS_READ_AS_MILLIS
                            ? " (epoch seconds read as milliseconds? event.timestamp.format = epoch-seconds)" : ""));
        }
        return timestamp;
    }

    private static Instant recordTime(long recordTimestamp) throws InvalidEventException {
        if (recordTimestamp < 0) {
            throw new InvalidEventException(RejectionReason.INVALID_TIMESTAMP,
                    "the Kafka record has no timestamp (event.timestamp.source)");
        }
        return Instant.ofEpochMilli(recordTimestamp);
    }

    private Instant fieldTime(Fields json, Layout layout, int slot) throws InvalidEventException {
        JsonNodeType type = present(json, layout, slot);
        String field = layout.names[slot];
        String text = json.texts[slot];
        boolean string = type == JsonNodeType.STRING;
        if (!string && type != JsonNodeType.NUMBER) {
            throw new InvalidEventException(RejectionReason.WRONG_TYPE, field + " must be a "
                    + (mapping.timestampFormat() == EventMapping.TimestampFormat.ISO ? "string" : "string or a number")
                    + ", got " + type);
        }
        if (json.time != null) {
            return json.time; // a string in the common ISO shape, which parseIso reads the same
        }
        Instant parsed = switch (mapping.timestampFormat()) {
            case AUTO -> string && !Timestamps.isDigits(text) ? Timestamps.parseIso(text, mapping.timeZone())
                    : Timestamps.epochMillis(text);
            case ISO -> string ? Timestamps.parseIso(text, mapping.timeZone()) : null;
            case EPOCH_MILLIS -> Timestamps.epochMillis(text);
            case EPOCH_SECONDS -> Timestamps.epochSeconds(text);
        };
        if (parsed == null) {
            throw new InvalidEventException(RejectionReason.INVALID_TIMESTAMP, field + " '" + abbreviate(text) + "' is not "
                    + switch (mapping.timestampFormat()) {
                        case AUTO -> "an ISO-8601 time such as 2026-01-31T12:00:00.000Z or epoch milliseconds"
                                + " (for epoch seconds, set event.timestamp.format=epoch-seconds)";
                        case ISO -> "an ISO-8601 time such as 2026-01-31T12:00:00.000Z (event.timestamp.format=iso)";
                        case EPOCH_MILLIS -> "a whole number of epoch milliseconds (event.timestamp.format=epoch-millis)";
                        case EPOCH_SECONDS -> "a number of epoch seconds (event.timestamp.format=epoch-seconds)";
                    });
        }
        return parsed;
    }

    static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
