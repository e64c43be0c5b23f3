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

/**
 * Funnels computed the plain way, for the tests, from the definition in analytics.md: per user and item, in the
 * order the events arrive, a first step with no attempt open (an attempt is open from its start to a window after)
 * starts one; the next step, open and not earlier than the step before, advances it. Result: per user, attempts as
 * {item, start millis, furthest step}. And a comparison with the {@code user_funnels} documents MongoDB holds.
 */
public final class FunnelTruth {

    public record Attempt(String item, long start, int reached) {
    }

    private FunnelTruth() {
    }

    public static Map<String, List<Attempt>> of(List<ConsumedEvent> stream, List<String> steps, Duration window) {
        // per user and item: every attempt as {start, reached, reachedAt}
        Map<String, Map<String, List<long[]>>> attempts = new HashMap<>();
        for (ConsumedEvent consumed : stream) {
            int step = steps.indexOf(consumed.event().type().name());
            if (step < 0) {
                continue;
            }
            long time = consumed.event().timestamp().toEpochMilli();
            List<long[]> mine = attempts.computeIfAbsent(consumed.event().userId(), u -> new HashMap<>())
                    .computeIfAbsent(consumed.event().itemId(), i -> new ArrayList<>());
            long[] open = null;
            for (long[] attempt : mine) { // the open one started latest
                if (attempt[0] <= time && time <= attempt[0] + window.toMillis() && (open == null || attempt[0] >= open[0])) {
                    open = attempt;
                }
            }
            if (step == 0 && open == null) {
                mine.add(new long[] {time, 0, time});
            } else if (step > 0 && open != null && open[1] == step - 1 && time >= open[2]) {
                open[1] = step;
                open[2] = time;
            }
        }
        Map<String, List<Attempt>> result = new HashMap<>();
        attempts.forEach((user, items) -> items.forEach((item, list) -> list.forEach(a ->
                result.computeIfAbsent(user, u -> new ArrayList<>()).add(new Attempt(item, a[0], (int) a[1])))));
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
        if (!stored.keySet().equals(truth.keySet())) {
            problems.add("users " + stored.keySet() + ", expected " + truth.keySet());
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
