package pulse.store;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import org.bson.Document;
import pulse.aggregate.BatchDelta;
import pulse.aggregate.Rollup;
import pulse.aggregate.UserFunnels;
import pulse.event.ConsumedEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps every user's funnel attempts ({@link UserFunnels}) in one {@code user_funnels} document per user, as
 * {@link SessionStore} keeps sessions: read, apply the batch's events of that user not applied yet (per partition
 * offsets), write back under the version read; a replay writes nothing, a writer whose read went stale reads again.
 * Each attempt carries the start of its window (of {@code windows}, the primary size), for {@code GET /api/funnel}.
 *
 * <p>Memory: between writes, the documents last read or written ({@link UserStateCache}, up to a 32nd of the heap and
 * at most 32 MB), so that a batch needs no read first; while a write runs, one reference per event and the documents
 * of one slice of
 * {@value #USERS_PER_SLICE} users (~100 bytes plus ~90 per kept attempt each).
 */
public class FunnelStore {

    public static final String COLLECTION = "user_funnels";
    public static final String VERSION = "version";
    static final int USERS_PER_SLICE = 2_000;
    static final int MAX_CONFLICT_ROUNDS = 10;
    private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().ordered(false);
    private static final UpdateOptions UPSERT = new UpdateOptions().upsert(true);

    private final MongoDatabase database;
    private final Rollup windows;
    private final List<String> steps;
    private final Duration window;
    private final Duration retention;
    /** The documents last read or written: up to a 32nd of the heap, at most 32 MB. */
    private final UserStateCache cache = new UserStateCache(Math.min(32L << 20, Runtime.getRuntime().maxMemory() / 32),
            "attempts");
    /** Runs between reading the documents and writing them: lets a test interleave another writer there. */
    private volatile Runnable beforeWrite = () -> { };

    /**
     * @param windows   the windows the per-window figures use (the primary size)
     * @param steps     {@code analytics.funnel.steps}: type names, in order
     * @param window    {@code analytics.funnel.window}: how long an attempt stays open after its first step
     * @param retention how long an attempt stays kept after its start (event time; the windows' retention)
     */
    public FunnelStore(MongoDatabase database, Rollup windows, List<String> steps, Duration window, Duration retention) {
        this.database = database;
        this.windows = windows;
        this.steps = List.copyOf(steps);
        this.window = window;
        this.retention = retention;
    }

    void beforeWrite(Runnable hook) {
        beforeWrite = hook;
    }

    /** For the API: the attempts of recent windows, by a multikey index. */
    public void ensureIndexes() {
        database.getCollection(COLLECTION).createIndex(Indexes.ascending("attempts.windowStart"));
    }

    /** The {@code upsert-aggregates} route's step: {@link #apply} to the fold, its writes counted with the fold's. */
    public void write(FoldUpserts upserts) {
        upserts.writes += apply(upserts.batch);
    }

    /** Applies the batch's events to its users' funnels. @return the documents written, retries included */
    public long apply(BatchDelta batch) {
        Map<String, List<ConsumedEvent>> byUser = new LinkedHashMap<>();
        for (ConsumedEvent consumed : batch.events()) {
            byUser.computeIfAbsent(consumed.event().userId(), user -> new ArrayList<>()).add(consumed);
        }
        List<String> users = new ArrayList<>(byUser.keySet());
        MongoCollection<Document> collection = database.getCollection(COLLECTION);
        long writes = 0;
        for (int from = 0; from < users.size(); from += USERS_PER_SLICE) {
            writes += writeSlice(collection, users.subList(from, Math.min(users.size(), from + USERS_PER_SLICE)), byUser);
        }
        return writes;
    }

    private long writeSlice(MongoCollection<Document> collection, List<String> slice, Map<String, List<ConsumedEvent>> byUser) {
        List<String> pending = slice;
        boolean conflicted = false;
        long writes = 0;
        for (int round = 0; round < MAX_CONFLICT_ROUNDS && !pending.isEmpty(); round++) {
            // the cache's document where it has one, else (and after a conflict) what MongoDB holds
            Map<String, Document> stored = new HashMap<>();
            List<String> unknown = new ArrayList<>();
            for (String user : pending) {
                Document cached = conflicted ? null : cache.get(user);
                if (cached == null) {
                    unknown.add(user);
                } else {
                    stored.put(user, cached);
                }
            }
            if (!unknown.isEmpty()) {
                collection.find(Filters.in("_id", unknown)).forEach(document -> stored.put(document.getString("_id"), document));
            }
            List<Document> written = new ArrayList<>();
            List<String> sent = new ArrayList<>();
            List<WriteModel<Document>> models = new ArrayList<>();
            for (String user : pending) {
                Document document = stored.get(user);
                UserFunnels funnels = read(document);
                if (funnels.apply(byUser.get(user), steps, window, retention)) {
                    long version = document == null ? 0 : ((Number) document.get(VERSION, 0L)).longValue();
                    Document filter = new Document("_id", user).append(VERSION, AggregateUpdates.notAtOrBeyond(version + 1));
                    Document state = toDocument(version + 1, funnels);
                    models.add(new UpdateOneModel<>(filter, new Document("$set", state), UPSERT));
                    sent.add(user);
                    written.add(state);
                } else if (document != null) {
                    cache.put(user, document); // unchanged: remember it as read
                }
            }
            if (models.isEmpty()) { // every event already applied: a replay
                pending = List.of();
                break;
            }
            beforeWrite.run();
            writes += models.size();
            Set<Integer> failed = new HashSet<>();
            try {
                collection.bulkWrite(models, UNORDERED);
            } catch (MongoBulkWriteException e) {
                for (BulkWriteError error : e.getWriteErrors()) {
                    if (ErrorCategory.fromErrorCode(error.getCode()) != ErrorCategory.DUPLICATE_KEY) {
                        throw e;
                    }
                    failed.add(error.getIndex());
                }
            }
            List<String> conflicting = new ArrayList<>();
            for (int i = 0; i < sent.size(); i++) {
                if (failed.contains(i)) { // another writer updated it since: read it again
                    cache.remove(sent.get(i));
                    conflicting.add(sent.get(i));
                } else {
                    cache.put(sent.get(i), written.get(i));
                }
            }
            pending = conflicting;
            conflicted = true;
        }
        if (!pending.isEmpty()) {
            throw new IllegalStateException("Could not update the funnels of " + pending.size() + " users after "
                    + MAX_CONFLICT_ROUNDS + " rounds of concurrent writers");
        }
        return writes;
    }

    static UserFunnels read(Document document) {
        if (document == null) {
            return new UserFunnels();
        }
        Map<Integer, Long> offsets = new HashMap<>();
        Document storedOffsets = document.get("offsets", Document.class);
        if (storedOffsets != null) {
            storedOffsets.forEach((field, value) -> offsets.put(Integer.parseInt(field.substring(1)), ((Number) value).longValue()));
        }
        List<UserFunnels.Attempt> attempts = new ArrayList<>();
        for (Document attempt : document.getList("attempts", Document.class, List.of())) {
            attempts.add(new UserFunnels.Attempt(attempt.getString("itemId"), attempt.getDate("start").toInstant(),
                    ((Number) attempt.get("reached")).intValue(), attempt.getDate("reachedAt").toInstant()));
        }
        Date newest = document.getDate("newest");
        return new UserFunnels(offsets, attempts, newest == null ? null : newest.toInstant());
    }

    /** Every field but {@code _id}: the whole state, set at once. */
    private Document toDocument(long version, UserFunnels funnels) {
        Document offsets = new Document();
        funnels.offsets().forEach((partition, offset) -> offsets.append("p" + partition, offset));
        List<Document> attempts = new ArrayList<>(funnels.attempts().size());
        for (UserFunnels.Attempt attempt : funnels.attempts()) {
            attempts.add(new Document("itemId", attempt.itemId()).append("start", Date.from(attempt.start()))
                    .append("reached", attempt.reached()).append("reachedAt", Date.from(attempt.reachedAt()))
                    .append("windowStart", Date.from(windows.windowStart(attempt.start()))));
        }
        return new Document(VERSION, version)
                .append("newest", funnels.newest() == null ? null : Date.from(funnels.newest()))
                .append("offsets", offsets)
                .append("attempts", attempts);
    }
}
