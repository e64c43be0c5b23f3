package pulse.event;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import pulse.event.EventMapping.Field;
import pulse.event.EventMapping.FieldRef;
import pulse.event.EventMapping.Format;
import pulse.event.EventMapping.TimestampFormat;
import pulse.event.EventMapping.TimestampSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** What producers other than this product's generator write, read through {@link EventMapping}. */
class EventShapesParserTest {

    private static final Instant NOW = Instant.parse("2026-12-02T02:00:10Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final EventParser DEFAULT = new EventParser(ValidationOptions.defaults(), CLOCK);

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static InvalidEventException rejection(EventParser parser, String json) {
        InvalidEventException e = catchThrowableOfType(InvalidEventException.class, () -> parser.parse(bytes(json)));
        assertThat(e).as("parse should reject %s", json).isNotNull();
        return e;
    }

    private static EventParser parser(EventMapping mapping) {
        return new EventParser(ValidationOptions.defaults(), mapping, CLOCK);
    }

    private static EventMapping mapping(Format format, Map<Field, String> fields, TimestampFormat timestampFormat,
                                        TimestampSource source, ZoneId zone, InteractionTypes types) {
        Map<Field, FieldRef> refs = new EnumMap<>(Field.class);
        fields.forEach((field, text) -> refs.put(field, FieldRef.parse(text)));
        return EventMapping.of(format, refs, timestampFormat, source, zone, types);
    }

    @Nested
    class TheOriginalProducersShape {

        /** Exactly what the pipeline's original Python producer writes: no event id, no schema version. */
        private static final String ORIGINAL = "{\"user_id\": 7, \"item_id\": 3, \"interaction_type\": \"click\","
                + " \"timestamp\": \"2026-12-02T02:00:00.123456\"}";

        @Test
        void isAcceptedByDefaultWithIntegerIdsAsTheirDecimalText() throws Exception {
            InteractionEvent event = DEFAULT.parse(bytes(ORIGINAL));

            assertThat(event).isEqualTo(new InteractionEvent(null, 1, "7", "3", InteractionType.CLICK,
                    Instant.parse("2026-12-02T02:00:00.123456Z")));
        }

        @Test
        void anIntegerIdAndTheSameIdAsAStringAreTheSameUser() throws Exception {
            InteractionEvent asNumber = DEFAULT.parse(bytes(ORIGINAL));
            InteractionEvent asText = DEFAULT.parse(bytes(ORIGINAL.replace("\"user_id\": 7", "\"user_id\": \"7\"")));

            assertThat(asText.userId()).isEqualTo(asNumber.userId()).isEqualTo("7");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {"-0 | 0", "007 | MALFORMED", "12345678901234567890 | 12345678901234567890",
                "-42 | -42"})
        void integerIdsAreNormalisedDecimalText(String literal, String expected) throws Exception {
            String json = ORIGINAL.replace("\"user_id\": 7", "\"user_id\": " + literal);
            if (expected.equals("MALFORMED")) {
                assertThat(rejection(DEFAULT, json).reason()).isEqualTo(RejectionReason.MALFORMED_JSON);
            } else {
                assertThat(DEFAULT.parse(bytes(json)).userId()).isEqualTo(expected);
            }
        }

        @Test
        void aZoneLessTimeIsReadInTheConfiguredZone() throws Exception {
            EventParser paris = parser(mapping(Format.JSON, Map.of(), TimestampFormat.AUTO, TimestampSource.FIELD,
                    ZoneId.of("Europe/Paris"), InteractionTypes.DEFAULT));
            String json = ORIGINAL.replace("2026-12-02T02:00:00.123456", "2026-12-02T03:00:00.5");

            assertThat(paris.parse(bytes(json)).timestamp()).isEqualTo(Instant.parse("2026-12-02T02:00:00.500Z"));
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "2026-12-02T02:00:00.123456     | 2026-12-02T02:00:00.123456Z",
                "2026-12-02T02:00:00            | 2026-12-02T02:00:00Z",
                "2026-12-02T02:00               | 2026-12-02T02:00:00Z",
                "2026-12-02 02:00:00.25         | 2026-12-02T02:00:00.250Z",
                "2026-12-02 02:00:00Z           | 2026-12-02T02:00:00Z",
                "2026-12-02T03:00:00+01:00      | 2026-12-02T02:00:00Z",
                "2026-12-02T02:00:00.1Z         | 2026-12-02T02:00:00.100Z",
                "1796176800123                  | 2026-12-02T02:00:00.123Z"})
        void autoTimestampsAcceptIsoWithOrWithoutZoneAndEpochMillisAsDigits(String text, String expected) throws Exception {
            String json = ORIGINAL.replace("2026-12-02T02:00:00.123456", text);

            assertThat(DEFAULT.parse(bytes(json)).timestamp()).isEqualTo(Instant.parse(expected));
        }

        @Test
        void autoTimestampsAcceptEpochMillisAsANumber() throws Exception {
            String json = ORIGINAL.replace("\"2026-12-02T02:00:00.123456\"", "1796176800123");

            assertThat(DEFAULT.parse(bytes(json)).timestamp()).isEqualTo(Instant.parse("2026-12-02T02:00:00.123Z"));
        }

        @Test
        void autoTimestampsRejectFractionalEpochAndSayHowToReadSeconds() {
            InvalidEventException e = rejection(DEFAULT, ORIGINAL.replace("\"2026-12-02T02:00:00.123456\"", "1796176800.123"));

            assertThat(e.reason()).isEqualTo(RejectionReason.INVALID_TIMESTAMP);
            assertThat(e.detail()).contains("event.timestamp.format=epoch-seconds");
        }

        @Test
        void epochSecondsReadInSecondsAreTooOldWhenReadAsMillisAndSaySo() {
            InvalidEventException e = rejection(DEFAULT, ORIGINAL.replace("\"2026-12-02T02:00:00.123456\"", "1796176800"));

            assertThat(e.reason()).isEqualTo(RejectionReason.TIMESTAMP_TOO_OLD);
        }

        @ParameterizedTest
        @ValueSource(strings = {"\"user_id\": \"$where\"", "\"user_id\": \"a.b\"", "\"user_id\": \"\"",
                "\"user_id\": \"u\\u0000\""})
        void hostileIdsAreStillInvalid(String member) {
            String json = ORIGINAL.replace("\"user_id\": 7", member);

            assertThat(rejection(DEFAULT, json).reason()).isEqualTo(RejectionReason.INVALID_ID);
        }

        @Test
        void futureAndAncientTimesAreStillRejected() {
            assertThat(rejection(DEFAULT, ORIGINAL.replace("2026-12-02T02:00:00.123456", "2026-12-02T03:00:00")).reason())
                    .isEqualTo(RejectionReason.TIMESTAMP_IN_FUTURE);
            assertThat(rejection(DEFAULT, ORIGINAL.replace("2026-12-02T02:00:00.123456", "2026-01-02T03:00:00")).reason())
                    .isEqualTo(RejectionReason.TIMESTAMP_TOO_OLD);
        }

        @Test
        void aNullEventIdIsNoEventId() throws Exception {
            String json = ORIGINAL.replace("{", "{\"event_id\": null, ");

            assertThat(DEFAULT.parse(bytes(json)).eventId()).isNull();
        }

        @ParameterizedTest
        @ValueSource(strings = {"CLICK", "Click", "cLiCk"})
        void typesMatchCaseInsensitively(String spelling) throws Exception {
            String json = ORIGINAL.replace("\"click\"", "\"" + spelling + "\"");

            assertThat(DEFAULT.parse(bytes(json)).type()).isEqualTo(InteractionType.CLICK);
        }
    }

