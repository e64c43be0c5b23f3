package pulse.store;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Indexes;
import pulse.aggregate.Rollup;
import pulse.aggregate.Rollups;

/**
 * The indexes that keep the pipeline's reads cheap on real MongoDB: the summary's most and least interacted items
 * ({@code items.total}), and recent windows for the dashboard. Writes need none: their filters name the {@code _id}.
 */
public class AggregateIndexes {

    private final MongoDatabase database;
    private final Rollups rollups;

    public AggregateIndexes(MongoDatabase database, Rollups rollups) {
        this.database = database;
        this.rollups = rollups;
    }

    public void ensure() {
        database.getCollection(Rollup.ITEMS.collection()).createIndex(Indexes.ascending("total"));
        for (Rollups.WindowSize size : rollups.windowSizes()) {
            database.getCollection(size.windows().collection()).createIndex(Indexes.ascending("windowStart"));
            database.getCollection(size.itemWindows().collection()).createIndex(Indexes.ascending("windowStart", "itemId"));
        }
    }
}
