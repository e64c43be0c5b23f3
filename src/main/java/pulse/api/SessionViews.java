package pulse.api;

import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import org.apache.camel.Header;
import org.bson.Document;
import org.bson.conversions.Bson;
import pulse.aggregate.Rollup;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/sessions?minutes=}: the sessions that started in the windows (of the primary size) that start in the
 * last {@code minutes}, per window and over them all: how many started, their mean length and mean events. A session
 * still open keeps growing (and may merge with another), so a recent window's figures can still change.
 */
public class SessionViews {

    private final Rollup windows;
    private final Clock clock;
    private final boolean enabled;

    /** @param enabled {@code analytics.sessions.enabled}, said in every answer (nothing is kept when off) */
    public SessionViews(Rollup windows, Clock clock, boolean enabled) {
        this.windows = windows;
        this.clock = clock;
        this.enabled = enabled;
    }

    /** The aggregation over {@code user_sessions}: one group per window, sums to derive the means from. */
    public List<Bson> pipeline(@Header("minutes") String minutes) {
        int value = ApiParameters.intParameter("minutes", minutes, 60, 1, ApiParameters.MAX_WINDOW_MINUTES);
        Date since = Date.from(clock.instant().minus(Duration.ofMinutes(value)));
        Bson recent = Filters.gte("kept.windowStart", since);
        return List.of(
                Aggregates.match(recent),
                Aggregates.unwind("$kept"),
                Aggregates.match(recent),
                Aggregates.group("$kept.windowStart",
                        Accumulators.sum("sessions", 1),
                        Accumulators.sum("lengthMs", "$kept.lengthMs"),
                        Accumulators.sum("events", "$kept.events")),
                Aggregates.sort(Sorts.ascending("_id")));
    }

    public Map<String, Object> view(List<Document> groups, @Header("minutes") String minutes) {
        List<Map<String, Object>> rows = new ArrayList<>(groups.size());
        long sessions = 0;
        long lengthMs = 0;
        long events = 0;
        for (Document group : groups) {
            long s = ((Number) group.get("sessions")).longValue();
            long l = ((Number) group.get("lengthMs")).longValue();
            long e = ((Number) group.get("events")).longValue();
            sessions += s;
            lengthMs += l;
            events += e;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("windowStart", group.getDate("_id").toInstant().toString());
            putFigures(row, s, l, e);
            rows.add(row);
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("enabled", enabled);
        view.put("minutes", ApiParameters.intParameter("minutes", minutes, 60, 1, ApiParameters.MAX_WINDOW_MINUTES));
        view.put("windowSize", windows.windowSize().toString());
        putFigures(view, sessions, lengthMs, events);
        view.put("windows", rows);
        return view;
    }

    private static void putFigures(Map<String, Object> row, long sessions, long lengthMs, long events) {
        row.put("sessionsStarted", sessions);
        row.put("meanSessionLengthSeconds", sessions == 0 ? null : lengthMs / 1000.0 / sessions);
        row.put("meanEventsPerSession", sessions == 0 ? null : (double) events / sessions);
    }
}