    @Nested
    class ANestedShape {

        private static final InteractionTypes FOUR_TYPES = InteractionTypes.of(List.of("view", "click", "purchase", "add_to_cart"),
                Map.of("Product Viewed", "view", "Product Clicked", "click", "Product Added", "add_to_cart",
                        "Order Completed", "purchase"), false);
        private final EventParser parser = parser(mapping(Format.JSON, Map.of(
                Field.USER_ID, "/user/id", Field.ITEM_ID, "/properties/product_id", Field.TYPE, "/event/name",
                Field.TIMESTAMP, "/event/ts", Field.EVENT_ID, "/event/id"), TimestampFormat.EPOCH_MILLIS,
                TimestampSource.FIELD, ZoneOffset.UTC, FOUR_TYPES));

        private static String event(String name) {
            return "{\"event\":{\"id\":\"e-1\",\"name\":\"" + name + "\",\"ts\":1796176800123},\"user\":{\"id\":42,"
                    + "\"traits\":{\"user_id\":\"not this one\"}},\"properties\":{\"product_id\":\"sku-9\",\"price\":9.5}}";
        }

        @Test
        void fieldsAreReadThroughTheirPointers() throws Exception {
            assertThat(parser.parse(bytes(event("Product Added")))).isEqualTo(new InteractionEvent("e-1", 1, "42", "sku-9",
                    FOUR_TYPES.named("add_to_cart"), Instant.parse("2026-12-02T02:00:00.123Z")));
        }

