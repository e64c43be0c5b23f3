package pulse.event;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Reading event times. A fast path for the shapes producers write most, {@code 2026-11-27T21:50:57.123Z} and,
 * without a zone, {@code 2026-11-27T21:50:57.123456}.
 * {@code DateTimeFormatter.ISO_INSTANT} builds a new formatter on every parse and takes as long as reading the
 * rest of the event; the fast path reads the digits directly.
 *
 * <p>The fast path only ever answers for text ISO_INSTANT (or, without a zone, ISO_LOCAL_DATE_TIME) accepts, with
 * the same instant, and returns null for everything else, which is then left to those formatters: offsets ({@code +01:00}; the
 * basic-format {@code +0100} and {@code +01} are read as {@code +01:00}), lower-case {@code t}/{@code z}, a
 * {@code .} without digits, {@code 24:00:00}, the leap second {@code 23:59:60}, years beyond four digits, and
 * anything invalid (month 13, February 30, ...), so that what is accepted, and what is rejected, stays the same.
 */
final class Timestamps {

    private static final int SECONDS_PER_DAY = 86_400;
    /** Days from 0000-03-01 to 1970-01-01, as in {@code LocalDate.toEpochDay}. */
    private static final long DAYS_0000_TO_1970 = (146_097L * 5L) - (30L * 365L + 7L);

    private Timestamps() {
    }

    /**
     * {@code uuuu-MM-ddTHH:mm:ss[.f{1,9}]} followed by {@code Z}, or by nothing when {@code localOffset} is given (the
     * time is then read at that offset), with ASCII digits and values in range; null for any other text.
     */
    static Instant parseCommonShape(String text, ZoneOffset localOffset) {
        return parseCommonShape(text.toCharArray(), 0, text.length(), localOffset);
    }

