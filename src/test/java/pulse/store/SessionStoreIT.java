package pulse.store;

import com.mongodb.client.MongoDatabase;
import org.assertj.core.data.Offset;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import pulse.aggregate.BatchDelta;
import pulse.aggregate.Rollup;
import pulse.aggregate.SessionTruth;
import pulse.api.SessionViews;
import pulse.embedded.TestInfrastructure;
import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;
import pulse.testsupport.FreshDatabase;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sessions against a real MongoDB wire server, compared with the sessions computed the plain way in the test
 * ({@link SessionTruth}): through replays with other batch boundaries, a write cut off half-way, two writers at once
 * and a writer whose read went stale; and the per-window figures of {@code GET /api/sessions} from them.
 */
@ExtendWith(TestInfrastructure.class)
class SessionStoreIT {

    private static final int PARTITIONS = 3;
    private static final Duration GAP = Duration.ofMinutes(30);
    private static final Duration LATENESS = Duration.ofMinutes(5);
    private static final Instant START = Instant.parse("2026-11-27T10:00:00Z");
    @RegisterExtension
    static final FreshDatabase MONGO = new FreshDatabase("sessions-");
    private MongoDatabase database;

    @BeforeEach
    void setUp() {
        database = MONGO.database();
    }

    private SessionStore store() {
        return new SessionStore(database, Rollup.WINDOWS, GAP, LATENESS, Duration.ofDays(7));
    }

    @Test
    void replaysACutOffWriteAndTwoWritersAtOnceGiveThePlainSessions() {
        List<ConsumedEvent> stream = stream(8_000, 200, 11);
        SessionStore owner = store();
        SessionStore zombie = store();
        // a write cut off half-way: the first slice of a fold of the first 3,000 events only
        owner.apply(batch(stream.subList(0, 1_500)));
        CompletableFuture.allOf(
                CompletableFuture.runAsync(() -> applyInBatches(owner, stream, 700)),
                CompletableFuture.runAsync(() -> applyInBatches(zombie, stream, 1_100))).join();
        applyInBatches(owner, stream.subList(2_500, stream.size()), 2_000); // a replay from the middle

        Map<String, List<long[]>> truth = SessionTruth.of(stream, GAP, LATENESS);
        assertThat(truth.values().stream().mapToInt(List::size).sum()).as("sessions in the truth").isGreaterThan(500);
        assertMatches(truth);

        Map<String, Long> versions = versions();
        assertThat(owner.apply(batch(stream))).as("documents written by a whole replay").isZero();
        assertThat(versions()).isEqualTo(versions);
    }

    @Test
    void aWriterWhoseReadWentStaleReadsAgainAndLosesNothing() {
        List<ConsumedEvent> stream = stream(2_000, 50, 3);
        SessionStore slow = store();
        SessionStore fast = store();
        AtomicBoolean interleaved = new AtomicBoolean();
        slow.beforeWrite(() -> {
            if (interleaved.compareAndSet(false, true)) {
                fast.apply(batch(stream.subList(0, 1_200)));
            }
        });

        slow.apply(batch(stream.subList(600, 2_000))); // read before the fast writer wrote events 0 to 1,199
        applyInBatches(fast, stream, 500);

        assertThat(interleaved).isTrue();
        assertMatches(SessionTruth.of(stream, GAP, LATENESS));
    }

    @Test
    void aWriterWhoseCachedDocumentsWentStaleReadsAgainAndLosesNothing() {
        List<ConsumedEvent> stream = stream(3_000, 60, 5);
        SessionStore cached = store();
        SessionStore other = store();
        cached.apply(batch(stream.subList(0, 1_000))); // cached: every user as of event 999
        other.apply(batch(stream.subList(1_000, 2_000))); // MongoDB moves on; the cache does not know

        cached.apply(batch(stream.subList(2_000, 3_000))); // sent under the cached versions: refused, read again

        assertMatches(SessionTruth.of(stream, GAP, LATENESS));
    }

