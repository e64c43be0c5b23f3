package pulse.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

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

    private InvalidEventException rejection(byte[] value) {
        InvalidEventException e = catchThrowableOfType(InvalidEventException.class, () -> parser.parse(value));
        assertThat(e).as("parse should reject the value").isNotNull();
        return e;
    }

    /** The valid event's members as written on the wire, so a test can reorder them or add raw JSON. */
    private static List<String> validMembers() {
        List<String> members = new ArrayList<>();
        validJson().properties().forEach(field -> members.add(JSON.createObjectNode().set(field.getKey(), field.getValue())
                .toString().replaceAll("^\\{|}$", "")));
        return members;
    }

    private static byte[] object(List<String> members) {
        return bytes("{" + String.join(",", members) + "}");
    }

    /** The valid event with one more member, written raw. */
    private static byte[] validWith(String rawMember) {
        List<String> members = validMembers();
        members.add(rawMember);
        return object(members);
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

        assertThat(event.type().name()).isEqualTo(type);
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
    @ValueSource(strings = {"user_id", "item_id", "interaction_type", "timestamp"})
    void missingRequiredFieldIsMissingField(String field) {
        ObjectNode json = validJson();
        json.remove(field);

        assertThat(rejectionOf(json)).isEqualTo(RejectionReason.MISSING_FIELD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"user_id", "item_id", "interaction_type", "timestamp"})
    void nullFieldIsNullField(String field) {
        assertThat(rejectionOf(validJson().putNull(field))).isEqualTo(RejectionReason.NULL_FIELD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"event_id", "user_id", "item_id"})
    void fractionWhereAnIdIsExpectedIsWrongType(String field) {
        assertThat(rejectionOf(validJson().put(field, 4.2))).isEqualTo(RejectionReason.WRONG_TYPE);
    }

    @Test
    void numberWhereTheTypeIsExpectedIsWrongType() {
        assertThat(rejectionOf(validJson().put("interaction_type", 42))).isEqualTo(RejectionReason.WRONG_TYPE);
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
    @ValueSource(strings = {"like", "", " view", "purchases", "viewed"})
    void unknownInteractionTypeIsUnknownType(String type) {
        assertThat(rejectionOf(validJson().put("interaction_type", type))).isEqualTo(RejectionReason.UNKNOWN_TYPE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"yesterday", "", "2026-01-31", "2026-01-31T11:59:00+25:00", "2026-01-31T11:59:00 UTC",
            "2026-13-01T00:00:00Z", "2026-01-31T25:00:00", "1769860740000.5", "-"})
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

    @Test
    void epochSecondsReadAsMillisecondsAreTooOldAndTheMessageNamesTheFormatProperty() {
        InvalidEventException e = rejection(bytes(validJson().put("timestamp", NOW.getEpochSecond())));
        assertThat(e.reason()).isEqualTo(RejectionReason.TIMESTAMP_TOO_OLD);
        assertThat(e.detail()).contains("1970-01-21").endsWith("(epoch seconds read as milliseconds? event.timestamp.format = epoch-seconds)");
        // an old timestamp that is not a misread one gets no such hint
        assertThat(rejection(bytes(withTimestamp(NOW.minus(Duration.ofDays(31))))).detail()).doesNotContain("epoch-seconds");
    }

    // ---- what a streaming reader must get right as the tree reader did -------------------------------

    @Nested
    class DocumentShape {

        @Test
        void fieldsInAnyOrderMakeTheSameEvent() throws Exception {
            InteractionEvent expected = parser.parse(bytes(validJson()));
            List<String> members = validMembers();
            Collections.reverse(members);
            assertThat(parser.parse(object(members))).isEqualTo(expected);

            Random random = new Random(7);
            for (int i = 0; i < 20; i++) {
                Collections.shuffle(members, random);
                assertThat(parser.parse(object(members))).as(members.toString()).isEqualTo(expected);
            }
        }

        @Test
        void whitespaceBetweenTokensIsAllowed() throws Exception {
            String spaced = " \r\n{\n\t" + String.join(" ,\n\t", validMembers()).replace("\":", "\" :\t") + "\n}\n ";

            assertThat(parser.parse(bytes(spaced))).isEqualTo(parser.parse(bytes(validJson())));
        }

        @ParameterizedTest
        @ValueSource(strings = {"1", "-1.5e300", "\"text\"", "null", "true", "{}", "[]",
                "{\"a\":{\"b\":[1,2.5,{\"c\":null}],\"d\":\"e\"}}", "[1,\"two\",3.0,[],{},[[[true]]]]",
                "{\"user_id\":\"$where\",\"schema_version\":99,\"timestamp\":\"yesterday\"}",
                "[\"user_id\",{\"event_id\":null}]", "18446744073709551617"})
        void unknownFieldsOfAnyKindAreIgnored(String value) throws Exception {
            InteractionEvent expected = parser.parse(bytes(validJson()));

            assertThat(parser.parse(validWith("\"extra\":" + value))).isEqualTo(expected);
            assertThat(parser.parse(validWith("\"\":" + value))).as("empty field name").isEqualTo(expected);
        }

        @Test
        void eventFieldsInsideNestedValuesDoNotCount() {
            List<String> members = validMembers();
            members.removeIf(member -> member.startsWith("\"user_id\""));
            members.add("\"context\":{\"user_id\":\"user-42\"}");
            members.add("\"history\":[{\"user_id\":\"user-42\"}]");

            assertThat(rejectionOf(object(members))).isEqualTo(RejectionReason.MISSING_FIELD);
        }

        @Test
        void arrayOrBooleanWhereStringExpectedIsWrongTypeNamingWhatItGot() {
            ObjectNode array = validJson();
            array.putArray("item_id").add("item-7");

            assertThat(rejection(bytes(array)).detail()).isEqualTo("item_id must be a string or an integer, got ARRAY");
            assertThat(rejection(bytes(validJson().put("item_id", true))).detail())
                    .isEqualTo("item_id must be a string or an integer, got BOOLEAN");
            assertThat(rejection(bytes(validJson().put("item_id", 1.5))).detail())
                    .isEqualTo("item_id must be a string or an integer, got the number 1.5");
            ObjectNode object = validJson();
            object.putObject("item_id");
            assertThat(rejection(bytes(object)).detail()).isEqualTo("item_id must be a string or an integer, got OBJECT");
            assertThat(rejection(bytes(validJson().put("interaction_type", true))).detail())
                    .isEqualTo("interaction_type must be a string, got BOOLEAN");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "[1,2,3]         | ARRAY",
                "\"an event\"    | STRING",
                "-1.5            | NUMBER",
                "false           | BOOLEAN",
                "null            | NULL"})
        void notAnObjectDetailNamesWhatItGot(String text, String type) {
            InvalidEventException e = rejection(bytes(text));

            assertThat(e.reason()).isEqualTo(RejectionReason.NOT_AN_OBJECT);
            assertThat(e.detail()).isEqualTo("expected a JSON object, got " + type);
        }

        @ParameterizedTest
        @ValueSource(strings = {"[1] x", "null null", "\"a\" \"b\"", "[1", "[{\"a\":1,\"a\":2}]", "{\"a\":1}]"})
        void notAnObjectThatIsAlsoMalformedIsMalformedJson(String text) {
            assertThat(rejectionOf(bytes(text))).isEqualTo(RejectionReason.MALFORMED_JSON);
        }

        @Test
        void whitespaceOnlyValueHasNoJsonContent() {
            InvalidEventException e = rejection(bytes(" \n\t "));

            assertThat(e.reason()).isEqualTo(RejectionReason.MALFORMED_JSON);
            assertThat(e.detail()).isEqualTo("no JSON content");
        }

        @Test
        void trailingContentDetailSaysSo() {
            InvalidEventException e = rejection(bytes(validJson().toString() + "{}"));

            assertThat(e.reason()).isEqualTo(RejectionReason.MALFORMED_JSON);
            assertThat(e.detail()).startsWith("Trailing token (of type START_OBJECT) found after value");
        }

        @Test
        void duplicatedKeyDetailNamesTheKey() {
            InvalidEventException e = rejection(validWith("\"user_id\":\"user-42\""));

            assertThat(e.reason()).isEqualTo(RejectionReason.MALFORMED_JSON);
            assertThat(e.detail()).isEqualTo("Duplicate field 'user_id'");
        }

        @ParameterizedTest
        @ValueSource(strings = {"{\"a\":1,\"a\":2}", "[{\"k\":{\"x\":1,\"x\":1}}]", "{\"a\":{},\"\\u0061\":[]}"})
        void duplicatedKeyInsideANestedValueIsMalformedJson(String value) {
            assertThat(rejectionOf(validWith("\"extra\":" + value))).isEqualTo(RejectionReason.MALFORMED_JSON);
        }

        @Test
        void escapedFieldNameDuplicatingAnotherIsMalformedJson() {
            assertThat(rejectionOf(validWith("\"\\u0075ser_id\":\"user-43\""))).isEqualTo(RejectionReason.MALFORMED_JSON);
        }

        @ParameterizedTest
        @ValueSource(strings = {"[1,}", "{\"a\" 1}", "[1 2]", "{\"a\":1,}", "\"\\q\"", "tru", "[\"unterminated]", "NaN", "01"})
        void malformedContentAnywhereWinsOverAnInvalidFieldBeforeIt(String value) {
            // the whole document is read before any field is judged: '$' in user_id comes first, but the value is not JSON
            ObjectNode json = validJson().put("user_id", "$where");
            String text = json.toString();
            text = text.substring(0, text.length() - 1) + ",\"extra\":" + value + "}";

            assertThat(rejectionOf(bytes(text))).isEqualTo(RejectionReason.MALFORMED_JSON);
        }

        @Test
        void fieldsAreJudgedInAFixedOrderWhateverTheirOrderInTheDocument() {
            // schema_version, event_id, user_id, item_id, interaction_type, timestamp
            List<String> members = new ArrayList<>(List.of("\"timestamp\":\"yesterday\"", "\"interaction_type\":\"like\"",
                    "\"item_id\":4.2", "\"user_id\":\"$where\"", "\"event_id\":\"e-1\"", "\"schema_version\":1"));
            assertThat(rejectionOf(object(members))).isEqualTo(RejectionReason.INVALID_ID);
            members.set(3, "\"user_id\":\"user-42\"");
            assertThat(rejectionOf(object(members))).isEqualTo(RejectionReason.WRONG_TYPE);
            members.set(2, "\"item_id\":\"item-7\"");
            assertThat(rejectionOf(object(members))).isEqualTo(RejectionReason.UNKNOWN_TYPE);
            members.set(1, "\"interaction_type\":\"view\"");
            assertThat(rejectionOf(object(members))).isEqualTo(RejectionReason.INVALID_TIMESTAMP);
            members.remove(4); // event_id
            members.add("\"schema_version\":2");
            members.remove(4); // the first schema_version
            assertThat(rejectionOf(object(members))).isEqualTo(RejectionReason.UNSUPPORTED_SCHEMA_VERSION);
        }

        @Test
        void nestingUpToTheParserLimitIsAcceptedInAnUnknownField() throws Exception {
            // the event object is level 1, so 999 more levels is the parser's limit of 1000
            String deep = "[".repeat(999) + "]".repeat(999);

            assertThat(parser.parse(validWith("\"extra\":" + deep)).userId()).isEqualTo("user-42");
        }

        @ParameterizedTest
        @ValueSource(ints = {1000, 5000})
        void nestingBeyondTheParserLimitIsMalformedJson(int depth) {
            InvalidEventException e = rejection(validWith("\"extra\":" + "[".repeat(depth) + "]".repeat(depth)));
            assertThat(e.reason()).isEqualTo(RejectionReason.MALFORMED_JSON);
            assertThat(e.detail()).startsWith("Document nesting depth (1001) exceeds the maximum allowed (1000");

            int objectDepth = Math.min(depth, 2000); // 6 bytes a level: 5000 would be over the size limit
            String objects = "{\"a\":".repeat(objectDepth) + "1" + "}".repeat(objectDepth);
            assertThat(rejectionOf(validWith("\"extra\":" + objects))).isEqualTo(RejectionReason.MALFORMED_JSON);
            assertThat(rejectionOf(bytes("[".repeat(depth + 1) + "]".repeat(depth + 1)))).isEqualTo(RejectionReason.MALFORMED_JSON);
        }

        @Test
        void numberLongerThanTheParserAllowsIsMalformedJsonEvenInAnUnknownField() throws Exception {
            assertThat(parser.parse(validWith("\"extra\":1" + "0".repeat(999))).userId()).isEqualTo("user-42");
            assertThat(rejectionOf(validWith("\"extra\":1" + "0".repeat(1000)))).isEqualTo(RejectionReason.MALFORMED_JSON);
            assertThat(rejectionOf(validWith("\"extra\":[0." + "5".repeat(1000) + "]"))).isEqualTo(RejectionReason.MALFORMED_JSON);
        }

        @Test
        void invalidUtf8InsideAnUnknownStringIsMalformedJson() {
            byte[] valid = validWith("\"extra\":\"ab\"");
            byte[] broken = Arrays.copyOf(valid, valid.length);
            int a = new String(valid, StandardCharsets.UTF_8).indexOf("ab\"");
            broken[a] = (byte) 0xC3; // a lead byte followed by 'b', which is not a continuation byte

            assertThat(rejectionOf(broken)).isEqualTo(RejectionReason.MALFORMED_JSON);
        }

        @Test
        void eventEncodedInUtf16OrWithAUtf8ByteOrderMarkIsAccepted() throws Exception {
            // Jackson detects the encoding from the first bytes; the tree reader accepted these, so they stay accepted
            InteractionEvent expected = parser.parse(bytes(validJson()));
            String text = validJson().toString();

            assertThat(parser.parse(text.getBytes(StandardCharsets.UTF_16))).isEqualTo(expected);
            assertThat(parser.parse(text.getBytes(StandardCharsets.UTF_16LE))).isEqualTo(expected);
            assertThat(parser.parse(bytes("\uFEFF" + text))).isEqualTo(expected);
        }
    }

    @Nested
    class Escapes {

        @Test
        void escapedCharactersInIdsAreDecodedBeforeTheyAreChecked() throws Exception {
            InteractionEvent event = parser.parse(bytes(validJson().toString()
                    .replace("\"user-42\"", "\"\\u0075ser-42\"").replace("\"item-7\"", "\"item\\u002d7\"")));

            assertThat(event.userId()).isEqualTo("user-42");
            assertThat(event.itemId()).isEqualTo("item-7");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
                "\\u0024where  | user_id contains '$', which is not allowed in ids",
                "a\\u002eb     | user_id contains '.', which is not allowed in ids",
                "a\\u002Eb     | user_id contains '.', which is not allowed in ids",
                "a\\u0000b     | user_id contains '\\u0000', which is not allowed in ids",
                "a\\u001fb     | user_id contains '\\u001f', which is not allowed in ids"})
        void escapedForbiddenCharacterInAnIdIsInvalid(String escaped, String detail) {
            InvalidEventException e = rejection(bytes(validJson().toString().replace("\"user-42\"", "\"" + escaped + "\"")));

            assertThat(e.reason()).isEqualTo(RejectionReason.INVALID_ID);
            assertThat(e.detail()).isEqualTo(detail);
        }

        @Test
        void nonAsciiIdsAreAcceptedWrittenRawOrEscaped() throws Exception {
            String id = "\u00e9t\u00e9-\uD83D\uDE00-\u4e2d";
            assertThat(parser.parse(bytes(validJson().put("user_id", id))).userId()).isEqualTo(id);
            assertThat(parser.parse(bytes(validJson().toString().replace("\"user-42\"",
                    "\"\\u00e9t\\u00e9-\\ud83d\\ude00-\\u4E2D\""))).userId()).isEqualTo(id);
        }

        @Test
        void idLengthIsCountedInCharactersAfterDecoding() throws Exception {
            // 128 escapes of 6 bytes each are 128 characters, within the limit
            String escaped = "\\u0075".repeat(OPTIONS.maxIdLength());
            InteractionEvent event = parser.parse(bytes(validJson().toString().replace("\"user-42\"", "\"" + escaped + "\"")));

            assertThat(event.userId()).isEqualTo("u".repeat(OPTIONS.maxIdLength()));
        }

        @Test
        void escapedFieldNamesAreTheFieldsTheySpell() throws Exception {
            InteractionEvent event = parser.parse(bytes(validJson().toString()
                    .replace("\"user_id\"", "\"\\u0075ser_id\"").replace("\"interaction_type\"", "\"interaction\\u005ftype\"")));

            assertThat(event.userId()).isEqualTo("user-42");
            assertThat(event.type()).isEqualTo(InteractionType.CLICK);
        }

        @Test
        void escapedInteractionTypeIsDecoded() throws Exception {
            assertThat(parser.parse(bytes(validJson().toString().replace("\"click\"", "\"cl\\u0069ck\""))).type())
                    .isEqualTo(InteractionType.CLICK);
        }

        @ParameterizedTest
        @ValueSource(strings = {"\\uZZZZ", "\\u12", "\\x41", "\\q"})
        void invalidEscapeInAnIdIsMalformedJson(String escape) {
            assertThat(rejectionOf(bytes(validJson().toString().replace("\"user-42\"", "\"a" + escape + "\""))))
                    .isEqualTo(RejectionReason.MALFORMED_JSON);
        }
    }

    @Nested
    class SchemaVersionDetails {

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "2                    | schema_version 2 is not supported (expected 1)",
                "-0                   | schema_version 0 is not supported (expected 1)",
                "4294967297           | schema_version 4294967297 is not supported (expected 1)",
                "18446744073709551617 | schema_version 18446744073709551617 is not supported (expected 1)"})
        void unsupportedVersionDetailShowsTheNumber(String literal, String detail) {
            InvalidEventException e = rejection(bytes(validJson().toString().replace("\"schema_version\":1", "\"schema_version\":" + literal)));

            assertThat(e.reason()).isEqualTo(RejectionReason.UNSUPPORTED_SCHEMA_VERSION);
            assertThat(e.detail()).isEqualTo(detail);
        }

        @ParameterizedTest
        @ValueSource(strings = {"1e0", "1.0E0", "{}", "{\"v\":1}", "false"})
        void schemaVersionThatIsNotAnIntegerIsWrongType(String literal) {
            InvalidEventException e = rejection(bytes(validJson().toString().replace("\"schema_version\":1", "\"schema_version\":" + literal)));

            assertThat(e.reason()).isEqualTo(RejectionReason.WRONG_TYPE);
            assertThat(e.detail()).isEqualTo("schema_version must be an integer");
        }

        @ParameterizedTest
        @ValueSource(strings = {"01", "+1", "1.", ".5", "0x1", "NaN", "-"})
        void schemaVersionThatIsNotAJsonNumberIsMalformedJson(String literal) {
            assertThat(rejectionOf(bytes(validJson().toString().replace("\"schema_version\":1", "\"schema_version\":" + literal))))
                    .isEqualTo(RejectionReason.MALFORMED_JSON);
        }
    }

    @Nested
    class TimestampForms {

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "2026-01-31T11:59:50Z              | 2026-01-31T11:59:50Z",
                "2026-01-31T11:59:50.1Z            | 2026-01-31T11:59:50.100Z",
                "2026-01-31T11:59:50.12Z           | 2026-01-31T11:59:50.120Z",
                "2026-01-31T11:59:50.123Z          | 2026-01-31T11:59:50.123Z",
                "2026-01-31T11:59:50.000001Z       | 2026-01-31T11:59:50.000001Z",
                "2026-01-31T11:59:50.123456789Z    | 2026-01-31T11:59:50.123456789Z",
                "2026-01-31T11:59:50.Z             | 2026-01-31T11:59:50Z",
                "2026-01-31t11:59:50z              | 2026-01-31T11:59:50Z",
                "2026-01-31T12:59:50+01:00         | 2026-01-31T11:59:50Z",
                "2026-01-31T06:29:50.5-05:30       | 2026-01-31T11:59:50.500Z",
                "2026-01-31T11:59:50+00:00         | 2026-01-31T11:59:50Z",
                "2026-01-31T12:59:50.000+0100      | 2026-01-31T11:59:50Z",
                "2026-01-31T12:59:50+01            | 2026-01-31T11:59:50Z",
                "2026-01-30T24:00:00Z              | 2026-01-31T00:00:00Z",
                "2026-01-30T23:59:60Z              | 2026-01-30T23:59:59Z",
                "2026-01-01T12:00:00Z              | 2026-01-01T12:00:00Z",
                "2026-01-31T12:05:00Z              | 2026-01-31T12:05:00Z"})
        void everyIsoInstantFormIsAccepted(String text, String expected) throws Exception {
            assertThat(parser.parse(bytes(validJson().put("timestamp", text))).timestamp()).isEqualTo(Instant.parse(expected));
        }

        @ParameterizedTest
        @ValueSource(strings = {"2026-01-31T11:59:50.1234567890Z", "2026-01-31T11:59:50,123Z", "2026-01-31T11:59Z",
                "+2026-01-31T11:59:50Z", "2026-01-31T11:59:50.000+010", "2026-01-31T11:59:50+1", "2026-02-29T00:00:00Z",
                "2026-01-00T11:59:50Z", "2026-00-31T11:59:50Z", "2026-01-32T11:59:50Z", "2026-01-31T25:00:00Z",
                "2026-01-31T11:60:50Z", "2026-01-31T11:59:61Z", "2026-01-31T11:59:60Z", "2026-01-30T24:00:01Z",
                "2026-1-31T11:59:50Z", "2026-01-31T11:59:50.000ZZ", " 2026-01-31T11:59:50Z", "2026-01-31T11:59:50Z ",
                "\uff12\uff10\uff12\uff16-01-31T11:59:50Z", "2026-01-31T11:59:50.\u0661Z", "2026-01-31T11:59:50.-1Z",
                "2026-01-31T11:59:50X", "2026-01-31X11:59:50Z", "2026/01/31T11:59:50Z"})
        void formsIsoInstantRejectsAreRejected(String text) {
            assertThat(rejectionOf(validJson().put("timestamp", text))).isEqualTo(RejectionReason.INVALID_TIMESTAMP);
        }
    }
}
