package pulse.api;

import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.BsonField;
import org.apache.camel.Header;
import org.bson.Document;
import org.bson.conversions.Bson;
import pulse.event.InteractionType;
import pulse.event.InteractionTypes;

import java.util.ArrayList;
import java.util.List;

/**
 * The query behind {@code GET /api/items/top?minutes=}: one aggregation over an item windows collection that sums
 * each item's windows that start in the last {@code minutes} (total and every type), sorts and keeps {@code n}.
 */
public class RecentTopItems {

    private final InteractionTypes types;

    public RecentTopItems(InteractionTypes types) {
        this.types = types;
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
}