    @Test
    void thePerWindowFiguresAreThoseOfTheSessionsStartedInEachWindow() {
        List<ConsumedEvent> stream = stream(3_000, 80, 7);
        applyInBatches(store(), stream, 400);

        Map<Instant, long[]> expected = new HashMap<>(); // window -> {sessions, length ms, events}
        SessionTruth.of(stream, GAP, LATENESS).values().forEach(sessions -> sessions.forEach(session -> {
            long[] sums = expected.computeIfAbsent(Rollup.WINDOWS.windowStart(Instant.ofEpochMilli(session[0])),
                    w -> new long[3]);
            sums[0]++;
            sums[1] += session[1] - session[0];
            sums[2] += session[2];
        }));
        Clock after = Clock.fixed(START.plus(Duration.ofHours(6)), ZoneOffset.UTC);
        SessionViews views = new SessionViews(Rollup.WINDOWS, after, true);
        List<Document> groups = database.getCollection(SessionStore.COLLECTION).aggregate(views.pipeline("10080"))
                .into(new ArrayList<>());
        Map<String, Object> view = views.view(groups, "10080");

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> windows = (List<Map<String, Object>>) view.get("windows");
        assertThat(windows).hasSize(expected.size());
        long sessions = 0;
        for (Map<String, Object> window : windows) {
            long[] want = expected.get(Instant.parse((String) window.get("windowStart")));
            assertThat(window.get("sessionsStarted")).as(window.toString()).isEqualTo(want[0]);
            assertThat((double) window.get("meanSessionLengthSeconds")).as(window.toString())
                    .isCloseTo(want[1] / 1000.0 / want[0], Offset.offset(1e-9));
            assertThat((double) window.get("meanEventsPerSession")).as(window.toString())
                    .isCloseTo((double) want[2] / want[0], Offset.offset(1e-9));
            sessions += want[0];
        }
        assertThat(view.get("sessionsStarted")).isEqualTo(sessions);
        // only the windows that start in the last 90 minutes before 16:00
        List<Document> recent = database.getCollection(SessionStore.COLLECTION).aggregate(views.pipeline("90"))
                .into(new ArrayList<>());
        long recentSessions = expected.entrySet().stream()
                .filter(e -> !e.getKey().isBefore(START.plus(Duration.ofMinutes(270))))
                .mapToLong(e -> e.getValue()[0]).sum();
        assertThat(views.view(recent, "90").get("sessionsStarted")).isEqualTo(recentSessions);
    }

    private void assertMatches(Map<String, List<long[]>> truth) {
        Map<String, Document> stored = new HashMap<>();
        database.getCollection(SessionStore.COLLECTION).find().forEach(d -> stored.put(d.getString("_id"), d));
        assertThat(stored.keySet()).isEqualTo(truth.keySet());
        truth.forEach((user, sessions) -> {
            Document document = stored.get(user);
            assertThat(((Number) document.get("sessions")).longValue()).as(user).isEqualTo(sessions.size());
            assertThat(document.getDate("lastSessionStart").getTime()).as(user)
                    .isEqualTo(sessions.get(sessions.size() - 1)[0]);
            List<Document> kept = document.getList("kept", Document.class);
            assertThat(kept).as(user).hasSameSizeAs(sessions);
            for (int i = 0; i < kept.size(); i++) {
                Document session = kept.get(i);
                assertThat(new long[] {session.getDate("start").getTime(), session.getDate("end").getTime(),
                        ((Number) session.get("events")).longValue()}).as("%s session %d", user, i)
                        .containsExactly(sessions.get(i));
            }
        });
    }

    private Map<String, Long> versions() {
        Map<String, Long> versions = new HashMap<>();
        database.getCollection(SessionStore.COLLECTION).find()
                .forEach(d -> versions.put(d.getString("_id"), ((Number) d.get(SessionStore.VERSION)).longValue()));
        return versions;
    }

    private static void applyInBatches(SessionStore store, List<ConsumedEvent> events, int size) {
        for (int from = 0; from < events.size(); from += size) {
            store.apply(batch(events.subList(from, Math.min(events.size(), from + size))));
        }
    }

    private static BatchDelta batch(List<ConsumedEvent> events) {
        BatchDelta batch = new BatchDelta();
        events.forEach(batch::add);
        return batch;
    }

    /**
     * Events keyed by user over 3 partitions in consumption order across six hours: each user acts in bursts with
     * pauses of up to an hour and a half (so sessions start, end and some pauses fall within the gap), and one event
     * in four arrives up to 7 minutes late (some within the lateness, merging or extending sessions, some beyond it).
     */
    private static List<ConsumedEvent> stream(int count, int users, long seed) {
        Random random = new Random(seed);
        long[] clocks = new long[users];
        long[] offsets = new long[PARTITIONS];
        List<ConsumedEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int u = random.nextInt(users);
            clocks[u] += random.nextInt(8) == 0 ? random.nextInt(90 * 60_000) : random.nextInt(10 * 60_000);
            long late = random.nextInt(4) == 0 ? random.nextInt(7 * 60_000) : 0;
            String user = "user-" + u;
            int partition = Math.floorMod(user.hashCode(), PARTITIONS);
            events.add(new ConsumedEvent(new InteractionEvent(null, 1, user, "item-" + random.nextInt(20),
                    InteractionType.VIEW, START.plusMillis(Math.max(0, clocks[u] - late))), partition, offsets[partition]++));
        }
        return events;
    }
}
