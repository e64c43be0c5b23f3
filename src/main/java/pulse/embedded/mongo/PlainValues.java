package pulse.embedded.mongo;

import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.Document;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * The values {@link SimpleUpdate} handles itself, and upstream's equality of them. Dates arrive from the wire as
 * {@link Instant}s, BSON int32, int64 and double as Integer, Long and Double, generic binary as {@link BinData}
 * (equal when its bytes are).
 */
final class PlainValues {

    private PlainValues() {
    }

    static boolean isNumber(Object value) {
        return value instanceof Integer || value instanceof Long || value instanceof Double;
    }

    /** A number, string or date: values of one such kind compare without MongoDB's type order. */
    static boolean isComparable(Object value) {
        return isNumber(value) || value instanceof String || value instanceof Instant;
    }

    /** A value $set may store and compare for equality as it is: comparable, a boolean, or binary (a sketch). */
    static boolean isScalar(Object value) {
        return isComparable(value) || value instanceof Boolean || value instanceof BinData;
    }

    static boolean areComparable(Object a, Object b) {
        return isNumber(a) && isNumber(b) || a instanceof String && b instanceof String
                || a instanceof Instant && b instanceof Instant;
    }

    /**
     * A scalar, or a document of plain field names and values (no arrays, no nulls): what $set may store as it is.
     * Field names with a dot or a leading dollar are left to upstream, which decides whether they are allowed.
     */
    static boolean isValue(Object value) {
        if (isScalar(value)) {
            return true;
        }
        if (!(value instanceof Document document)) {
            return false;
        }
        for (Map.Entry<String, Object> entry : document.entrySet()) {
            String field = entry.getKey();
            if (field.isEmpty() || field.startsWith("$") || field.indexOf('.') >= 0 || !isValue(entry.getValue())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Upstream's equality of two present values ({@code Utils.nullAwareEquals}) for a scalar and a scalar or a
     * document: numbers are equal when equal as doubles (0.0 and -0.0 too), except longs a double cannot hold.
     */
    static boolean equalAfterNormalising(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return Objects.equals(normalise(x), normalise(y));
        }
        return Objects.equals(a, b); // a document never equals a scalar
    }

    private static Object normalise(Number number) {
        if (number instanceof Long value && value != (long) value.doubleValue()) {
            return value;
        }
        double value = number.doubleValue();
        return value == -0.0 ? 0.0 : value;
    }
}