        @Test
        void aliasesMatchCaseInsensitivelyToo() throws Exception {
            assertThat(parser.parse(bytes(event("order completed"))).type()).isEqualTo(FOUR_TYPES.named("purchase"));
        }

        @Test
        void aMissingNestedFieldIsMissingAndNamedByItsPointer() {
            InvalidEventException e = rejection(parser, event("Product Viewed").replace("\"product_id\":\"sku-9\",", ""));

            assertThat(e.reason()).isEqualTo(RejectionReason.MISSING_FIELD);
            assertThat(e.detail()).isEqualTo("/properties/product_id is missing");
        }

        @Test
        void topLevelFieldsOfTheDefaultShapeAreNotReadWhenMappedElsewhere() {
            String json = event("Product Viewed").replace("{\"event\"", "{\"user_id\":\"u-1\",\"event\"")
                    .replace("\"user\":{\"id\":42,", "\"user\":{");

            assertThat(rejection(parser, json).detail()).isEqualTo("/user/id is missing");
        }

        @Test
        void anIsoStringIsNotEpochMillis() {
            InvalidEventException e = rejection(parser, event("Product Viewed").replace("1796176800123", "\"2026-12-02T02:00:00Z\""));

            assertThat(e.reason()).isEqualTo(RejectionReason.INVALID_TIMESTAMP);
            assertThat(e.detail()).contains("event.timestamp.format=epoch-millis");
        }

        @Test
        void anUnknownTypeIsRejectedNamingTheVocabulary() {
            InvalidEventException e = rejection(parser, event("Signed Up"));

            assertThat(e.reason()).isEqualTo(RejectionReason.UNKNOWN_TYPE);
            assertThat(e.detail()).contains("view, click, purchase, add_to_cart");
        }

        @Test
        void anUnknownTypeIsCountedAsOtherWhenConfigured() throws Exception {
            InteractionTypes withOther = InteractionTypes.of(List.of("view", "click", "purchase"), Map.of(), true);
            EventParser lenient = parser(mapping(Format.JSON, Map.of(Field.USER_ID, "/user/id",
                    Field.ITEM_ID, "/properties/product_id", Field.TYPE, "/event/name", Field.TIMESTAMP, "/event/ts"),
                    TimestampFormat.AUTO, TimestampSource.FIELD, ZoneOffset.UTC, withOther));

            InteractionEvent event = lenient.parse(bytes(event("Signed Up")));

            assertThat(event.type()).isEqualTo(new InteractionType("other", 3));
            assertThat(event.eventId()).as("the event id is not mapped here").isNull();
        }

        @Test
        void pointersReachIntoArraysAndUnescapeTildes() throws Exception {
            EventParser arrays = parser(mapping(Format.JSON, Map.of(Field.USER_ID, "/a~1b/0", Field.ITEM_ID, "/items/1/id",
                    Field.TYPE, "/m~0n"), TimestampFormat.AUTO, TimestampSource.FIELD, ZoneOffset.UTC, InteractionTypes.DEFAULT));
            String json = "{\"a/b\":[\"u-1\",\"u-2\"],\"items\":[{\"id\":\"i-0\"},{\"id\":\"i-1\"}],\"m~n\":\"view\","
                    + "\"timestamp\":\"2026-12-02T02:00:00Z\"}";

            InteractionEvent event = arrays.parse(bytes(json));

            assertThat(event.userId()).isEqualTo("u-1");
            assertThat(event.itemId()).isEqualTo("i-1");
        }

        @Test
        void malformedJsonAnywhereIsStillMalformed() {
            String json = event("Product Viewed").replace("\"price\":9.5", "\"price\":9.5,\"price\":1");

            assertThat(rejection(parser, json).reason()).isEqualTo(RejectionReason.MALFORMED_JSON);
        }
    }

    @Nested
    class Timestamps {

        private EventParser parser(TimestampFormat format, TimestampSource source) {
            return EventShapesParserTest.parser(mapping(Format.JSON, Map.of(), format, source, ZoneOffset.UTC,
                    InteractionTypes.DEFAULT));
        }

