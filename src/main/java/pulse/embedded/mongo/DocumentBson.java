package pulse.embedded.mongo;

import de.bwaldvogel.mongo.bson.BinData;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * Encodes a document to exactly the bytes of mongo-java-server's {@code BsonEncoder.encodeDocument}, for the
 * value types the pipeline stores (embedded documents, strings, 32- and 64-bit integers, doubles, booleans, dates,
 * nulls, generic binary: the unique users sketches), faster: one reusable array, the entries iterated rather than each key looked up again, ASCII written
 * without a byte array per key. {@link #encode} says no to any other type, which upstream's encoder then writes.
 * Every commit of the embedded store encodes each document of each changed page, so this runs for every document
 * again and again. Not thread-safe: one instance per thread.
 */
final class DocumentBson {

    // BSON element types (bsonspec.org), as BsonConstants names them
    private static final byte DOUBLE = 0x01;
    private static final byte STRING = 0x02;
    private static final byte DOCUMENT = 0x03;
    private static final byte BINARY = 0x05;
    private static final byte GENERIC_BINARY = 0x00;
    private static final byte BOOLEAN = 0x08;
    private static final byte DATE = 0x09;
    private static final byte NULL = 0x0A;
    private static final byte INT32 = 0x10;
    private static final byte INT64 = 0x12;
    /** A larger array is let go after use, so that one huge document does not stay on the heap per thread. */
    private static final int KEPT_CAPACITY = 64 * 1024;

    private byte[] bytes = new byte[1024];
    private int size;

    /** Encodes {@code document}; false (and nothing to read) when it holds a type left to upstream's encoder. */
    boolean encode(Map<String, ?> document) {
        size = 0;
        return document(document);
    }

    /** The encoding's bytes, valid until the next {@link #encode}: {@code bytes()[0 .. size())}. */
    byte[] bytes() {
        return bytes;
    }

    int size() {
        return size;
    }

    /** Drops an array grown past {@link #KEPT_CAPACITY}; call once the bytes are copied. */
    void release() {
        if (bytes.length > KEPT_CAPACITY) {
            bytes = new byte[1024];
        }
    }

    private boolean document(Map<String, ?> document) {
        int start = size;
        ensure(4);
        size += 4; // the length, written once known
        for (Map.Entry<String, ?> entry : document.entrySet()) {
            if (!element(entry.getKey(), entry.getValue())) {
                return false;
            }
        }
        ensure(1);
        bytes[size++] = 0;
        putInt(start, size - start);
        return true;
    }

    /** Upstream's {@code determineType} order, for the types handled here. */
    private boolean element(String key, Object value) {
        if (value == null) {
            head(NULL, key);
        } else if (value instanceof Map<?, ?> map) {
            head(DOCUMENT, key);
            @SuppressWarnings("unchecked")
            Map<String, ?> document = (Map<String, ?>) map;
            return document(document);
        } else if (value instanceof Integer i) {
            head(INT32, key);
            ensure(4);
            putInt(size, i);
            size += 4;
        } else if (value instanceof Long l) {
            head(INT64, key);
            putLong(l);
        } else if (value instanceof Double d) {
            head(DOUBLE, key);
            putLong(Double.doubleToRawLongBits(d));
        } else if (value instanceof String s) {
            head(STRING, key);
            string(s);
        } else if (value instanceof Boolean b) {
            head(BOOLEAN, key);
            ensure(1);
            bytes[size++] = (byte) (b ? 1 : 0);
        } else if (value instanceof Instant instant) {
            head(DATE, key);
            putLong(instant.toEpochMilli());
        } else if (value instanceof BinData binary) {
            byte[] data = binary.getData();
            head(BINARY, key);
            ensure(5 + data.length);
            putInt(size, data.length);
            bytes[size + 4] = GENERIC_BINARY;
            System.arraycopy(data, 0, bytes, size + 5, data.length);
            size += 5 + data.length;
        } else {
            return false; // ObjectId, Decimal128, arrays, other binary subtypes, UUID, timestamps, regexes, keys, code: upstream's
        }
        return true;
    }

    private void head(byte type, String key) {
        ensure(1);
        bytes[size++] = type;
        cstring(key);
    }

    /** The UTF-8 bytes and a terminating zero, as upstream writes them (it does not check for zeros inside). */
    private void cstring(String text) {
        if (!ascii(text)) {
            utf8(text);
        }
        ensure(1);
        bytes[size++] = 0;
    }

    /** Length (UTF-8 bytes plus the terminating zero), the bytes, a zero. */
    private void string(String text) {
        int lengthAt = size;
        ensure(4);
        size += 4;
        if (!ascii(text)) {
            utf8(text);
        }
        ensure(1);
        bytes[size++] = 0;
        putInt(lengthAt, size - lengthAt - 4);
    }

    /** Writes {@code text} if it is all ASCII (one byte per char in UTF-8); false, having written nothing, if not. */
    private boolean ascii(String text) {
        int length = text.length();
        ensure(length);
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                return false;
            }
            bytes[size + i] = (byte) c;
        }
        size += length;
        return true;
    }

    private void utf8(String text) {
        byte[] encoded = text.getBytes(StandardCharsets.UTF_8);
        ensure(encoded.length);
        System.arraycopy(encoded, 0, bytes, size, encoded.length);
        size += encoded.length;
    }

    private void putInt(int at, int value) {
        bytes[at] = (byte) value;
        bytes[at + 1] = (byte) (value >>> 8);
        bytes[at + 2] = (byte) (value >>> 16);
        bytes[at + 3] = (byte) (value >>> 24);
    }

    private void putLong(long value) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            bytes[size + i] = (byte) (value >>> (8 * i));
        }
        size += 8;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            byte[] larger = new byte[Math.max(bytes.length * 2, size + more)];
            System.arraycopy(bytes, 0, larger, 0, size);
            bytes = larger;
        }
    }
}
