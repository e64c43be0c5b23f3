package pulse.store;

import com.mongodb.MongoException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import org.bson.Document;
import org.bson.types.Binary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pulse.aggregate.BatchDelta;
import pulse.aggregate.DocumentUsers;
import pulse.aggregate.Rollup;
import pulse.aggregate.Rollups;
import pulse.aggregate.UniqueUsers;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the unique users of items, windows and item windows (every size): per document, adds the batch's users to
 * the sketch as last read or written ({@link SketchCache}, else read from MongoDB) and writes it back under that
 * version ({@link UniqueUsersUpdates}); a document another writer updated meanwhile is read again and retried. A
 * batch that brings no new user to a sketch (a replay) writes nothing. Also sets {@code summary.uniqueUsersLastHour}.
 *
 * <p>Memory: nothing per user beyond the batch (the sketches live in MongoDB); the cache, up to its size; while a
 * write runs, an int per event and a few per distinct user of the batch ({@link DocumentUsers.Users}), for the
 * rollup being written one index per event while grouping and one per distinct user of each document, and the
 * updates of one slice of {@value #DOCUMENTS_PER_SLICE} documents (up to ~8 KB each at lgK 14).
 */
public class UniqueUsersStore {

    static final int DOCUMENTS_PER_SLICE = 500;
    private static final int MAX_CONFLICT_ROUNDS = 20;
    private static final Duration LAST_HOUR = Duration.ofHours(1);
    public static final String UNIQUE_USERS_LAST_HOUR = "uniqueUsersLastHour";
    private static final Logger LOG = LoggerFactory.getLogger(UniqueUsersStore.class);

    private final MongoDatabase database;
    private final Rollups rollups;
    private final UniqueUsers sketches;
    private final Clock clock;
    private final SketchCache cache;
    /** Runs between reading the sketches and writing them: lets a test interleave another writer there. */
    private volatile Runnable beforeWrite = () -> { };
    private volatile boolean lastHourFailing;

    /** With a cache of up to a sixteenth of the heap, at most 64 MB. */
    public UniqueUsersStore(MongoDatabase database, Rollups rollups, UniqueUsers sketches, Clock clock) {
        this(database, rollups, sketches, clock, Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 16));
    }

    /** @param cacheBytes how many bytes of sketches to keep to write without reading first (0: always read) */
    public UniqueUsersStore(MongoDatabase database, Rollups rollups, UniqueUsers sketches, Clock clock, long cacheBytes) {
        this.database = database;
        this.rollups = rollups;
        this.sketches = sketches;
        this.clock = clock;
        this.cache = new SketchCache(cacheBytes);
    }

    void beforeWrite(Runnable hook) {
        beforeWrite = hook;
    }

    /** The {@code upsert-aggregates} route's step: {@link #apply} to the fold, its writes counted with the fold's. */
    public void write(FoldUpserts upserts) {
        upserts.writes += apply(upserts.batch);
    }

    /** Adds the batch's users to every document's sketch. @return the document updates sent, retries included */
    public long apply(BatchDelta batch) {
        if (batch.events().isEmpty()) {
            return 0;
        }
        DocumentUsers.Users users = DocumentUsers.users(batch); // each user id encoded once for all its documents
        long writes = write(Rollup.ITEMS, batch, users);
        for (Rollup rollup : rollups.windowed()) {
            writes += write(rollup, batch, users);
        }
        return writes;
    }

    private long write(Rollup rollup, BatchDelta batch, DocumentUsers.Users users) {
        MongoCollection<Document> collection = database.getCollection(rollup.collection());
        List<DocumentUsers> documents = DocumentUsers.of(batch, rollup, users);
        long writes = 0;
        for (int from = 0; from < documents.size(); from += DOCUMENTS_PER_SLICE) {
            writes += writeSlice(collection, rollup, documents.subList(from, Math.min(documents.size(), from + DOCUMENTS_PER_SLICE)));
        }
        return writes;
    }

    private long writeSlice(MongoCollection<Document> collection, Rollup rollup, List<DocumentUsers> slice) {
        String name = rollup.collection();
        List<DocumentUsers> pending = slice;
        boolean conflicted = false;
        long writes = 0;
        for (int round = 0; round < MAX_CONFLICT_ROUNDS && !pending.isEmpty(); round++) {
            // the cache's version where it has one, else (and after a conflict) what MongoDB holds; a cached sketch
            // is taken out while this write updates it, and put back once written
            Map<String, SketchCache.Entry> known = new HashMap<>();
            List<String> unknown = new ArrayList<>();
            for (DocumentUsers document : pending) {
                SketchCache.Entry cached = conflicted ? null : cache.take(name, document.id());
                if (cached == null) {
                    unknown.add(document.id());
                } else {
                    known.put(document.id(), cached);
                }
            }
            if (!unknown.isEmpty()) {
                collection.find(Filters.in("_id", unknown))
                        .projection(Projections.include(UniqueUsersUpdates.SKETCH, UniqueUsersUpdates.VERSION))
                        .forEach(stored -> {
                            String id = stored.getString("_id");
                            known.put(id, new SketchCache.Entry(UniqueUsersUpdates.version(stored),
                                    UniqueUsersUpdates.readable(id, UniqueUsersUpdates.sketch(stored))));
                        });
            }
            List<DocumentUsers> sent = new ArrayList<>();
            List<UniqueUsersUpdates.Update> updates = new ArrayList<>();
            List<WriteModel<Document>> models = new ArrayList<>();
            for (DocumentUsers document : pending) {
                SketchCache.Entry entry = known.get(document.id());
                UniqueUsersUpdates.Update update = entry == null
                        ? UniqueUsersUpdates.upsert(rollup, document, 0, null, sketches)
                        : UniqueUsersUpdates.upsert(rollup, document, entry.version(), entry.sketch(), sketches);
                if (update != null) {
                    sent.add(document);
                    updates.add(update);
                    models.add(update.model());
                } else if (entry != null && entry.sketch() != null) {
                    cache.put(name, document.id(), entry); // unchanged: remember it as read
                }
            }
            if (models.isEmpty()) {
                return writes;
            }
            beforeWrite.run();
            writes += models.size();
            Set<Integer> failed = VersionedBulkWrite.refusedAsStale(collection, models);
            List<DocumentUsers> conflicting = new ArrayList<>();
            for (int i = 0; i < sent.size(); i++) {
                String id = sent.get(i).id();
                if (failed.contains(i)) { // another writer updated it since: read it again (it is out of the cache)
                    conflicting.add(sent.get(i));
                } else {
                    cache.put(name, id, new SketchCache.Entry(updates.get(i).version(), updates.get(i).sketch()));
                }
            }
            pending = conflicting;
            conflicted = true;
        }
        if (!pending.isEmpty()) {
            throw new IllegalStateException("Could not update the unique users of " + pending.size() + " "
                    + rollup.collection() + " documents after " + MAX_CONFLICT_ROUNDS + " rounds of concurrent writers");
        }
        return writes;
    }

    /**
     * The distinct users of the windows (of the primary size) that start in the last hour, into
     * {@code summary.uniqueUsersLastHour}; the summary is left alone until it exists. MongoDB errors are logged,
     * once per outage: the next run tries again.
     */
    public void refreshLastHour() {
        try {
            long users = sketches.unionEstimate(sketchesSince(rollups.primary().windows(), LAST_HOUR));
            database.getCollection(AggregateUpdates.SUMMARY).updateOne(Filters.eq("_id", AggregateUpdates.SUMMARY_ID),
                    Updates.set(UNIQUE_USERS_LAST_HOUR, users));
            lastHourFailing = false;
        } catch (MongoException e) {
            if (!lastHourFailing) {
                LOG.warn("Could not update summary.{} ({}); trying again", UNIQUE_USERS_LAST_HOUR, e.getMessage());
            }
            lastHourFailing = true;
        }
    }

    /** The stored sketches of a windowed rollup's documents that start within {@code period} from now. */
    private List<byte[]> sketchesSince(Rollup rollup, Duration period) {
        List<byte[]> found = new ArrayList<>();
        Date since = Date.from(clock.instant().minus(period));
        database.getCollection(rollup.collection()).find(Filters.gte("windowStart", since)).projection(Projections.include(UniqueUsersUpdates.SKETCH))
                .forEach(document -> {
                    Binary sketch = document.get(UniqueUsersUpdates.SKETCH, Binary.class);
                    if (sketch != null) {
                        found.add(sketch.getData());
                    }
                });
        return found;
    }
}
