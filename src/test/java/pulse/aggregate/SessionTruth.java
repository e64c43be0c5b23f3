package pulse.aggregate;

import pulse.event.ConsumedEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sessions computed the plain way, for the tests: per user, the events accepted in stream order (at most
 * {@code lateness} older than the newest accepted before), sorted by time and split wherever two neighbours are
 * more than {@code gap} apart. Each session is {start millis, end millis, events}.
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
}
