package pulse.event;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fast path answers only for text ISO_INSTANT accepts, with the same instant; for anything else it
 * answers null and ISO_INSTANT decides, so the parser's accepted and rejected timestamps are what they were.
 */
class TimestampsTest {

    private static String isoInstant(String text) {
        try {
            return DateTimeFormatter.ISO_INSTANT.parse(text, Instant::from).toString();
        } catch (DateTimeParseException e) {
            return "rejected";
        }
    }

    /** Whether the fast path answered; if it did, ISO_INSTANT must accept the text as the same instant. */
    private static boolean agreesWithIsoInstant(String text) {
        Instant fast = Timestamps.parseCommonShape(text);
        if (fast != null) {
            assertThat(fast.toString()).as(text).isEqualTo(isoInstant(text));
        }
        return fast != null;
    }

    @Test
    void monthEndsAndLeapDaysOfEveryYearFrom0To9999AndEveryDayFrom1960To2100Agree() {
        for (int year = 0; year <= 9999; year++) {
            for (LocalDate day : new LocalDate[]{LocalDate.of(year, 1, 1), LocalDate.of(year, 2, 28), LocalDate.of(year, 3, 1),
                    LocalDate.of(year, 2, 1).withDayOfMonth(LocalDate.of(year, 2, 1).lengthOfMonth()), LocalDate.of(year, 12, 31)}) {
                assertDayAgrees(day);
            }
            if (!LocalDate.of(year, 1, 1).isLeapYear()) {
                assertThat(Timestamps.parseCommonShape("%04d-02-29T00:00:00Z".formatted(year))).isNull();
            }
        }
        for (LocalDate day = LocalDate.of(1960, 1, 1); day.getYear() <= 2100; day = day.plusDays(1)) {
            assertDayAgrees(day);
        }
    }

    private static void assertDayAgrees(LocalDate day) {
        String date = "%04d-%02d-%02d".formatted(day.getYear(), day.getMonthValue(), day.getDayOfMonth());
        Instant midnight = day.atStartOfDay().toInstant(ZoneOffset.UTC);
        Instant first = Timestamps.parseCommonShape(date + "T00:00:00Z");
        Instant last = Timestamps.parseCommonShape(date + "T23:59:59.999999999Z");
        if (!midnight.equals(first) || !midnight.plusNanos(86_400_000_000_000L - 1).equals(last)) {
            throw new AssertionError(date + ": " + first + " and " + last + ", expected " + midnight + " and the nanosecond before the next day");
        }
    }

