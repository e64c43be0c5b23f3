package pulse.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import pulse.generator.EventShape;
import pulse.generator.ShapeProperties;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The fast paths the nested and CloudEvents shapes take (type aliases and the spec version read without a String,
 * from the parser's buffer or a header's bytes; integer epoch milliseconds read as a long; unmapped members learned
 * into the member-order guess) mean what the text says, and everything else falls back to the text, judged as before.
 */
class EventParserShapeFastPathsTest {

    private static final Instant NOW = Instant.parse("2026-01-31T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static EventParser parser(EventShape shape) {
        return new EventParser(ValidationOptions.defaults(), ShapeProperties.mapping(shape), CLOCK);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] cloudEvent(String specversion, String type, String between) {
        return utf8("{\"specversion\":\"" + specversion + "\",\"id\":\"e1\",\"source\":\"/s\",\"type\":\"" + type
                + "\",\"time\":\"2026-01-31T11:59:50Z\"" + between + ",\"data\":{\"user_id\":\"u\",\"item_id\":\"i\"}}");
    }

    private static Function<String, byte[]> ceHeaders(String specversion, byte[] type) {
        Map<String, byte[]> headers = Map.of("ce_specversion", utf8(specversion), "ce_id", utf8("e1"),
                "ce_type", type, "ce_time", utf8("2026-01-31T11:59:50Z"));
        return headers::get;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Product Viewed|view",            // an alias as configured: from the buffer
            "Product\\u0020Viewed|view",      // the same alias through a JSON escape: from the text
            "product viewed|view",            // another case: from the text
            "Order Completed|purchase",
            "click|click"})                   // a name
    void aliasesInTheValueMeanTheirType(String spelled, String expected) throws Exception {
        assertThat(parser(EventShape.CLOUDEVENTS).parse(cloudEvent("1.0", spelled, "")).type().name()).isEqualTo(expected);
        byte[] nested = utf8("{\"event\":{\"id\":\"e1\",\"name\":\"" + spelled + "\",\"ts\":1769860790123},"
                + "\"user\":{\"id\":42},\"properties\":{\"product_id\":\"i\"}}");
        assertThat(parser(EventShape.NESTED).parse(nested).type().name()).isEqualTo(expected);
    }

    @Test
    void anAliasSpelledLikeANameMeansTheName() throws Exception {
        EventMapping mapping = EventMapping.DEFAULT.withTypes(
                InteractionTypes.of(List.of("view", "click"), Map.of("click", "view", "tap", "click"), false));
        EventParser parser = new EventParser(ValidationOptions.defaults(), mapping, CLOCK);
        String event = "{\"user_id\":\"u\",\"item_id\":\"i\",\"interaction_type\":\"%s\",\"timestamp\":\"2026-01-31T11:59:50Z\"}";

        assertThat(parser.parse(utf8(event.formatted("click"))).type().name()).isEqualTo("click");
        assertThat(parser.parse(utf8(event.formatted("tap"))).type().name()).isEqualTo("click");
    }

    @Test
    void aTypeNearAnAliasIsUnknownWithItsText() {
        InvalidEventException e = catchThrowableOfType(InvalidEventException.class,
                () -> parser(EventShape.CLOUDEVENTS).parse(cloudEvent("1.0", "Product Viewe", "")));

        assertThat(e.reason()).isEqualTo(RejectionReason.UNKNOWN_TYPE);
        assertThat(e.detail()).startsWith("type 'Product Viewe' is not one of view, click, purchase, add_to_cart");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"Product Viewed|view", "product viewed|view", "purchase|purchase",
            "Order Completed|purchase"})
    void aliasesInHeadersMeanTheirType(String spelled, String expected) throws Exception {
        InteractionEvent event = parser(EventShape.CLOUDEVENTS_BINARY).parse(utf8("{\"user_id\":\"u\",\"item_id\":\"i\"}"),
                EventParser.NO_RECORD_TIMESTAMP, ceHeaders("1.0", utf8(spelled)));

        assertThat(event.type().name()).isEqualTo(expected);
        assertThat(event.timestamp()).isEqualTo(Instant.parse("2026-01-31T11:59:50Z"));
    }

    @Test
    void aNonAsciiHeaderTypeIsResolvedFromItsText() throws Exception {
        EventMapping binary = ShapeProperties.mapping(EventShape.CLOUDEVENTS_BINARY);
        EventMapping mapping = new EventMapping(binary.format(), binary.fields(), binary.timestampFormat(),
                binary.timestampSource(), binary.timeZone(),
                InteractionTypes.of(List.of("view", "click"), Map.of("Vue produit é", "view"), false));
        EventParser parser = new EventParser(ValidationOptions.defaults(), mapping, CLOCK);
        byte[] data = utf8("{\"user_id\":\"u\",\"item_id\":\"i\"}");

        assertThat(parser.parse(data, EventParser.NO_RECORD_TIMESTAMP, ceHeaders("1.0", utf8("Vue produit é"))).type().name())
                .isEqualTo("view");
        InvalidEventException e = catchThrowableOfType(InvalidEventException.class, () -> parser.parse(data,
                EventParser.NO_RECORD_TIMESTAMP, ceHeaders("1.0", "Vue produit e".getBytes(StandardCharsets.ISO_8859_1))));
        assertThat(e.reason()).isEqualTo(RejectionReason.UNKNOWN_TYPE);
        assertThat(e.detail()).startsWith("header ce_type 'Vue produit e' is not one of view, click");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"1.1", "1.00", "10", "1,0"})
    void otherSpecVersionsAreRejectedWithTheirText(String version) {
        InvalidEventException structured = catchThrowableOfType(InvalidEventException.class,
                () -> parser(EventShape.CLOUDEVENTS).parse(cloudEvent(version, "view", "")));
        InvalidEventException binary = catchThrowableOfType(InvalidEventException.class,
                () -> parser(EventShape.CLOUDEVENTS_BINARY).parse(utf8("{\"user_id\":\"u\",\"item_id\":\"i\"}"),
                        EventParser.NO_RECORD_TIMESTAMP, ceHeaders(version, utf8("view"))));

        assertThat(structured.reason()).isEqualTo(RejectionReason.UNSUPPORTED_SCHEMA_VERSION);
        assertThat(structured.detail()).isEqualTo("specversion '" + version + "' is not supported (expected 1.0)");
        assertThat(binary.reason()).isEqualTo(RejectionReason.UNSUPPORTED_SCHEMA_VERSION);
        assertThat(binary.detail()).isEqualTo("header ce_specversion '" + version + "' is not supported (expected 1.0)");
    }

    @Test
    void anEscapedSpecVersionIsTheSupportedOne() throws Exception {
        assertThat(parser(EventShape.CLOUDEVENTS).parse(cloudEvent("1\\u002e0", "view", "")).userId()).isEqualTo("u");
    }

    private static byte[] nested(String ts) {
        return utf8("{\"event\":{\"id\":\"e1\",\"name\":\"view\",\"ts\":" + ts + "},\"user\":{\"id\":42},"
                + "\"properties\":{\"product_id\":\"i\"}}");
    }

    @Test
    void integerEpochMillisecondsAreTheirInstant() throws Exception {
        long millis = NOW.toEpochMilli() - 1_234;
        assertThat(parser(EventShape.NESTED).parse(nested(Long.toString(millis))).timestamp())
                .isEqualTo(NOW.minusMillis(1_234));
    }

    @Test
    void integerTimesTooLargeOrTooOldAreRejectedAsBefore() {
        InvalidEventException huge = catchThrowableOfType(InvalidEventException.class,
                () -> parser(EventShape.NESTED).parse(nested("99999999999999999999")));
        InvalidEventException zero = catchThrowableOfType(InvalidEventException.class,
                () -> parser(EventShape.NESTED).parse(nested("-0")));

        assertThat(huge.reason()).isEqualTo(RejectionReason.INVALID_TIMESTAMP);
        assertThat(huge.detail()).startsWith("/event/ts '99999999999999999999' is not a whole number of epoch milliseconds");
        assertThat(zero.reason()).isEqualTo(RejectionReason.TIMESTAMP_TOO_OLD);
        assertThat(zero.detail()).startsWith("timestamp 1970-01-01T00:00:00Z is more than");
    }

    @Test
    void unmappedMembersInChangingOrdersAreSkippedAndStillChecked() throws Exception {
        EventParser parser = parser(EventShape.CLOUDEVENTS);
        for (int i = 0; i < 60; i++) { // more unmapped names than are learned, in orders that change
            String between = ",\"x" + i + "\":\"v\",\"datacontenttype\":\"application/json\",\"n" + (i % 3) + "\":[1,{\"a\":2}]";
            InteractionEvent event = parser.parse(cloudEvent("1.0", i % 2 == 0 ? "Product Viewed" : "click", between));
            assertThat(event.type().name()).isEqualTo(i % 2 == 0 ? "view" : "click");
            assertThat(event.userId()).isEqualTo("u");
            assertThat(event.eventId()).isEqualTo("e1");
        }
        InvalidEventException duplicate = catchThrowableOfType(InvalidEventException.class,
                () -> parser.parse(cloudEvent("1.0", "view", ",\"datacontenttype\":\"a\",\"source\":\"/t\"")));
        InvalidEventException invalidUtf8 = catchThrowableOfType(InvalidEventException.class, () -> parser.parse(
                utf8("{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"/s\u0001\",\"type\":\"view\"}")));

        assertThat(duplicate.reason()).isEqualTo(RejectionReason.MALFORMED_JSON);
        assertThat(duplicate.detail()).isEqualTo("Duplicate field 'source'");
        assertThat(invalidUtf8.reason()).isEqualTo(RejectionReason.MALFORMED_JSON);
    }

    /** Jackson's tree reader, which decodes every string: the truth for what makes a document malformed, and why. */
    private static final JsonMapper STRICT = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    @Test
    void brokenBytesInSkippedStringsAreMalformedExactlyWhenJacksonsDecodingSaysSoAndWithItsMessage() throws Exception {
        EventParser parser = parser(EventShape.CLOUDEVENTS);
        byte[][] pieces = {{'a'}, {(byte) 0xC3}, {(byte) 0xC3, (byte) 0xA9}, {(byte) 0xE2, (byte) 0x82, (byte) 0xAC},
                {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80}, {(byte) 0xF0, (byte) 0x9F},
                {(byte) 0x80}, {(byte) 0xFF}, {1}, {'\\', 'n'}, {'\\', 'u', '0', '0', 'e', '9'}, {'\\', 'u', 'z'},
                {'\\', 'q'}, {'"'}, {'\t'}};
        Random random = new Random(14);
        int malformed = 0;
        for (int i = 0; i < 5_000; i++) {
            java.io.ByteArrayOutputStream source = new java.io.ByteArrayOutputStream();
            for (int n = random.nextInt(4); n >= 0; n--) {
                source.writeBytes(pieces[random.nextInt(pieces.length)]);
            }
            String head = "{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"";
            String tail = "\",\"type\":\"view\",\"time\":\"2026-01-31T11:59:50Z\",\"data\":{\"user_id\":\"u\",\"item_id\":\"i\"}}";
            java.io.ByteArrayOutputStream document = new java.io.ByteArrayOutputStream();
            document.writeBytes(utf8(head));
            document.writeBytes(source.toByteArray());
            document.writeBytes(utf8(tail));
            byte[] value = document.toByteArray();
            if (random.nextInt(8) == 0) { // cut short, sometimes inside the string
                value = java.util.Arrays.copyOf(value, head.length() + random.nextInt(source.size() + 3));
            }
            String expected;
            try {
                STRICT.readTree(value);
                expected = null;
            } catch (JsonProcessingException e) {
                expected = EventParser.abbreviate(e.getOriginalMessage());
            }
            byte[] document0 = value;
            InvalidEventException rejection = catchThrowableOfType(InvalidEventException.class, () -> parser.parse(document0));
            if (expected == null) {
                assertThat(rejection).as(new String(value, StandardCharsets.ISO_8859_1)).isNull();
            } else {
                malformed++;
                assertThat(rejection).as(new String(value, StandardCharsets.ISO_8859_1)).isNotNull();
                assertThat(rejection.reason()).isEqualTo(RejectionReason.MALFORMED_JSON);
                assertThat(rejection.detail()).as(new String(value, StandardCharsets.ISO_8859_1)).isEqualTo(expected);
            }
        }
        assertThat(malformed).isBetween(1_000, 4_900); // both kinds were tried
    }
}
