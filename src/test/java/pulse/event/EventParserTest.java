package pulse.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class EventParserTest {

    private static final Instant NOW = Instant.parse("2026-01-31T12:00:00Z");
    private static final ValidationOptions OPTIONS = ValidationOptions.defaults();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventParser parser = new EventParser(OPTIONS, Clock.fixed(NOW, ZoneOffset.UTC));

    // ---- helpers ------------------------------------------------------------------------------------

    /** A valid event in the topic's JSON shape, as a tree that each test bends in one place. */
    private static ObjectNode validJson() {
        ObjectNode json = JSON.createObjectNode();
        json.put("event_id", "3f1c2a9e-7b4d-4e2a-9c1f-0a1b2c3d4e5f");
        json.put("schema_version", 1);
        json.put("user_id", "user-42");
        json.put("item_id", "item-7");
        json.put("interaction_type", "click");
        json.put("timestamp", EventJson.formatTimestamp(NOW.minusSeconds(10)));
        return json;
    }

    private static byte[] bytes(ObjectNode json) {
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private RejectionReason rejectionOf(byte[] value) {
        InvalidEventException e = catchThrowableOfType(InvalidEventException.class, () -> parser.parse(value));
        assertThat(e).as("parse should reject the value").isNotNull();
        assertThat(e.getMessage()).startsWith(e.reason().name() + ": ");
        return e.reason();
    }

    private RejectionReason rejectionOf(ObjectNode json) {
        return rejectionOf(bytes(json));
    }

    private static ObjectNode withTimestamp(Instant timestamp) {
        return validJson().put("timestamp", EventJson.formatTimestamp(timestamp));
    }

    // ---- accepted events ----------------------------------------------------------------------------

    @Test
    void validEventRoundTripsThroughEventJson() throws Exception {
        InteractionEvent event = new InteractionEvent("3f1c2a9e-7b4d-4e2a-9c1f-0a1b2c3d4e5f",
                InteractionEvent.CURRENT_SCHEMA_VERSION, "user-42", "item-7", InteractionType.PURCHASE,
                NOW.minusMillis(1234));

        assertThat(parser.parse(EventJson.toBytes(event))).isEqualTo(event);
    }

    @ParameterizedTest
    @ValueSource(strings = {"view", "click", "purchase"})
    void everyKnownInteractionTypeIsAccepted(String type) throws Exception {
        InteractionEvent event = parser.parse(bytes(validJson().put("interaction_type", type)));

        assertThat(event.type().wireName()).isEqualTo(type);
    }

    @Test
    void missingSchemaVersionIsAcceptedAsTheCurrentVersion() throws Exception {
        ObjectNode json = validJson();
        json.remove("schema_version");

        assertThat(parser.parse(bytes(json)).schemaVersion()).isEqualTo(InteractionEvent.CURRENT_SCHEMA_VERSION);
    }

    @Test
    void valueOfExactlyMaxBytesIsAccepted() throws Exception {
        byte[] compact = bytes(validJson());
        byte[] padded = Arrays.copyOf(compact, OPTIONS.maxEventBytes());
        Arrays.fill(padded, compact.length, padded.length, (byte) ' ');

        assertThat(parser.parse(padded).userId()).isEqualTo("user-42");
    }

    @Test
    void idOfExactlyMaxLengthIsAccepted() throws Exception {
        String id = "u".repeat(OPTIONS.maxIdLength());

        assertThat(parser.parse(bytes(validJson().put("user_id", id))).userId()).isEqualTo(id);
    }

    @Test
    void timestampsJustWithinTheSkewLimitsAreAccepted() throws Exception {
        Instant newest = NOW.plus(OPTIONS.maxFutureSkew());
        Instant oldest = NOW.minus(OPTIONS.maxAge());

        assertThat(parser.parse(bytes(withTimestamp(newest))).timestamp()).isEqualTo(newest);
        assertThat(parser.parse(bytes(withTimestamp(oldest))).timestamp()).isEqualTo(oldest);
    }

    // ---- rejected values ----------------------------------------------------------------------------

    @ParameterizedTest
    @NullAndEmptySource
    void nullOrEmptyValueIsEmptyValue(byte[] value) {
        assertThat(rejectionOf(value)).isEqualTo(RejectionReason.EMPTY_VALUE);
    }

    @Test
    void valueOverMaxBytesIsTooLarge() {
        byte[] compact = bytes(validJson());
        byte[] padded = Arrays.copyOf(compact, OPTIONS.maxEventBytes() + 1);
        Arrays.fill(padded, compact.length, padded.length, (byte) ' ');

        assertThat(rejectionOf(padded)).isEqualTo(RejectionReason.TOO_LARGE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"user_id\":", "{user_id: \"a\"}", "{'user_id':'a'}", "not json", "   "})
    void malformedJsonIsMalformedJson(String text) {
        assertThat(rejectionOf(bytes(text))).isEqualTo(RejectionReason.MALFORMED_JSON);
    }

    @Test
    void binaryGarbageIsMalformedJson() {
        byte[] garbage = {(byte) 0xC3, 0x28, 0x00, (byte) 0xFF, (byte) 0xFE, 0x7F, (byte) 0x80, 0x01, (byte) 0x9D};

        assertThat(rejectionOf(garbage)).isEqualTo(RejectionReason.MALFORMED_JSON);
    }

    @Test
    void duplicatedKeyIsMalformedJson() {
        String text = """
                {"event_id":"e-1","schema_version":1,"user_id":"a","user_id":"b","item_id":"item-7",\
                "interaction_type":"view","timestamp":"%s"}""".formatted(EventJson.formatTimestamp(NOW));

        assertThat(rejectionOf(bytes(text))).isEqualTo(RejectionReason.MALFORMED_JSON);
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "{", "}", ",", "[1]", "SAME"})
    void trailingContentAfterTheEventIsMalformedJson(String trailing) {
        String event = validJson().toString();
        String text = event + (trailing.equals("SAME") ? event : trailing);

        assertThat(rejectionOf(bytes(text))).isEqualTo(RejectionReason.MALFORMED_JSON);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{\"user_id\":\"a\"}]", "\"an event\"", "42", "true", "null"})
    void jsonThatIsNotAnObjectIsNotAnObject(String text) {
        assertThat(rejectionOf(bytes(text))).isEqualTo(RejectionReason.NOT_AN_OBJECT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"event_id", "user_id", "item_id", "interaction_type", "timestamp"})
    void missingRequiredFieldIsMissingField(String field) {
        ObjectNode json = validJson();
        json.remove(field);

        assertThat(rejectionOf(json)).isEqualTo(RejectionReason.MISSING_FIELD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"event_id", "user_id", "item_id", "interaction_type", "timestamp"})
    void nullFieldIsNullField(String field) {
        assertThat(rejectionOf(validJson().putNull(field))).isEqualTo(RejectionReason.NULL_FIELD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"event_id", "user_id", "item_id", "interaction_type", "timestamp"})
    void numberWhereStringExpectedIsWrongType(String field) {
        assertThat(rejectionOf(validJson().put(field, 42))).isEqualTo(RejectionReason.WRONG_TYPE);
    }

    @Test
    void objectWhereStringExpectedIsWrongType() {
        ObjectNode json = validJson();
        json.putObject("user_id").put("$ne", "");

        assertThat(rejectionOf(json)).isEqualTo(RejectionReason.WRONG_TYPE);
    }

    @Nested
    class SchemaVersion {

        @ParameterizedTest
        @ValueSource(strings = {"\"1\"", "1.0", "true", "[1]"})
        void nonIntegerSchemaVersionIsWrongType(String literal) throws Exception {
            ObjectNode json = validJson();
            json.set("schema_version", JSON.readTree(literal));

            assertThat(rejectionOf(json)).isEqualTo(RejectionReason.WRONG_TYPE);
        }

        @ParameterizedTest
        @ValueSource(ints = {2, 0, -1})
        void otherSchemaVersionIsUnsupported(int version) {
            assertThat(rejectionOf(validJson().put("schema_version", version)))
                    .isEqualTo(RejectionReason.UNSUPPORTED_SCHEMA_VERSION);
        }

        @ParameterizedTest
        @ValueSource(strings = {"4294967297", "18446744073709551617"})
        void schemaVersionBeyondIntRangeIsUnsupported(String literal) throws Exception {
            ObjectNode json = validJson();
            json.set("schema_version", JSON.readTree(literal));

            assertThat(rejectionOf(json)).isEqualTo(RejectionReason.UNSUPPORTED_SCHEMA_VERSION);
        }
    }

    @Test
    void nullSchemaVersionIsANullField() {
        assertThat(rejectionOf(validJson().putNull("schema_version"))).isEqualTo(RejectionReason.NULL_FIELD);
    }

    @Nested
    class Ids {

        @ParameterizedTest
        @ValueSource(strings = {"event_id", "user_id", "item_id"})
        void emptyIdIsInvalid(String field) {
            assertThat(rejectionOf(validJson().put(field, ""))).isEqualTo(RejectionReason.INVALID_ID);
        }

        @ParameterizedTest
        @ValueSource(strings = {"event_id", "user_id", "item_id"})
        void idWithDollarIsInvalid(String field) {
            assertThat(rejectionOf(validJson().put(field, "$where"))).isEqualTo(RejectionReason.INVALID_ID);
        }

        @ParameterizedTest
        @ValueSource(strings = {"event_id", "user_id", "item_id"})
        void idWithDotIsInvalid(String field) {
            assertThat(rejectionOf(validJson().put(field, "byType.view"))).isEqualTo(RejectionReason.INVALID_ID);
        }

        @ParameterizedTest
        @ValueSource(strings = {"event_id", "user_id", "item_id"})
        void idOfTenThousandCharactersIsInvalid(String field) {
            assertThat(rejectionOf(validJson().put(field, "x".repeat(10_000)))).isEqualTo(RejectionReason.INVALID_ID);
        }

        @Test
        void idOneCharacterOverMaxLengthIsInvalid() {
            String id = "u".repeat(OPTIONS.maxIdLength() + 1);

            assertThat(rejectionOf(validJson().put("user_id", id))).isEqualTo(RejectionReason.INVALID_ID);
        }

        @ParameterizedTest
        @ValueSource(strings = {"user\u0000-1", "user\u0001-1", "user\n1", "user\t1", "user\u007f1", "user\u009b1"})
        void idWithControlCharacterIsInvalid(String id) {
            // the tree writer escapes the control character, so the JSON itself is well formed
            assertThat(rejectionOf(validJson().put("user_id", id))).isEqualTo(RejectionReason.INVALID_ID);
        }

        @Test
        void invalidIdDetailDoesNotEchoTheControlCharacter() {
            InvalidEventException e = catchThrowableOfType(InvalidEventException.class,
                    () -> parser.parse(bytes(validJson().put("item_id", "item\u0007"))));

            assertThat(e.reason()).isEqualTo(RejectionReason.INVALID_ID);
            assertThat(e.detail()).contains("\\u0007").doesNotContain("\u0007");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"like", "VIEW", "View", "", " view", "purchases"})
    void unknownInteractionTypeIsUnknownType(String type) {
        assertThat(rejectionOf(validJson().put("interaction_type", type))).isEqualTo(RejectionReason.UNKNOWN_TYPE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"yesterday", "", "2026-01-31", "2026-01-31 11:59:00Z", "2026-01-31T11:59:00",
            "2026-13-01T00:00:00Z", "1769860740000"})
    void unparseableTimestampIsInvalidTimestamp(String timestamp) {
        assertThat(rejectionOf(validJson().put("timestamp", timestamp))).isEqualTo(RejectionReason.INVALID_TIMESTAMP);
    }

    @Test
    void timestampOneHourAheadIsInTheFuture() {
        assertThat(rejectionOf(withTimestamp(NOW.plus(Duration.ofHours(1)))))
                .isEqualTo(RejectionReason.TIMESTAMP_IN_FUTURE);
    }

    @Test
    void timestampOneMillisecondBeyondTheFutureSkewIsInTheFuture() {
        assertThat(rejectionOf(withTimestamp(NOW.plus(OPTIONS.maxFutureSkew()).plusMillis(1))))
                .isEqualTo(RejectionReason.TIMESTAMP_IN_FUTURE);
    }

    @Test
    void timestampThirtyOneDaysOldIsTooOld() {
        assertThat(rejectionOf(withTimestamp(NOW.minus(Duration.ofDays(31)))))
                .isEqualTo(RejectionReason.TIMESTAMP_TOO_OLD);
    }

    @Test
    void timestampOneMillisecondBeyondTheMaxAgeIsTooOld() {
        assertThat(rejectionOf(withTimestamp(NOW.minus(OPTIONS.maxAge()).minusMillis(1))))
                .isEqualTo(RejectionReason.TIMESTAMP_TOO_OLD);
    }
}
