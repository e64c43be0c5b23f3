package pulse.aggregate;

import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import pulse.event.ConsumedEvent;
import pulse.store.SessionStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Sessions computed the plain way, for the tests: per user, the events accepted in stream order (at most
 * {@code lateness} older than the newest accepted before), sorted by time and split wherever two neighbours are
 * more than {@code gap} apart. Each session is {start millis, end millis, events}. And a comparison with the
 * {@code user_sessions} documents MongoDB holds.
 */
public final class SessionTruth {

    private SessionTruth() {
    }

    public static Map<String, List<long[]>> of(List<ConsumedEvent> stream, Duration gap, Duration lateness) {
        Map<String, List<Long>> accepted = new HashMap<>();
        Map<String, Long> newest = new HashMap<>();
        for (ConsumedEvent consumed : stream) {
            String user = consumed.event().userId();
            long time = consumed.event().timestamp().toEpochMilli();
            Long max = newest.get(user);
            if (max != null && time < max - lateness.toMillis()) {
                continue;
            }
            newest.put(user, max == null ? time : Math.max(max, time));
            accepted.computeIfAbsent(user, u -> new ArrayList<>()).add(time);
        }
        Map<String, List<long[]>> sessions = new HashMap<>();
        accepted.forEach((user, times) -> {
            times.sort(null);
            List<long[]> list = new ArrayList<>();
            long[] current = null;
            for (long time : times) {
                if (current == null || time - current[1] > gap.toMillis()) {
                    current = new long[] {time, time, 0};
                    list.add(current);
                }
                current[1] = time;
                current[2]++;
            }
            sessions.put(user, list);
        });
        return sessions;
    }

    /**
     * Every difference between the users' sessions in {@code user_sessions} (the users, each one's kept sessions and
     * count) and {@code truth}, one line each; empty when they agree.
     */
    public static List<String> mismatches(MongoDatabase database, Map<String, List<long[]>> truth) {
        List<String> problems = new ArrayList<>();
        Map<String, Document> stored = new HashMap<>();
        database.getCollection(SessionStore.COLLECTION).find().forEach(d -> stored.put(d.getString("_id"), d));
        Set<String> unexpected = new TreeSet<>(stored.keySet());
        unexpected.removeAll(truth.keySet());
        if (!unexpected.isEmpty()) {
            problems.add(unexpected.size() + " users with sessions, expected none: " + unexpected);
        }
        truth.forEach((user, sessions) -> {
            Document document = stored.get(user);
            List<String> have = document == null ? List.of() : document.getList("kept", Document.class).stream()
                    .map(k -> k.getDate("start").getTime() + "-" + k.getDate("end").getTime() + "x" + k.get("events")).toList();
            List<String> want = sessions.stream().map(k -> k[0] + "-" + k[1] + "x" + k[2]).toList();
            if (!have.equals(want) || ((Number) document.get("sessions")).longValue() != sessions.size()) {
                problems.add(user + ": " + have + ", expected " + want);
            }
        });
        return problems;
    }
}