    /** Python's {@code %z}, Java's SimpleDateFormat "Z" and PostgreSQL write offsets without a colon. */
    @ParameterizedTest
    @ValueSource(strings = {"2026-12-02T15:00:00.123+0100|2026-12-02T14:00:00.123Z", "2026-12-02T15:00:00+01|2026-12-02T14:00:00Z",
            "2026-12-02 15:00:00-0530|2026-12-02T20:30:00Z", "2026-12-02T15:00:00.123456-05|2026-12-02T20:00:00.123456Z",
            "2026-12-02T15:00:00+01:00|2026-12-02T14:00:00Z"})
    void basicFormatOffsetsAreReadAsTheirExtendedForm(String textAndInstant) {
        String[] parts = textAndInstant.split("\\|");
        assertThat(Timestamps.parseIso(parts[0], ZoneOffset.UTC)).as(parts[0]).isEqualTo(Instant.parse(parts[1]));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-12-02T15:00:00+1", "2026-12-02T15:00:00+100", "2026-12-02T15:00:00+01000",
            "2026-12-02T15:00:00+2500", "2026-12-02T15:00:00+01:0", "2026-12-02T15:00+0100", "2026-12-02+0100", "2026-12-02-01"})
    void offsetsOfOtherLengthsOrOutOfRangeAreNotTimes(String text) {
        assertThat(Timestamps.parseIso(text, ZoneOffset.UTC)).as(text).isNull();
    }

    @Test
    void theCommonShapeTakesTheFastPath() {
        assertThat(Timestamps.parseCommonShape("2026-11-27T21:50:57.123Z")).isEqualTo(Instant.parse("2026-11-27T21:50:57.123Z"));
        assertThat(Timestamps.parseCommonShape("2026-11-27T21:50:57Z")).isEqualTo(Instant.parse("2026-11-27T21:50:57Z"));
        assertThat(Timestamps.parseCommonShape("2026-11-27T21:50:57.000000007Z")).isEqualTo(Instant.parse("2026-11-27T21:50:57.000000007Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-01-31T12:00:00.Z", "2026-01-31t12:00:00z", "2026-01-31T24:00:00Z", "2026-01-31T23:59:60Z",
            "2026-01-31T12:00:00+01:00", "2026-01-31T12:00:00+00:00", "+2026-01-31T12:00:00Z", "+12026-01-31T12:00:00Z",
            "-0001-01-31T12:00:00Z", "2026-02-29T12:00:00Z", "2026-04-31T12:00:00Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
            "2026-01-00T00:00:00Z", "2026-01-31T12:60:00Z", "2026-01-31T12:00:60Z", "2026-01-31T12:00:00.1234567890Z",
            "2026-01-31T12:00:00,123Z", "2026-01-31T12:00Z", "2026-01-31 12:00:00Z", "2026-01-31T12:00:00", "",
            "\uff12\uff10\uff12\uff16-01-31T12:00:00Z", "2026-01-31T12:00:00.\u0661Z", "2026-01-31T12:00:00.-1Z", "2026-1-31T12:00:00Z"})
    void anythingButTheCommonShapeIsLeftToIsoInstant(String text) {
        assertThat(Timestamps.parseCommonShape(text)).isNull();
    }

    @Test
    void randomTextAroundTheCommonShapeAgrees() {
        SplittableRandom random = new SplittableRandom(20261127);
        String alphabet = "0123456789-T:.Zz+ ";
        int answered = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder text = new StringBuilder("%04d-%02d-%02dT%02d:%02d:%02d".formatted(random.nextInt(10_000),
                    random.nextInt(14), random.nextInt(33), random.nextInt(26), random.nextInt(62), random.nextInt(62)));
            int fraction = random.nextInt(12) - 1;
            if (fraction >= 0) {
                text.append('.');
                for (int d = 0; d < fraction; d++) {
                    text.append((char) ('0' + random.nextInt(10)));
                }
            }
            text.append('Z');
            if (random.nextInt(10) == 0) {
                text.setCharAt(random.nextInt(text.length()), alphabet.charAt(random.nextInt(alphabet.length())));
            }
            if (agreesWithIsoInstant(text.toString())) {
                answered++;
            }
        }
        assertThat(answered).as("texts the fast path answered for").isGreaterThan(10_000);
    }

    /** The parser reads times from its own buffer: a text amid other characters answers as the text alone. */
    @ParameterizedTest
    @ValueSource(strings = {"2026-11-27T21:50:57.123Z", "2026-11-27T21:50:57Z", "2026-11-27T21:50:57.123456",
            "2026-11-27T21:50:57", "2026-01-31T12:00:00+01:00", "2026-02-29T12:00:00Z", "2026-01-31 12:00:00Z", "", "Z",
            "2026-01-31T12:00:00.Z", "2026-01-31T12:00:00.1234567890Z"})
    void aTextInsideALargerBufferAnswersAsTheTextAlone(String text) {
        char[] buffer = ("Z9-T:" + text + "Z0:.").toCharArray();
        for (ZoneOffset local : new ZoneOffset[]{null, ZoneOffset.UTC, ZoneOffset.ofHours(-5)}) {
            assertThat(Timestamps.parseCommonShape(buffer, 5, text.length(), local)).as(text + " at " + local)
                    .isEqualTo(Timestamps.parseCommonShape(text, local));
        }
    }
}
