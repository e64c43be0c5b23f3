package pulse.embedded.mongo;

import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.time.Instant;
import java.util.Map;

/**
 * The number of bytes a field takes in a BSON document, as {@link BsonEncoder} writes it: what upstream counts,
 * by encoding the whole document before and after every update, to keep a collection's data size. Counted here
 * without encoding for the values {@link SimpleUpdate} stores; any other value is encoded, as upstream does.
 */
final class BsonSizes {

    private static final int TYPE = 1;
    private static final int LENGTH = 4;
    private static final int TERMINATOR = 1;
    private static final int SUBTYPE = 1;
    private static final int EMPTY_DOCUMENT = LENGTH + TERMINATOR;

    private BsonSizes() {
    }

    /** @param value the field's value, or {@link Missing} for no field (0 bytes) */
    static int field(String name, Object value) {
        if (value instanceof Missing) {
            return 0;
        }
        int size = valueSize(value);
        if (size < 0) {
            return encodedSize(new Document(name, value)) - EMPTY_DOCUMENT;
        }
        return TYPE + utf8Length(name) + TERMINATOR + size;
    }

    /** The size of a document, or -1 if it holds a value only the encoder knows. */
    private static int documentSize(Map<?, ?> document) {
        int size = EMPTY_DOCUMENT;
        for (Map.Entry<?, ?> entry : document.entrySet()) {
            int valueSize = valueSize(entry.getValue());
            if (valueSize < 0) {
                return -1;
            }
            size += TYPE + utf8Length((String) entry.getKey()) + TERMINATOR + valueSize;
        }
        return size;
    }

    private static int valueSize(Object value) {
        if (value == null || value instanceof Boolean) {
            return value == null ? 0 : 1;
        } else if (value instanceof Integer) {
            return 4;
        } else if (value instanceof Long || value instanceof Double || value instanceof Instant) {
            return 8;
        } else if (value instanceof String string) {
            return LENGTH + utf8Length(string) + TERMINATOR;
        } else if (value instanceof Map<?, ?> document) {
            return documentSize(document);
        } else if (value instanceof BinData binary) {
            return LENGTH + SUBTYPE + binary.getData().length;
        }
        return -1;
    }

    /** The document's size as upstream's encoder writes it: the reference the fast sizes must match. */
    static int encodedSize(Document document) {
        ByteBuf buffer = Unpooled.buffer();
        try {
            BsonEncoder.encodeDocument(document, buffer);
            return buffer.writerIndex();
        } finally {
            buffer.release();
        }
    }

    /** The length of {@code string.getBytes(UTF_8)}, without the copy: a lone surrogate becomes one '?'. */
    static int utf8Length(String string) {
        int length = 0;
        for (int i = 0; i < string.length(); i++) {
            char c = string.charAt(i);
            if (c < 0x80) {
                length += 1;
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < string.length()
                    && Character.isLowSurrogate(string.charAt(i + 1))) {
                length += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                length += 1;
            } else {
                length += 3;
            }
        }
        return length;
    }
}
