package pulse.store;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The unique users sketches this instance last read or wrote, with their versions, so that the next batch's update
 * of a document needs no read first: it is sent conditional on the cached version, and only a document another writer
 * updated meanwhile (a conflict) is read again. Least recently used sketches go first once the cache holds
 * {@code maxBytes} of them; a sketch is at most ~8 KB at lgK 14.
 */
final class SketchCache {

    /** A document's sketch as this instance last saw it. */
    record Entry(long version, byte[] sketch) {
    }

    private final long maxBytes;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(1024, 0.75f, true);
    private long bytes;

    SketchCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    synchronized Entry get(String collection, String id) {
        return entries.get(key(collection, id));
    }

    synchronized void put(String collection, String id, Entry entry) {
        Entry previous = entries.put(key(collection, id), entry);
        bytes += size(entry) - (previous == null ? 0 : size(previous));
        var eldest = entries.entrySet().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            Map.Entry<String, Entry> gone = eldest.next();
            bytes -= size(gone.getValue());
            eldest.remove();
        }
    }

    synchronized void remove(String collection, String id) {
        Entry gone = entries.remove(key(collection, id));
        if (gone != null) {
            bytes -= size(gone);
        }
    }

    synchronized long bytes() {
        return bytes;
    }

    private static String key(String collection, String id) {
        return collection + '\u0000' + id;
    }

    private static long size(Entry entry) {
        return entry.sketch().length + 64L;
    }
}
