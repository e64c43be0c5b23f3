package pulse.aggregate;

import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import pulse.event.ConsumedEvent;
import pulse.store.FunnelStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Funnels computed the plain way, for the tests, from the definition in analytics.md: per user and item, in the
 * order the events arrive, a first step with no attempt open (an attempt is open from its start to a window after)
 * starts one; the next step, open and not earlier than the step before, advances it. A user keeps at most
 * {@link UserFunnels#MAX_ATTEMPTS} attempts: when a new one makes one more, the one that started first (of those
 * that started at the same time, the first started) is dropped and can no longer advance. Result: per user,
 * attempts as {item, start millis, furthest step}. And a comparison with the {@code user_funnels} documents MongoDB
 * holds.
 */
public final class FunnelTruth {

    public record Attempt(String item, long start, int reached) {
    }

    /** An attempt as it goes: the furthest step reached and when. */
    private static final class Open {
        final String item;
        final long start;
        int reached;
        long reachedAt;

        Open(String item, long start) {
            this.item = item;
            this.start = start;
            this.reachedAt = start;
        }
    }

    private FunnelTruth() {
    }

    public static Map<String, List<Attempt>> of(List<ConsumedEvent> stream, List<String> steps, Duration window) {
        // per user: the attempts kept, in start order
        Map<String, List<Open>> attempts = new HashMap<>();
        for (ConsumedEvent consumed : stream) {
            int step = steps.indexOf(consumed.event().type().name());
            if (step < 0) {
                continue;
            }
            long time = consumed.event().timestamp().toEpochMilli();
            String item = consumed.event().itemId();
            List<Open> mine = attempts.computeIfAbsent(consumed.event().userId(), u -> new ArrayList<>());
            Open open = null;
            for (Open attempt : mine) { // the open one on the item that started latest
                if (attempt.item.equals(item) && attempt.start <= time && time <= attempt.start + window.toMillis()
                        && (open == null || attempt.start >= open.start)) {
                    open = attempt;
                }
            }
            if (step == 0 && open == null) {
                int at = 0;
                while (at < mine.size() && mine.get(at).start <= time) {
                    at++;
                }
                mine.add(at, new Open(item, time));
                if (mine.size() > UserFunnels.MAX_ATTEMPTS) {
                    mine.remove(0);
                }
            } else if (step > 0 && open != null && open.reached == step - 1 && time >= open.reachedAt) {
                open.reached = step;
                open.reachedAt = time;
            }
        }
        Map<String, List<Attempt>> result = new HashMap<>();
        attempts.forEach((user, list) -> list.forEach(a ->
                result.computeIfAbsent(user, u -> new ArrayList<>()).add(new Attempt(a.item, a.start, a.reached))));
        return result;
    }

    /**
     * Every difference between the users' attempts in {@code user_funnels} (item, start, furthest step) and
     * {@code truth}, one line each; empty when they agree.
     */
    public static List<String> mismatches(MongoDatabase database, Map<String, List<Attempt>> truth) {
        List<String> problems = new ArrayList<>();
        Map<String, List<String>> stored = new HashMap<>();
        database.getCollection(FunnelStore.COLLECTION).find().forEach(d -> stored.put(d.getString("_id"),
                d.getList("attempts", Document.class).stream()
                        .map(a -> a.getString("itemId") + "@" + a.getDate("start").getTime() + ">" + a.get("reached"))
                        .sorted().toList()));
        Set<String> unexpected = new TreeSet<>(stored.keySet());
        unexpected.removeAll(truth.keySet());
        unexpected.removeIf(user -> stored.get(user).isEmpty()); // a user with steps but none first (a click only)
        if (!unexpected.isEmpty()) {
            problems.add(unexpected.size() + " users with attempts, expected none: " + unexpected);
        }
        truth.forEach((user, attempts) -> {
            List<String> want = attempts.stream().map(a -> a.item() + "@" + a.start() + ">" + a.reached()).sorted().toList();
            if (!want.equals(stored.get(user))) {
                problems.add(user + ": " + stored.get(user) + ", expected " + want);
            }
        });
        return problems;
    }
}
