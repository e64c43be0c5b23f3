package pulse.api;

import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.BsonField;
import com.mongodb.client.model.Filters;
import org.apache.camel.Header;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.Binary;
import pulse.aggregate.UniqueUsers;
import pulse.event.InteractionType;
import pulse.event.InteractionTypes;
import pulse.store.UniqueUsersUpdates;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The queries behind {@code GET /api/items/top?minutes=}: one aggregation over an item windows collection that sums
 * each item's windows that start in the last {@code minutes} (total and every type), sorts and keeps {@code n}; then,
 * with unique users on, the sketches of those items' windows, whose union gives each item's unique users over the
 * period (a user active in several of its windows counted once).
 */
public class RecentTopItems {

    private final InteractionTypes types;
    private final UniqueUsers uniqueUsers;

    public RecentTopItems(InteractionTypes types) {
        this(types, null);
    }

    /** @param uniqueUsers the sketches' configuration; null when unique users are off */
    public RecentTopItems(InteractionTypes types, UniqueUsers uniqueUsers) {
        this.types = types;
        this.uniqueUsers = uniqueUsers;
    }

    public List<Bson> pipeline(@Header("n") String n, @Header("minutes") String minutes) {
        int limit = ApiParameters.topItems(n);
        Bson since = ApiParameters.windowsSince(minutes);
        List<BsonField> sums = new ArrayList<>();
        sums.add(Accumulators.sum("total", "$total"));
        for (InteractionType type : types.all()) {
            sums.add(Accumulators.sum(DashboardViews.BY_TYPE_SUM + type.name(), "$byType." + type.name()));
        }
        return List.of(
                Aggregates.match(since),
                Aggregates.group("$itemId", sums),
                Aggregates.sort(new Document("total", -1).append("_id", 1)),
                Aggregates.limit(limit));
    }

    public boolean isUniqueUsersOn() {
        return uniqueUsers != null;
    }

    /** The item windows of the listed items ({@code itemId} of each row) that start in the last {@code minutes}. */
    public Bson sketchCriteria(List<Map<String, Object>> rows, @Header("minutes") String minutes) {
        return Filters.and(ApiParameters.windowsSince(minutes),
                Filters.in("itemId", rows.stream().map(row -> row.get("itemId")).toList()));
    }

    /** Only the fields the union needs. */
    public Bson sketchProjection() {
        return new Document("itemId", 1).append(UniqueUsersUpdates.SKETCH, 1);
    }

    /** Adds {@code uniqueUsers} to each row: the union of its item's window sketches. */
    public List<Map<String, Object>> withUniqueUsers(List<Map<String, Object>> rows, List<Document> itemWindows) {
        Map<Object, List<byte[]>> sketches = new HashMap<>();
        for (Document window : itemWindows) {
            Binary sketch = window.get(UniqueUsersUpdates.SKETCH, Binary.class);
            if (sketch != null) {
                sketches.computeIfAbsent(window.get("itemId"), item -> new ArrayList<>()).add(sketch.getData());
            }
        }
        for (Map<String, Object> row : rows) {
            List<byte[]> found = sketches.get(row.get("itemId"));
            row.put("uniqueUsers", found == null ? null : uniqueUsers.unionEstimate(found));
        }
        return rows;
    }
}
