package pulse.store;

import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pulse.aggregate.Rollups;

import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.concurrent.TimeUnit;

/**
 * Keeps window documents ({@code windows}, {@code item_windows}, and those of further window sizes) for
 * {@code retention.windows}; users and items are kept. On MongoDB a TTL index on
 * {@code windowEnd} removes them; the embedded server has no TTL, so {@link #removeExpired()} (run by a scheduled
 * route) does the same everywhere.
 */
public class WindowRetention {

    private static final Logger LOG = LoggerFactory.getLogger(WindowRetention.class);

    private final java.util.List<MongoCollection<Document>> windowed;
    private final Duration retention;
    private final Clock clock;

    public WindowRetention(com.mongodb.client.MongoDatabase database, Rollups rollups, Duration retention, Clock clock) {
        this.windowed = rollups.windowed().stream()
                .map(rollup -> database.getCollection(rollup.collection())).toList();
        this.retention = retention;
        this.clock = clock;
    }

    /** The TTL index; servers without TTL support ignore it or refuse it, and the scheduled route covers them. */
    public void ensureTtlIndex() {
        for (MongoCollection<Document> windows : windowed) {
            try {
                windows.createIndex(Indexes.ascending("windowEnd"),
                        new IndexOptions().name("windowEnd_ttl").expireAfter(retention.toSeconds(), TimeUnit.SECONDS));
            } catch (MongoCommandException e) {
                LOG.warn("Could not create the TTL index on {}.windowEnd ({}); the retention route removes old windows",
                        windows.getNamespace().getCollectionName(), e.getErrorMessage());
            }
        }
    }

    /** @return how many window documents were removed */
    public long removeExpired() {
        Date cutoff = Date.from(clock.instant().minus(retention));
        long removed = 0;
        for (MongoCollection<Document> windows : windowed) {
            removed += windows.deleteMany(Filters.lt("windowEnd", cutoff)).getDeletedCount();
        }
        if (removed > 0) {
            LOG.info("Removed {} window documents that ended before {} (retention.windows = {})", removed,
                    cutoff.toInstant(), retention);
        }
        return removed;
    }
}
