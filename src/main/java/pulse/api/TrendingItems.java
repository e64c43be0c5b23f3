package pulse.api;

import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.bson.Document;
import org.bson.conversions.Bson;
import pulse.aggregate.Rollups;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/items/trending?n=&minutes=}: the items whose interactions grew most from one period to the next.
 * The current period is the last {@code minutes} of whole windows before the window in progress, the previous period
 * the {@code minutes} before it; both are sums of the item windows in one aggregation.
 *
 * <p>An item is listed when it has at least {@code analytics.trending.min-count} interactions in the current period
 * and more than in the previous one. Items are ranked by {@code growth = current / max(previous, minCount)}, then by
 * the absolute change: the floor under the previous count keeps an item that went from 1 to 3 (or from 0 to a few)
 * below one that went from 100 to 250, while a new item with many interactions still ranks by how many it has.
 */
public class TrendingItems {

    /** The exchange property holding the periods of a request, for the view. */
    public static final String PERIODS = "trendingPeriods";

    /** The periods one request compares. */
    public record Periods(Instant previousFrom, Instant currentFrom, Instant until, int minutes) {
    }

    private final WindowCollections windows;
    private final long minCount;
    private final Clock clock;

    public TrendingItems(Rollups rollups, long minCount, Clock clock) {
        this.windows = new WindowCollections(rollups);
        this.minCount = minCount;
        this.clock = clock;
    }

    /** The periods for {@code minutes} (1 to 5040, default 60, a whole number of windows of {@code size}). */
    public Periods periods(String minutes, String size) {
        Duration windowSize = windows.pair(size).size();
        int value = ApiParameters.intParameter("minutes", minutes, 60, 1, ApiParameters.MAX_WINDOW_MINUTES / 2);
        Duration period = Duration.ofMinutes(value);
        if (period.toMillis() % windowSize.toMillis() != 0) {
            throw new ApiParameterException("Query parameter 'minutes' must be a whole number of windows of " + windowSize
                    + " (got '" + ApiParameters.abbreviate(minutes) + "')");
        }
        long sizeMillis = windowSize.toMillis();
        Instant until = Instant.ofEpochMilli(Math.floorDiv(clock.millis(), sizeMillis) * sizeMillis);
        return new Periods(until.minus(period.multipliedBy(2)), until.minus(period), until, value);
    }

    /** The aggregation over the item windows of {@code size}; the periods go to the exchange for {@link #view}. */
    public List<Bson> pipeline(@Header("n") String n, @Header("minutes") String minutes, @Header("size") String size,
                               Exchange exchange) {
        int limit = ApiParameters.topItems(n);
        Periods periods = periods(minutes, size);
        exchange.setProperty(PERIODS, periods);
        Date currentFrom = Date.from(periods.currentFrom());
        Document isCurrent = new Document("$gte", List.of("$windowStart", currentFrom));
        return List.of(
                Aggregates.match(Filters.and(Filters.gte("windowStart", Date.from(periods.previousFrom())),
                        Filters.lt("windowStart", Date.from(periods.until())))),
                Aggregates.group("$itemId",
                        Accumulators.sum("current", new Document("$cond", List.of(isCurrent, "$total", 0))),
                        Accumulators.sum("previous", new Document("$cond", List.of(isCurrent, 0, "$total")))),
                Aggregates.project(new Document("current", 1).append("previous", 1)
                        .append("change", new Document("$subtract", List.of("$current", "$previous")))
                        .append("growth", new Document("$divide", List.of("$current",
                                new Document("$max", List.of("$previous", minCount)))))),
                Aggregates.match(Filters.and(Filters.gte("current", minCount), Filters.gt("change", 0))),
                Aggregates.sort(new Document("growth", -1).append("change", -1).append("_id", 1)),
                Aggregates.limit(limit));
    }

    /** The answer: the periods compared, the minimum count, and the items with their counts, change and ratios. */
    public Map<String, Object> view(List<Document> groups, @ExchangeProperty(PERIODS) Periods periods) {
        List<Map<String, Object>> items = new ArrayList<>(groups.size());
        for (Document group : groups) {
            long current = ((Number) group.get("current")).longValue();
            long previous = ((Number) group.get("previous")).longValue();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("itemId", group.get("_id"));
            row.put("current", current);
            row.put("previous", previous);
            row.put("change", current - previous);
            row.put("ratio", previous == 0 ? null : (double) current / previous);
            row.put("growth", (double) current / Math.max(previous, minCount));
            items.add(row);
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("minutes", periods.minutes());
        view.put("previousFrom", periods.previousFrom().toString());
        view.put("currentFrom", periods.currentFrom().toString());
        view.put("until", periods.until().toString());
        view.put("minCount", minCount);
        view.put("items", items);
        return view;
    }
}
