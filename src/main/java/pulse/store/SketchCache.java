package pulse.store;

import org.apache.datasketches.hll.HllSketch;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The unique users sketches this instance last read or wrote, with their versions, so that the next batch's update
 * of a document needs no read first: it is sent conditional on the cached version, and only a document another writer
 * updated meanwhile (a conflict) is read again. The sketches are kept as updatable sketches on the heap, so that a
 * write adds its users to them directly instead of rebuilding each from its stored bytes first (rebuilding a sketch
 * of a few thousand users' hashes cost more than adding a batch's users to it). A writer {@link #take}s a sketch
 * out while it updates it, so two writers never update one sketch object, and one whose write failed leaves nothing
 * stale behind. Least recently used sketches go first once the cache holds {@code maxBytes} of them (counted as
 * their updatable size: ~8 KB at lgK 14, a small sketch's hash table up to a few times its stored bytes).
 */
final class SketchCache {

    /** A document's sketch as this instance last saw it; nothing changes the sketch while it is in the cache. */
    record Entry(long version, HllSketch sketch) {
    }

    private record Held(Entry entry, long bytes) {
    }

    private final long maxBytes;
    private final LinkedHashMap<String, Held> entries = new LinkedHashMap<>(1024, 0.75f, true);
    private long bytes;

    SketchCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Removes and returns the document's sketch: the caller may update it, and {@link #put} it back once written. */
    synchronized Entry take(String collection, String id) {
        Held held = entries.remove(key(collection, id));
        if (held == null) {
            return null;
        }
        bytes -= held.bytes;
        return held.entry;
    }

    /** @param entry a sketch no one updates any more but through {@link #take} */
    synchronized void put(String collection, String id, Entry entry) {
        Held held = new Held(entry, size(entry));
        Held previous = entries.put(key(collection, id), held);
        bytes += held.bytes - (previous == null ? 0 : previous.bytes);
        var eldest = entries.entrySet().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            Map.Entry<String, Held> gone = eldest.next();
            bytes -= gone.getValue().bytes;
            eldest.remove();
        }
    }

    synchronized long bytes() {
        return bytes;
    }

    private static String key(String collection, String id) {
        return collection + '\u0000' + id;
    }

    private static long size(Entry entry) {
        return entry.sketch().getUpdatableSerializationBytes() + 64L;
    }
}
