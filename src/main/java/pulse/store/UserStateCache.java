package pulse.store;

import org.bson.BsonBinaryReader;
import org.bson.BsonBinaryWriter;
import org.bson.Document;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.DocumentCodec;
import org.bson.codecs.EncoderContext;
import org.bson.io.BasicOutputBuffer;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-user documents of a {@link UserDocumentStore} ({@code user_sessions}, {@code user_funnels}) this instance
 * last read or wrote, with their version, so that the next batch needs no read first: its update is sent conditional
 * on the cached version, and only a document another writer updated meanwhile (a conflict) is read again. Each is
 * kept encoded as BSON, several times smaller than the parsed {@link Document} and of a known size: an entry costs its
 * BSON bytes plus {@value #ENTRY_OVERHEAD} bytes (user id string, map entry, array and wrapper headers). Least
 * recently used documents go first once the entries' total passes {@code maxBytes}.
 */
final class UserStateCache {

    /** Heap of an entry besides its BSON bytes: the user id (~40 bytes + its characters), map entry and headers. */
    static final int ENTRY_OVERHEAD = 128;
    private static final DocumentCodec CODEC = new DocumentCodec();

    private final long maxBytes;
    private final LinkedHashMap<String, byte[]> entries = new LinkedHashMap<>(1024, 0.75f, true);
    private long bytes;

    UserStateCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** @return the document as last put (a copy: changing it does not change the cache), or null */
    Document get(String user) {
        byte[] bson;
        synchronized (this) {
            bson = entries.get(user);
        }
        return bson == null ? null : CODEC.decode(new BsonBinaryReader(ByteBuffer.wrap(bson)), DecoderContext.builder().build());
    }

    void put(String user, Document document) {
        BasicOutputBuffer buffer = new BasicOutputBuffer(256);
        try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
            CODEC.encode(writer, document, EncoderContext.builder().build());
        }
        byte[] raw = buffer.toByteArray(); // exactly the document's length
        synchronized (this) {
            byte[] previous = entries.put(user, raw);
            bytes += size(user, raw) - (previous == null ? 0 : size(user, previous));
            var eldest = entries.entrySet().iterator();
            while (bytes > maxBytes && eldest.hasNext()) {
                Map.Entry<String, byte[]> gone = eldest.next();
                bytes -= size(gone.getKey(), gone.getValue());
                eldest.remove();
            }
        }
    }

    synchronized void remove(String user) {
        byte[] gone = entries.remove(user);
        if (gone != null) {
            bytes -= size(user, gone);
        }
    }

    /** The entries' heap as this cache counts it. */
    synchronized long bytes() {
        return bytes;
    }

    synchronized int size() {
        return entries.size();
    }

    private static long size(String user, byte[] raw) {
        return (long) raw.length + user.length() + ENTRY_OVERHEAD;
    }
}