        private static String withTime(String literal) {
            return "{\"user_id\":\"u\",\"item_id\":\"i\",\"interaction_type\":\"view\"" + (literal == null ? "" : ",\"timestamp\":" + literal) + "}";
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {"1796176800 | 2026-12-02T02:00:00Z", "1796176800.123456 | 2026-12-02T02:00:00.123456Z",
                "\"1796176800.5\" | 2026-12-02T02:00:00.500Z", "1.7961768E9 | 2026-12-02T02:00:00Z"})
        void epochSecondsTakeFractionsAndNumericStrings(String literal, String expected) throws Exception {
            assertThat(parser(TimestampFormat.EPOCH_SECONDS, TimestampSource.FIELD).parse(bytes(withTime(literal))).timestamp())
                    .isEqualTo(Instant.parse(expected));
        }

        @ParameterizedTest
        @ValueSource(strings = {"\"yesterday\"", "\"1e999999999\"", "1e20", "true"})
        void epochSecondsRejectWhatIsNotATime(String literal) {
            assertThat(rejection(parser(TimestampFormat.EPOCH_SECONDS, TimestampSource.FIELD), withTime(literal)).reason())
                    .isIn(RejectionReason.INVALID_TIMESTAMP, RejectionReason.WRONG_TYPE);
        }

        @Test
        void isoRejectsNumbers() {
            assertThat(rejection(parser(TimestampFormat.ISO, TimestampSource.FIELD), withTime("1796176800123")).reason())
                    .isEqualTo(RejectionReason.INVALID_TIMESTAMP);
        }

        @Test
        void theRecordTimestampIsUsedWhenAskedFor() throws Exception {
            InteractionEvent event = parser(TimestampFormat.AUTO, TimestampSource.RECORD)
                    .parse(bytes(withTime("\"garbage that is never read\"")), 1796176800123L, name -> null);

            assertThat(event.timestamp()).isEqualTo(Instant.parse("2026-12-02T02:00:00.123Z"));
        }

        @Test
        void fieldOrRecordFallsBackOnlyWhenTheFieldIsMissingOrNull() throws Exception {
            EventParser parser = parser(TimestampFormat.AUTO, TimestampSource.FIELD_OR_RECORD);

            assertThat(parser.parse(bytes(withTime(null)), 1796176800123L, name -> null).timestamp())
                    .isEqualTo(Instant.parse("2026-12-02T02:00:00.123Z"));
            assertThat(parser.parse(bytes(withTime("null")), 1796176800123L, name -> null).timestamp())
                    .isEqualTo(Instant.parse("2026-12-02T02:00:00.123Z"));
            assertThat(parser.parse(bytes(withTime("\"2026-12-02T02:00:05Z\"")), 1796176800123L, name -> null).timestamp())
                    .isEqualTo(Instant.parse("2026-12-02T02:00:05Z"));
        }

        @Test
        void theRecordTimestampIsNotReadWhenTheEventCarriesItsTime() throws Exception {
            // reading it costs the consumer a cache miss per record (KafkaRecord reads it from camel-kafka's headers)
            LongSupplier unreadable = () -> {
                throw new AssertionError("the record timestamp was read");
            };
            for (TimestampSource source : List.of(TimestampSource.FIELD, TimestampSource.FIELD_OR_RECORD)) {
                assertThat(parser(TimestampFormat.AUTO, source)
                        .parse(bytes(withTime("\"2026-12-02T02:00:05Z\"")), unreadable, name -> null).timestamp())
                        .as(source.name()).isEqualTo(Instant.parse("2026-12-02T02:00:05Z"));
            }
        }

        @Test
        void aRecordWithoutTimestampIsInvalidWhenItsTimestampIsNeeded() {
            InvalidEventException e = catchThrowableOfType(InvalidEventException.class,
                    () -> parser(TimestampFormat.AUTO, TimestampSource.RECORD).parse(bytes(withTime(null))));

            assertThat(e.reason()).isEqualTo(RejectionReason.INVALID_TIMESTAMP);
        }
    }

    @Nested
    class CloudEvents {

        private final EventParser parser = parser(mapping(Format.CLOUDEVENTS, Map.of(), TimestampFormat.AUTO,
                TimestampSource.FIELD, ZoneOffset.UTC, InteractionTypes.of(List.of("view", "click", "purchase"),
                        Map.of("com.shop.product.viewed", "view"), false)));

