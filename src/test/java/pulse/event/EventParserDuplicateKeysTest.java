package pulse.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pulse.event.EventMapping.Field;
import pulse.event.EventMapping.FieldRef;
import pulse.event.EventMapping.Format;
import pulse.event.EventMapping.TimestampFormat;
import pulse.event.EventMapping.TimestampSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A key duplicated in any object of a record, at any depth, mapped or not, makes it MALFORMED_JSON with Jackson's
 * own detail; the same key in different objects (siblings, parent and child) does not. The parser finds duplicates
 * itself; Jackson's {@code STRICT_DUPLICATE_DETECTION} is the truth these are checked against.
 */
class EventParserDuplicateKeysTest {

    private static final Instant NOW = Instant.parse("2026-01-31T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String VALID = "\"event_id\":\"e-1\",\"schema_version\":1,\"user_id\":\"user-42\","
            + "\"item_id\":\"item-7\",\"interaction_type\":\"click\",\"timestamp\":\"2026-01-31T11:59:50.000Z\"";
    /** Jackson reading a whole tree with its own duplicate detection: the truth. */
    private static final JsonMapper STRICT = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private final EventParser parser = new EventParser(ValidationOptions.defaults(), CLOCK);

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** The valid event with one more member, written raw. */
    private static String validWith(String rawMember) {
        return "{" + VALID + "," + rawMember + "}";
    }

    private static InvalidEventException rejection(EventParser parser, String json) {
        InvalidEventException e = catchThrowableOfType(InvalidEventException.class, () -> parser.parse(bytes(json)));
        assertThat(e).as("parse should reject %s", json).isNotNull();
        return e;
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "\"extra\":{\"a\":{\"b\":{\"c\":1,\"c\":2}}}",          // deep in an unmapped value
            "\"extra\":[{\"k\":1},{\"k\":1,\"k\":2}]",               // in the second object of an array
            "\"extra\":[[[{\"k\":null,\"j\":[],\"k\":{}}]]]",        // in an object nested in arrays
            "\"extra\":{\"x\":1,\"a\":{\"y\":1},\"x\":2}",           // before and after a nested object
            "\"extra\":{\"a\":{\"x\":1},\"a\":{\"y\":1}}"})          // two members of the same name holding objects
    void aKeyDuplicatedInAnyNestedObjectIsMalformedJsonNamingTheKey(String member) {
        InvalidEventException e = rejection(parser, validWith(member));

        assertThat(e.reason()).isEqualTo(RejectionReason.MALFORMED_JSON);
        assertThat(e.detail()).isEqualTo(strictDetail(validWith(member)));
    }

    @Test
    void aTopLevelKeyRepeatedAfterANestedObjectIsMalformedJson() {
        String json = "{\"user_id\":\"a\",\"extra\":{\"p\":{\"q\":1}},\"user_id\":\"b\"," + VALID.substring(VALID.indexOf("\"item_id\""))
                + ",\"event_id\":\"e-2\"}";

        InvalidEventException e = rejection(parser, json);

        assertThat(e.reason()).isEqualTo(RejectionReason.MALFORMED_JSON);
        assertThat(e.detail()).isEqualTo("Duplicate field 'user_id'");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "\"extra\":[{\"k\":1},{\"k\":2}]",                       // siblings in an array
            "\"extra\":{\"a\":{\"k\":1},\"b\":{\"k\":2}}",           // sibling objects
            "\"extra\":{\"user_id\":\"x\",\"extra\":{\"extra\":1}}", // a parent's key in a child
            "\"extra\":{\"a\":{\"x\":1},\"x\":2}",                   // a child's key in the parent after it closes
            "\"extra\":[{\"a\":{\"k\":1}},{\"a\":{\"k\":1}}]"})      // the same tree twice in an array
    void theSameKeyInDifferentObjectsIsNotADuplicate(String member) throws Exception {
        assertThat(strictDetail(validWith(member))).as("Jackson accepts it too").isNull();

        assertThat(parser.parse(bytes(validWith(member))).userId()).isEqualTo("user-42");
    }

    @Test
    void aKeyDuplicatedInsideAMappedObjectIsMalformedJson() {
        Map<Field, FieldRef> refs = new EnumMap<>(Field.class);
        refs.put(Field.USER_ID, FieldRef.parse("/user/id"));
        EventParser nested = new EventParser(ValidationOptions.defaults(), EventMapping.of(Format.JSON, refs,
                TimestampFormat.AUTO, TimestampSource.FIELD, ZoneOffset.UTC, InteractionTypes.DEFAULT), CLOCK);
        String fields = "\"item_id\":\"i\",\"interaction_type\":\"view\",\"timestamp\":\"2026-01-31T11:59:50Z\"";

        InvalidEventException e = rejection(nested, "{\"user\":{\"id\":\"a\",\"name\":\"n\",\"id\":\"b\"}," + fields + "}");

        assertThat(e.reason()).isEqualTo(RejectionReason.MALFORMED_JSON);
        assertThat(e.detail()).isEqualTo("Duplicate field 'id'");
    }

    @Test
    void aDuplicateInsideANonObjectDocumentIsMalformedJsonNotNotAnObject() {
        InvalidEventException e = rejection(parser, "[{\"k\":1},{\"k\":1,\"k\":2}]");

        assertThat(e.reason()).isEqualTo(RejectionReason.MALFORMED_JSON);
        assertThat(e.detail()).isEqualTo("Duplicate field 'k'");
    }

    /** Random nested values over a few keys: the parser rejects for a duplicate exactly when Jackson's check does. */
    @Test
    void randomNestedValuesAreRejectedExactlyWhenJacksonFindsADuplicate() {
        Random random = new Random(18);
        int duplicates = 0;
        for (int i = 0; i < 5_000; i++) {
            String json = validWith("\"extra\":" + randomValue(random, 0));
            String expected = strictDetail(json);
            InvalidEventException e = catchThrowableOfType(InvalidEventException.class, () -> parser.parse(bytes(json)));
            if (expected == null) {
                assertThat(e).as(json).isNull();
            } else {
                duplicates++;
                assertThat(e).as(json).isNotNull();
                assertThat(e.reason()).as(json).isEqualTo(RejectionReason.MALFORMED_JSON);
                assertThat(e.detail()).as(json).isEqualTo(expected);
            }
        }
        assertThat(duplicates).as("both outcomes are exercised").isBetween(500, 4_500);
    }

    private static String randomValue(Random random, int depth) {
        int kind = depth >= 4 ? 2 : random.nextInt(3);
        StringBuilder out = new StringBuilder();
        if (kind == 0) {
            out.append('{');
            int members = random.nextInt(4);
            for (int m = 0; m < members; m++) {
                out.append(m == 0 ? "" : ",").append('"').append("abu".charAt(random.nextInt(3))).append("\":")
                        .append(randomValue(random, depth + 1));
            }
            out.append('}');
        } else if (kind == 1) {
            out.append('[');
            int elements = random.nextInt(3);
            for (int e = 0; e < elements; e++) {
                out.append(e == 0 ? "" : ",").append(randomValue(random, depth + 1));
            }
            out.append(']');
        } else {
            out.append(random.nextInt(10));
        }
        return out.toString();
    }

    /** Jackson's detail for a duplicated key in the text, or null when it reads the text without one. */
    private static String strictDetail(String json) {
        try {
            STRICT.readTree(json);
            return null;
        } catch (JsonProcessingException e) {
            return e.getOriginalMessage();
        }
    }
}
