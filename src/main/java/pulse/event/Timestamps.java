package pulse.event;

import java.time.Instant;

/**
 * A fast path for the one timestamp shape producers write, {@code 2026-11-27T21:50:57.123Z}.
 * {@code DateTimeFormatter.ISO_INSTANT} builds a new formatter on every parse and took as long as reading the
 * rest of the event; this reads the digits directly.
 *
 * <p>It only ever answers for text ISO_INSTANT accepts, with the same instant, and returns null for everything
 * else, which is then left to ISO_INSTANT: offsets ({@code +01:00}), lower-case {@code t}/{@code z}, a
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
     * {@code uuuu-MM-ddTHH:mm:ssZ} or {@code uuuu-MM-ddTHH:mm:ss.f{1,9}Z} with ASCII digits and values in range;
     * null for any other text.
     */
    static Instant parseCommonShape(String text) {
        int length = text.length();
        if (length < 20 || length > 30 || length == 21 || text.charAt(length - 1) != 'Z'
                || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > lengthOfMonth(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int nanos = 0;
        if (length > 20) { // ".f{1,9}Z"
            if (text.charAt(19) != '.') {
                return null;
            }
            int fraction = digits(text, 20, length - 1);
            if (fraction < 0) {
                return null;
            }
            nanos = fraction;
            for (int scale = length - 21; scale < 9; scale++) {
                nanos *= 10;
            }
        }
        long seconds = epochDay(year, month, day) * SECONDS_PER_DAY + hour * 3_600L + minute * 60L + second;
        return Instant.ofEpochSecond(seconds, nanos);
    }

    /** The ASCII digits from {@code start} to {@code end} (at most 9) as a number, or -1 if any is not one. */
    private static int digits(String text, int start, int end) {
        int value = 0;
        for (int i = start; i < end; i++) {
            int digit = text.charAt(i) - '0';
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
}
