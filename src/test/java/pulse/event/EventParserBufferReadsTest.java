package pulse.event;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The type and the time are read from the JSON parser's characters when they have their common form; what the
 * document's text means (JSON escapes, other spellings, other time shapes, rejections and their details) is the same.
 */
class EventParserBufferReadsTest {

    private static final Instant NOW = Instant.parse("2026-01-31T12:00:00Z");
    private final EventParser parser = new EventParser(ValidationOptions.defaults(), Clock.fixed(NOW, ZoneOffset.UTC));

    private static byte[] event(String type, String timestamp) {
        return ("{\"user_id\":\"u\",\"item_id\":\"i\",\"interaction_type\":\"" + type + "\",\"timestamp\":\"" + timestamp
                + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "click|2026-01-31T11:59:50.123Z|CLICK|2026-01-31T11:59:50.123Z",
            "cl\\u0069ck|2026-01-31T11:59:50.123\\u005A|CLICK|2026-01-31T11:59:50.123Z", // JSON escapes
            "CLICK|2026-01-31 11:59:50Z|CLICK|2026-01-31T11:59:50Z",                    // other case, a space for T
            "purchase|2026-01-31T12:59:50+01:00|PURCHASE|2026-01-31T11:59:50Z",          // an offset
            "view|2026-01-31T11:59:50.123456|VIEW|2026-01-31T11:59:50.123456Z",          // zone-less, read in UTC
            "view|1769860790123|VIEW|2026-01-31T11:59:50.123Z"})                         // epoch millis as a string
    void typesAndTimesMeanWhatTheirTextSays(String type, String timestamp, String expectedType, String expectedTime)
            throws Exception {
        InteractionEvent event = parser.parse(event(type, timestamp));

        assertThat(event.type().name()).isEqualToIgnoringCase(expectedType);
        assertThat(event.timestamp()).isEqualTo(Instant.parse(expectedTime));
    }

    @Test
    void aTypeThatIsAPrefixOfANameIsUnknownAndNamedInTheDetail() {
        InvalidEventException e = catchThrowableOfType(InvalidEventException.class,
                () -> parser.parse(event("clic", "2026-01-31T11:59:50Z")));

        assertThat(e.reason()).isEqualTo(RejectionReason.UNKNOWN_TYPE);
        assertThat(e.detail()).startsWith("interaction_type 'clic' is not one of view, click, purchase");
    }

    @Test
    void anInvalidDateInTheCommonShapeIsStillRejectedWithItsText() {
        InvalidEventException e = catchThrowableOfType(InvalidEventException.class,
                () -> parser.parse(event("view", "2026-02-30T11:59:50Z")));

        assertThat(e.reason()).isEqualTo(RejectionReason.INVALID_TIMESTAMP);
        assertThat(e.detail()).startsWith("timestamp '2026-02-30T11:59:50Z' is not an ISO-8601 time");
    }
}
