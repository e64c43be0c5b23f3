package pulse.store;

import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.DocumentCodec;
import org.junit.jupiter.api.Test;

import java.util.Date;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UserStateCacheTest {

    private static Document session(String user, long version, int kept) {
        Document document = new Document("_id", user).append(UserDocumentStore.VERSION, version)
                .append("sessions", 3L).append("newest", new Date(1_700_000_000_000L))
                .append("offsets", new Document("p3", 1234L));
        List<Document> list = new java.util.ArrayList<>();
        for (int i = 0; i < kept; i++) {
            list.add(new Document("start", new Date(1_700_000_000_000L + i)).append("events", 2L)
                    .append("windowStart", new Date(1_700_000_000_000L)));
        }
        return document.append("kept", list);
    }

    /** The size the cache must count per entry: the BSON length (by the driver's own encoder), the id, the overhead. */
    private static long expectedSize(String user, Document document) {
        return new RawBsonDocument(document, new DocumentCodec()).getByteBuffer().remaining() + user.length()
                + UserStateCache.ENTRY_OVERHEAD;
    }

    @Test
    void aDocumentComesBackAsPutAndChangingTheCopyLeavesTheCacheAlone() {
        UserStateCache cache = new UserStateCache(1 << 20);
        Document document = session("u1", 7, 2);
        cache.put("u1", document);

        Document got = cache.get("u1");
        assertEquals(document, got);
        got.put(UserDocumentStore.VERSION, 8L);
        assertEquals(7L, cache.get("u1").getLong(UserDocumentStore.VERSION));
        assertNull(cache.get("u2"));
    }

    @Test
    void countsEachEntryByItsBsonSizeAndEvictsLeastRecentlyUsedPastTheLimit() {
        Document small = session("a", 1, 1);
        Document large = session("b", 1, 40);
        long limit = expectedSize("a", small) + expectedSize("b", large) + expectedSize("c", small);
        UserStateCache cache = new UserStateCache(limit);
        cache.put("a", small);
        cache.put("b", large);
        cache.put("c", small);
        assertEquals(limit, cache.bytes());
        assertEquals(3, cache.size());

        cache.get("a"); // now b is the least recently used
        cache.put("d", small);
        assertNull(cache.get("b"));
        assertNotNull(cache.get("a"));
        assertNotNull(cache.get("c"));
        assertNotNull(cache.get("d"));
        assertEquals(3 * expectedSize("a", small), cache.bytes());

        cache.put("a", large); // replacing counts the new size in place of the old one: exactly the limit, no eviction
        assertEquals(limit, cache.bytes());
        assertEquals(3, cache.size());
        cache.put("e", small); // over it: the least recently used (c) goes
        assertTrue(cache.bytes() <= limit, "bytes " + cache.bytes() + " over the limit " + limit);
        assertNull(cache.get("c"));
        assertNotNull(cache.get("d"));
        assertNotNull(cache.get("e"));

        long before = cache.bytes();
        cache.remove("a");
        assertEquals(before - expectedSize("a", large), cache.bytes());
    }
}
