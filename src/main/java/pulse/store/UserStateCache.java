package pulse.store;

import org.bson.Document;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-user documents of a {@link UserDocumentStore} ({@code user_sessions}, {@code user_funnels}) this instance
 * last read or wrote, with their version, so that the next batch needs no read first: its update is sent conditional
 * on the cached version, and only a document another writer updated meanwhile (a conflict) is read again. Least
 * recently used documents go first once the estimated size passes {@code maxBytes}: ~250 bytes per document plus
 * ~150 per entry of its list field (the Java objects of a parsed document, not its BSON size).
 */
final class UserStateCache {

    private final long maxBytes;
    private final String listField;
    private final LinkedHashMap<String, Document> entries = new LinkedHashMap<>(1024, 0.75f, true);
    private long bytes;

    /** @param listField the document's list field whose length the size estimate counts */
    UserStateCache(long maxBytes, String listField) {
        this.maxBytes = maxBytes;
        this.listField = listField;
    }

    synchronized Document get(String user) {
        return entries.get(user);
    }

    synchronized void put(String user, Document document) {
        Document previous = entries.put(user, document);
        bytes += size(document) - (previous == null ? 0 : size(previous));
        var eldest = entries.entrySet().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            Map.Entry<String, Document> gone = eldest.next();
            bytes -= size(gone.getValue());
            eldest.remove();
        }
    }

    synchronized void remove(String user) {
        Document gone = entries.remove(user);
        if (gone != null) {
            bytes -= size(gone);
        }
    }

    private long size(Document document) {
        List<?> list = document.get(listField, List.class);
        return 250L + 150L * (list == null ? 0 : list.size());
    }
}