        private static final String STRUCTURED = "{\"specversion\":\"1.0\",\"id\":\"ce-1\",\"source\":\"/shop\","
                + "\"type\":\"com.shop.product.viewed\",\"time\":\"2026-12-02T03:00:00+01:00\",\"subject\":\"sku-9\","
                + "\"datacontenttype\":\"application/json\",\"data\":{\"user_id\":\"u-1\",\"item_id\":\"i-1\"}}";

        @Test
        void structuredModeReadsAttributesAndTheMappingInsideData() throws Exception {
            assertThat(parser.parse(bytes(STRUCTURED))).isEqualTo(new InteractionEvent("ce-1", 1, "u-1", "i-1",
                    InteractionType.VIEW, Instant.parse("2026-12-02T02:00:00Z")));
        }

        @Test
        void binaryModeReadsAttributesFromHeadersAndTheValueAsData() throws Exception {
            Map<String, byte[]> headers = new HashMap<>();
            headers.put("ce_specversion", bytes("1.0"));
            headers.put("ce_id", bytes("ce-2"));
            headers.put("ce_type", bytes("click"));
            headers.put("ce_time", bytes("2026-12-02T02:00:00Z"));

            InteractionEvent event = parser.parse(bytes("{\"user_id\":7,\"item_id\":\"i-1\"}"), 1L, headers::get);

            assertThat(event).isEqualTo(new InteractionEvent("ce-2", 1, "7", "i-1", InteractionType.CLICK,
                    Instant.parse("2026-12-02T02:00:00Z")));
        }

        @Test
        void anAttributeCanBeMappedToAField() throws Exception {
            EventParser subjectIsItem = parser(mapping(Format.CLOUDEVENTS, Map.of(Field.ITEM_ID, "ce:subject"),
                    TimestampFormat.AUTO, TimestampSource.FIELD, ZoneOffset.UTC, InteractionTypes.of(
                            List.of("view", "click", "purchase"), Map.of("com.shop.product.viewed", "view"), false)));

            assertThat(subjectIsItem.parse(bytes(STRUCTURED)).itemId()).isEqualTo("sku-9");
        }

        @Test
        void aRecordThatIsNotACloudEventIsMissingItsSpecversion() {
            InvalidEventException e = rejection(parser, STRUCTURED.replace("\"specversion\":\"1.0\",", ""));

            assertThat(e.reason()).isEqualTo(RejectionReason.MISSING_FIELD);
            assertThat(e.detail()).startsWith("specversion is missing");
        }

        @Test
        void anotherSpecversionIsUnsupported() {
            assertThat(rejection(parser, STRUCTURED.replace("\"1.0\"", "\"0.3\"")).reason())
                    .isEqualTo(RejectionReason.UNSUPPORTED_SCHEMA_VERSION);
        }

        @Test
        void dataWithoutTheUserIsMissingTheFieldInsideData() {
            InvalidEventException e = rejection(parser, STRUCTURED.replace("\"user_id\":\"u-1\",", ""));

            assertThat(e.detail()).isEqualTo("/data/user_id is missing");
        }

        @Test
        void binaryDataThatIsNotAnObjectIsNotAnObject() {
            Map<String, byte[]> headers = Map.of("ce_specversion", bytes("1.0"), "ce_type", bytes("view"));

            InvalidEventException e = catchThrowableOfType(InvalidEventException.class,
                    () -> parser.parse(bytes("\"just text\""), 1L, headers::get));

            assertThat(e.reason()).isEqualTo(RejectionReason.NOT_AN_OBJECT);
        }

        @Test
        void hostileIdsInDataAreInvalid() {
            assertThat(rejection(parser, STRUCTURED.replace("\"u-1\"", "\"$ne\"")).reason()).isEqualTo(RejectionReason.INVALID_ID);
        }
    }

    @Nested
    class Configuration {

        @ParameterizedTest
        @ValueSource(strings = {"user_id", "", "/a/~2", "/a~"})
        void aPointerThatIsNotOneIsRefused(String text) {
            assertThatThrownBy(() -> FieldRef.parse(text)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void theRootPointerNamesTheEmptyMember() {
            assertThat(FieldRef.parse("/").pointer()).containsExactly("");
        }

        @Test
        void anAttributeNeedsCloudEvents() {
            assertThatThrownBy(() -> mapping(Format.JSON, Map.of(Field.ITEM_ID, "ce:subject"), TimestampFormat.AUTO,
                    TimestampSource.FIELD, ZoneOffset.UTC, InteractionTypes.DEFAULT))
                    .hasMessageContaining("event.format=cloudevents");
        }
    }
}
