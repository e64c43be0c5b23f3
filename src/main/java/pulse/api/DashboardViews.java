package pulse.api;

import org.bson.Document;
import pulse.aggregate.Conversion;
import pulse.event.InteractionType;
import pulse.event.InteractionTypes;
import pulse.kafka.ConsumerLag;
import pulse.metrics.AggregationProgress;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shapes the MongoDB documents into the dashboard API's JSON: plain numbers, ISO-8601 dates, {@code byType} with
 * every type of the configured vocabulary, the configured conversion, no internal fields (offsets, origin).
 */
public class DashboardViews {

    /** Where {@link ApiParameters#topItemsSince}'s aggregation puts a type's sum: {@code byType_<type>}. */
    static final String BY_TYPE_SUM = "byType_";

    private final AggregationProgress progress;
    private final ConsumerLag lag;
    private final InteractionTypes types;
    private final Conversion conversion;

    public DashboardViews(AggregationProgress progress, ConsumerLag lag, InteractionTypes types, Conversion conversion) {
        this.progress = progress;
        this.lag = lag;
        this.types = types;
        this.conversion = conversion;
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
        view.put("byType", byType(doc.get("byType", Document.class)));
        view.put("rejectedEvents", number(doc.get("rejectedEvents")));
        view.put("duplicateEvents", number(doc.get("duplicateEvents")));
        view.put("lateEvents", number(doc.get("lateEvents")));
        view.put("uniqueUsersLastHour", nullableNumber(doc.get("uniqueUsersLastHour")));
        view.put("updatedAt", iso(doc.getDate("updatedAt")));
        view.put("eventsPerSecond", Math.round(progress.eventsPerSecond()));
        view.put("consumerLag", lag.current());
        view.put("types", types.names());
        view.put("conversion", Map.of("numerator", conversion.numerator(), "denominator", conversion.denominator()));
        return view;
    }

    public List<Map<String, Object>> items(List<Document> items) {
        List<Map<String, Object>> view = new ArrayList<>(items.size());
        for (Document item : items) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("itemId", item.get("_id"));
            row.put("total", number(item.get("total")));
            row.put("uniqueUsers", nullableNumber(item.get("uniqueUsers")));
            putByType(row, byType(item.get("byType", Document.class)));
            view.add(row);
        }
        return view;
    }

    /** Items summed over recent windows (the aggregation's output: {@code _id}, total, byType_&lt;type&gt;). */
    public List<Map<String, Object>> recentItems(List<Document> groups) {
        List<Map<String, Object>> view = new ArrayList<>(groups.size());
        for (Document group : groups) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("itemId", group.get("_id"));
            row.put("total", number(group.get("total")));
            row.put("uniqueUsers", null); // from the items' window sketches, RecentTopItems#withUniqueUsers
            Map<String, Long> byType = new LinkedHashMap<>();
            for (InteractionType type : types.all()) {
                byType.put(type.name(), number(group.get(BY_TYPE_SUM + type.name())));
            }
            putByType(row, byType);
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
            row.put("lateEvents", number(window.get("lateEvents")));
            row.put("uniqueUsers", nullableNumber(window.get("uniqueUsers")));
            putByType(row, byType(window.get("byType", Document.class)));
            view.add(row);
        }
        return view;
    }

    /** {@code byType} and the conversion it gives. */
    private void putByType(Map<String, Object> row, Map<String, Long> byType) {
        row.put("byType", byType);
        row.put("conversion", conversion.of(byType.get(conversion.numerator()), byType.get(conversion.denominator())));
    }

    public static Map<String, Object> error(String message) {
        return Map.of("error", message);
    }

    /** Every type of the vocabulary, 0 where the document has none yet. */
    private Map<String, Long> byType(Document byType) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (InteractionType type : types.all()) {
            counts.put(type.name(), byType == null ? 0L : number(byType.get(type.name())));
        }
        return counts;
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

    /** Unique users and other fields that are absent when their feature is off: null then, not 0. */
    private static Long nullableNumber(Object value) {
        return value instanceof Number n ? n.longValue() : null;
    }

    private static String iso(Date date) {
        return date == null ? null : Instant.ofEpochMilli(date.getTime()).toString();
    }
}
