package pulse.api;

import org.bson.Document;
import pulse.event.InteractionType;
import pulse.store.AggregationProgress;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shapes the MongoDB documents into the dashboard API's JSON: plain numbers, ISO-8601 dates, no internal
 * fields (offsets, origin).
 */
public class DashboardViews {

    private final AggregationProgress progress;
    private final ConsumerLag lag;

    public DashboardViews(AggregationProgress progress, ConsumerLag lag) {
        this.progress = progress;
        this.lag = lag;
    }

    public Map<String, Object> summary(Document summary) {
        Map<String, Object> view = new LinkedHashMap<>();
        Document doc = summary == null ? new Document() : summary;
        view.put("events", number(doc.get("events")));
        view.put("users", number(doc.get("users")));
        view.put("items", number(doc.get("items")));
        view.put("avgInteractionsPerUser", doc.get("avgInteractionsPerUser", 0.0));
        view.put("maxItem", itemRef(doc.get("maxItem", Document.class)));
        view.put("minItem", itemRef(doc.get("minItem", Document.class)));
        view.put("rejectedEvents", number(doc.get("rejectedEvents")));
        view.put("lateEvents", number(doc.get("lateEvents")));
        view.put("updatedAt", iso(doc.getDate("updatedAt")));
        view.put("eventsPerSecond", Math.round(progress.eventsPerSecond()));
        view.put("consumerLag", lag.current());
        return view;
    }

    public List<Map<String, Object>> items(List<Document> items) {
        List<Map<String, Object>> view = new ArrayList<>(items.size());
        for (Document item : items) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("itemId", item.get("_id"));
            row.put("total", number(item.get("total")));
            putByType(row, item);
            putConversion(row);
            view.add(row);
        }
        return view;
    }

    /** Items summed over recent windows (the aggregation's output: {@code _id}, total, view, click, purchase). */
    public List<Map<String, Object>> recentItems(List<Document> groups) {
        List<Map<String, Object>> view = new ArrayList<>(groups.size());
        for (Document group : groups) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("itemId", group.get("_id"));
            row.put("total", number(group.get("total")));
            for (InteractionType type : InteractionType.values()) {
                row.put(type.wireName(), number(group.get(type.wireName())));
            }
            putConversion(row);
            view.add(row);
        }
        return view;
    }

    public List<Map<String, Object>> windows(List<Document> windows) {
        List<Map<String, Object>> view = new ArrayList<>(windows.size());
        for (Document window : windows) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("windowStart", iso(window.getDate("windowStart")));
            row.put("windowEnd", iso(window.getDate("windowEnd")));
            row.put("total", number(window.get("total")));
            putByType(row, window);
            row.put("lateEvents", number(window.get("lateEvents")));
            putConversion(row);
            view.add(row);
        }
        return view;
    }

    /** Purchases per view, or null without views. */
    private static void putConversion(Map<String, Object> row) {
        long views = (Long) row.get("view");
        row.put("conversion", views == 0 ? null : (double) (Long) row.get("purchase") / views);
    }

    public static Map<String, Object> error(String message) {
        return Map.of("error", message);
    }

    private static void putByType(Map<String, Object> row, Document document) {
        Document byType = document.get("byType", Document.class);
        for (InteractionType type : InteractionType.values()) {
            row.put(type.wireName(), byType == null ? 0L : number(byType.get(type.wireName())));
        }
    }

    private static Map<String, Object> itemRef(Document ref) {
        if (ref == null) {
            return null;
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("itemId", ref.get("itemId"));
        view.put("total", number(ref.get("total")));
        return view;
    }

    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : 0L;
    }

    private static String iso(Date date) {
        return date == null ? null : Instant.ofEpochMilli(date.getTime()).toString();
    }
}