    /**
     * {@link #parseCommonShape(String, ZoneOffset)} for the text in {@code chars} from {@code offset}, {@code length}
     * characters: the parser's own buffer, so that a time is read without making a String of it.
     */
    static Instant parseCommonShape(char[] chars, int offset, int length, ZoneOffset localOffset) {
        boolean utc = length > 0 && chars[offset + length - 1] == 'Z';
        int end = utc ? length - 1 : length; // where the date-time ends, from offset
        if ((!utc && localOffset == null) || end < 19 || end > 29 || end == 20
                || chars[offset + 4] != '-' || chars[offset + 7] != '-' || chars[offset + 10] != 'T'
                || chars[offset + 13] != ':' || chars[offset + 16] != ':') {
            return null;
        }
        int year = digits(chars, offset, 4);
        int month = digits(chars, offset + 5, 2);
        int day = digits(chars, offset + 8, 2);
        int hour = digits(chars, offset + 11, 2);
        int minute = digits(chars, offset + 14, 2);
        int second = digits(chars, offset + 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > lengthOfMonth(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int nanos = 0;
        if (end > 19) { // ".f{1,9}"
            if (chars[offset + 19] != '.') {
                return null;
            }
            int fraction = digits(chars, offset + 20, end - 20);
            if (fraction < 0) {
                return null;
            }
            nanos = fraction;
            for (int scale = end - 20; scale < 9; scale++) {
                nanos *= 10;
            }
        }
        long seconds = epochDay(year, month, day) * SECONDS_PER_DAY + hour * 3_600L + minute * 60L + second;
        if (!utc) {
            seconds -= localOffset.getTotalSeconds();
        }
        return Instant.ofEpochSecond(seconds, nanos);
    }

    /** {@link #parseCommonShape(String, ZoneOffset)} for text in UTC ({@code Z}) only. */
    static Instant parseCommonShape(String text) {
        return parseCommonShape(text, null);
    }

    /** The {@code count} (at most 9) ASCII digits from {@code start} as a number, or -1 if any is not one. */
    private static int digits(char[] chars, int start, int count) {
        int value = 0;
        for (int i = start; i < start + count; i++) {
            int digit = chars[i] - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    private static int lengthOfMonth(int year, int month) {
        return switch (month) {
            case 2 -> isLeap(year) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    private static boolean isLeap(int year) {
        return (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);
    }

    /** {@code LocalDate.of(year, month, day).toEpochDay()} for a valid date with a year from 0 to 9999. */
    private static long epochDay(int year, int month, int day) {
        long y = year;
        long total = 365 * y + (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
        total += (367L * month - 362) / 12;
        total += day - 1;
        if (month > 2) {
            total--;
            if (!isLeap(year)) {
                total--;
            }
        }
        return total - DAYS_0000_TO_1970;
    }

    /** Epoch seconds within this many of 1970 (about 31,700 years) make an instant; more is not a time. */
    private static final BigDecimal MAX_EPOCH_SECONDS = BigDecimal.valueOf(1_000_000_000_000L);

    /** Whether a time ends in a zone: {@code Z}, or an offset after the date's own dashes. */
    private static boolean hasZone(String text) {
        if (text.endsWith("Z") || text.endsWith("z")) {
            return true;
        }
        for (int i = 10; i < text.length(); i++) {
            if (text.charAt(i) == '+' || text.charAt(i) == '-') {
                return true;
            }
        }
        return false;
    }

    /** Whether the text is one or more ASCII digits: epoch milliseconds written as a string. */
    static boolean isDigits(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * An ISO-8601 time: with {@code Z} or an offset, or without a zone (then in {@code localZone}); a space may
     * stand for the {@code T} (RFC 3339 allows it, and Python's {@code str(datetime)} writes it). Null when it is
     * not one.
     */
    static Instant parseIso(String text, ZoneId localZone) {
        String iso = text.length() > 10 && text.charAt(10) == ' '
                ? text.substring(0, 10) + 'T' + text.substring(11) : text;
        Instant instant = parseCommonShape(iso, localZone instanceof ZoneOffset offset ? offset : null);
        if (instant != null) {
            return instant;
        }
        if (!hasZone(iso)) {
            try {
                return LocalDateTime.parse(iso, DateTimeFormatter.ISO_LOCAL_DATE_TIME).atZone(localZone).toInstant();
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        Instant zoned = isoInstant(iso);
        if (zoned == null) {
            String extended = withExtendedOffset(iso);
            zoned = extended == null ? null : isoInstant(extended);
        }
        return zoned;
    }

    private static Instant isoInstant(String text) {
        try {
            return DateTimeFormatter.ISO_INSTANT.parse(text, Instant::from);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * The text with an ISO-8601 basic-format offset at its end ({@code +0100}, {@code -05}: Python's {@code %z},
     * Java's {@code SimpleDateFormat} "Z", PostgreSQL's output) written in the extended format ISO_INSTANT reads
     * ({@code +01:00}, {@code -05:00}); null when it does not end in one after a full time of day.
     */
    static String withExtendedOffset(String text) {
        int length = text.length();
        for (int digits : new int[]{4, 2}) {
            int sign = length - digits - 1;
            if (sign >= 19 && (text.charAt(sign) == '+' || text.charAt(sign) == '-')
                    && isDigits(text.substring(sign + 1))) {
                String hours = text.substring(sign + 1, sign + 3);
                String minutes = digits == 4 ? text.substring(sign + 3) : "00";
                return text.substring(0, sign + 1) + hours + ':' + minutes;
            }
        }
        return null;
    }

    /** A whole number of epoch milliseconds (a JSON integer's text or a string of digits); null otherwise. */
    static Instant epochMillis(String text) {
        try {
            return Instant.ofEpochMilli(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Epoch seconds, fractions allowed ({@code 1764640800.123456}); null when it is not such a number. */
    static Instant epochSeconds(String text) {
        BigDecimal seconds;
        try {
            seconds = new BigDecimal(text);
        } catch (NumberFormatException e) {
            return null;
        }
        if (seconds.abs().compareTo(MAX_EPOCH_SECONDS) > 0) {
            return null;
        }
        BigDecimal whole = seconds.setScale(0, RoundingMode.FLOOR);
        long nanos = seconds.subtract(whole).movePointRight(9).setScale(0, RoundingMode.DOWN).longValue();
        return Instant.ofEpochSecond(whole.longValue(), nanos);
    }
}
