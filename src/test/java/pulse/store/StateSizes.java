package pulse.store;

import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.DocumentCodec;
import pulse.aggregate.Rollup;
import pulse.aggregate.UserFunnels;
import pulse.aggregate.UserSessions;
import pulse.generator.InteractionGenerator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A test-scope main (docs/analytics.md, "Memory per active user"): the BSON size of {@code user_sessions} and
 * {@code user_funnels} documents as the stores write them, and the heap a {@link UserStateCache} entry takes, counted
 * and measured (used heap after {@code System.gc()} around filling a cache with 100,000 documents).
 */
public class StateSizes {
    static int bson(Document d) {
        return new RawBsonDocument(d, new DocumentCodec()).getByteBuffer().remaining();
    }

    public static void main(String[] args) {
        Rollup windows = Rollup.windows(Duration.ofMinutes(1), true);
        SessionStore sessions = new SessionStore(null, windows, Duration.ofMinutes(30), Duration.ofMinutes(5), Duration.ofHours(24));
        FunnelStore funnels = new FunnelStore(null, windows, List.of("view", "click", "purchase"), Duration.ofHours(1), Duration.ofHours(24));
        Instant t = Instant.parse("2026-12-02T10:00:00.123Z");
        String user = InteractionGenerator.userId(734_512);
        for (int kept : new int[] {1, 2, 10}) {
            List<UserSessions.Session> list = new ArrayList<>();
            for (int i = 0; i < kept; i++) {
                list.add(new UserSessions.Session(t.plusSeconds(3600L * i), t.plusSeconds(3600L * i + 120), 3));
            }
            Document d = new Document("_id", user).append("version", 1L);
            d.putAll(sessions.fields(new UserSessions(Map.of(3, 123_456L), list, t.plusSeconds(3600L * kept), 0, 0)));
            System.out.printf("user_sessions, %d kept session(s): %d bytes BSON; cache entry %d bytes%n", kept, bson(d),
                    bson(d) + user.length() + UserStateCache.ENTRY_OVERHEAD);
        }
        for (int attempts : new int[] {0, 1, 2, 10}) {
            List<UserFunnels.Attempt> list = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                list.add(new UserFunnels.Attempt("item-" + (40 + i), t.plusSeconds(600L * i), 1, t.plusSeconds(600L * i + 30)));
            }
            Document d = new Document("_id", user).append("version", 1L);
            d.putAll(funnels.fields(new UserFunnels(Map.of(3, 123_456L), list, t)));
            System.out.printf("user_funnels, %d attempt(s): %d bytes BSON; cache entry %d bytes%n", attempts, bson(d),
                    bson(d) + user.length() + UserStateCache.ENTRY_OVERHEAD);
        }
        // heap per cache entry, measured: 100k one-session documents in a cache large enough to keep them all
        int n = 100_000;
        Runtime rt = Runtime.getRuntime();
        long before = used(rt);
        UserStateCache cache = new UserStateCache(Long.MAX_VALUE);
        for (int i = 0; i < n; i++) {
            String id = InteractionGenerator.userId(i + 1);
            Document d = new Document("_id", id).append("version", 1L);
            d.putAll(sessions.fields(new UserSessions(Map.of(i % 6, (long) i), List.of(new UserSessions.Session(t, t.plusSeconds(60), 1)), t, 0, 0)));
            cache.put(new String(id.toCharArray()), d);
        }
        long after = used(rt);
        System.out.printf("cache of %d one-session documents: counted %d bytes/entry, measured %d bytes/entry on the heap%n",
                cache.size(), cache.bytes() / n, (after - before) / n);
        // the same documents parsed (what the cache held before: org.bson.Document as read or written)
        List<Document> parsed = new ArrayList<>(n);
        long before2 = used(rt);
        for (int i = 0; i < n; i++) {
            String id = InteractionGenerator.userId(i + 1);
            Document d = new Document("_id", new String(id.toCharArray())).append("version", 1L);
            d.putAll(sessions.fields(new UserSessions(Map.of(i % 6, (long) i), List.of(new UserSessions.Session(t, t.plusSeconds(60), 1)), t, 0, 0)));
            parsed.add(d);
        }
        long after2 = used(rt);
        System.out.printf("the same as parsed Documents: %d bytes/entry on the heap (%d held)%n", (after2 - before2) / n, parsed.size());
        // both stay reachable until here, so neither measurement saw them collected
        System.out.printf("%d cached and %d parsed documents held%n", cache.size(), parsed.size());
    }

    static long used(Runtime rt) {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
