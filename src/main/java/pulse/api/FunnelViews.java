package pulse.api;

import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.BsonField;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import org.apache.camel.Header;
import org.bson.Document;
import org.bson.conversions.Bson;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/funnel?minutes=&item=}: over the attempts that started in the windows (of the primary size) that
 * start in the last {@code minutes}, how many users reached each step in order. A user counts once per item and
 * window, at the furthest step any of their attempts there reached. With {@code item}: that item's figures per window;
 * without: the {@value #TOP} items with the most users at the first step. The totals add up the rows.
 */
public class FunnelViews {

    static final int TOP = 10;
    private final List<String> steps;
    private final Duration window;
    private final Clock clock;
    private final boolean enabled;

    /** @param enabled {@code analytics.funnels.enabled}, said in every answer (nothing is kept when off) */
    public FunnelViews(List<String> steps, Duration window, Clock clock, boolean enabled) {
        this.steps = List.copyOf(steps);
        this.window = window;
        this.clock = clock;
        this.enabled = enabled;
    }

    public List<Bson> pipeline(@Header("minutes") String minutes, @Header("item") String item) {
        int value = ApiParameters.intParameter("minutes", minutes, 60, 1, ApiParameters.MAX_WINDOW_MINUTES);
        Date since = Date.from(clock.instant().minus(Duration.ofMinutes(value)));
        Bson match = item == null || item.isEmpty() ? Filters.gte("attempts.windowStart", since)
                : Filters.elemMatch("attempts", Filters.and(Filters.gte("windowStart", since), Filters.eq("itemId", item)));
        Bson unwound = item == null || item.isEmpty() ? Filters.gte("attempts.windowStart", since)
                : Filters.and(Filters.gte("attempts.windowStart", since), Filters.eq("attempts.itemId", item));
        List<BsonField> counts = new ArrayList<>();
        for (int step = 0; step < steps.size(); step++) {
            counts.add(Accumulators.sum("s" + step,
                    new Document("$cond", List.of(new Document("$gte", List.of("$reached", step)), 1, 0))));
        }
        List<Bson> pipeline = new ArrayList<>(List.of(
                Aggregates.match(match),
                Aggregates.unwind("$attempts"),
                Aggregates.match(unwound),
                Aggregates.group(new Document("user", "$_id").append("item", "$attempts.itemId")
                                .append("window", "$attempts.windowStart"),
                        Accumulators.max("reached", "$attempts.reached")),
                Aggregates.group(item == null || item.isEmpty() ? "$_id.item" : "$_id.window", counts)));
        if (item == null || item.isEmpty()) {
            pipeline.add(Aggregates.sort(Sorts.orderBy(Sorts.descending("s0"), Sorts.ascending("_id"))));
            pipeline.add(Aggregates.limit(TOP));
        } else {
            pipeline.add(Aggregates.sort(Sorts.ascending("_id")));
        }
        return pipeline;
    }

    public Map<String, Object> view(List<Document> groups, @Header("minutes") String minutes, @Header("item") String item) {
        boolean perWindow = item != null && !item.isEmpty();
        long[] total = new long[steps.size()];
        List<Map<String, Object>> rows = new ArrayList<>(groups.size());
        for (Document group : groups) {
            long[] reached = new long[steps.size()];
            for (int step = 0; step < steps.size(); step++) {
                reached[step] = ((Number) group.get("s" + step)).longValue();
                total[step] += reached[step];
            }
            Map<String, Object> row = new LinkedHashMap<>();
            Object id = group.get("_id");
            if (perWindow) {
                row.put("windowStart", ((Date) id).toInstant().toString());
            } else {
                row.put("itemId", id);
            }
            row.put("reached", reached);
            rows.add(row);
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("enabled", enabled);
        view.put("minutes", ApiParameters.intParameter("minutes", minutes, 60, 1, ApiParameters.MAX_WINDOW_MINUTES));
        view.put("steps", steps);
        view.put("window", window.toString());
        view.put("item", perWindow ? item : null);
        view.put("reached", total);
        view.put(perWindow ? "windows" : "items", rows);
        return view;
    }
}
