package pulse.store;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import org.bson.Document;
import pulse.aggregate.BatchDelta;
import pulse.event.ConsumedEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One document per user holding a state of type {@code S} that the user's events fold into ({@link SessionStore},
 * {@link FunnelStore}): read, apply the batch's events of that user, write back under the version read. A document
 * another writer updated meanwhile is refused (its version moved), read again and the events applied again, which
 * skips those it already holds (the state's per-partition offsets). A user all of whose events the document already
 * holds (a replay) is not written.
 *
 * <p>The strategy a subclass gives: how to read the state from its document ({@link #read}), how to fold a user's
 * events into it ({@link #apply(Object, List)}), and the document's fields, with the per-window figures the API
 * reads ({@link #fields}).
 *
 * <p>Memory: between writes, the documents last read or written ({@link UserStateCache}, kept as BSON, up to a 32nd of
 * the heap and at most 32 MB), so that a batch needs no read first; while a write runs, one reference per event and the documents
 * of one slice of {@value #USERS_PER_SLICE} users.
 */
public abstract class UserDocumentStore<S> {

    public static final String VERSION = "version";
    static final int USERS_PER_SLICE = 500;
    static final int MAX_CONFLICT_ROUNDS = 10;
    private static final UpdateOptions UPSERT = new UpdateOptions().upsert(true);

    private final MongoDatabase database;
    private final String collection;
    private final String listField;
    /** The documents last read or written, as BSON: up to a 32nd of the heap, at most 32 MB. */
    private final UserStateCache cache;
    /** Runs between reading the documents and writing them: lets a test interleave another writer there. */
    private volatile Runnable beforeWrite = () -> { };

    /**
     * @param listField the document's list whose entries carry a {@code windowStart} (indexed for the API)
     */
    protected UserDocumentStore(MongoDatabase database, String collection, String listField) {
        this.database = database;
        this.collection = collection;
        this.listField = listField;
        this.cache = new UserStateCache(Math.min(32L << 20, Runtime.getRuntime().maxMemory() / 32));
    }

    /** The user's state as its document holds it; an empty state for null (no document yet). */
    protected abstract S read(Document document);

    /** Folds the user's events (offset order per partition) into the state. @return whether any was new */
    protected abstract boolean apply(S state, List<ConsumedEvent> events);

    /** Every field of the state's document but {@code _id} and {@code version}. */
    protected abstract Document fields(S state);

    void beforeWrite(Runnable hook) {
        beforeWrite = hook;
    }

    /** For the API: the entries of recent windows, by a multikey index. */
    public void ensureIndexes() {
        database.getCollection(collection).createIndex(Indexes.ascending(listField + ".windowStart"));
    }

    /** The {@code upsert-aggregates} route's step: {@link #apply} to the fold, its writes counted with the fold's. */
    public void write(FoldUpserts upserts) {
        upserts.writes += apply(upserts.batch);
    }

    /** Applies the batch's events to its users' documents. @return the documents written, retries included */
    public long apply(BatchDelta batch) {
        Map<String, List<ConsumedEvent>> byUser = new LinkedHashMap<>();
        for (ConsumedEvent consumed : batch.events()) {
            byUser.computeIfAbsent(consumed.event().userId(), user -> new ArrayList<>()).add(consumed);
        }
        List<String> users = new ArrayList<>(byUser.keySet());
        MongoCollection<Document> documents = database.getCollection(collection);
        long writes = 0;
        for (int from = 0; from < users.size(); from += USERS_PER_SLICE) {
            writes += writeSlice(documents, users.subList(from, Math.min(users.size(), from + USERS_PER_SLICE)), byUser);
        }
        return writes;
    }

    private long writeSlice(MongoCollection<Document> documents, List<String> slice, Map<String, List<ConsumedEvent>> byUser) {
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
                documents.find(Filters.in("_id", unknown)).forEach(document -> stored.put(document.getString("_id"), document));
            }
            List<Document> written = new ArrayList<>();
            List<String> sent = new ArrayList<>();
            List<WriteModel<Document>> models = new ArrayList<>();
            for (String user : pending) {
                Document document = stored.get(user);
                S state = read(document);
                if (apply(state, byUser.get(user))) {
                    long version = document == null ? 0 : ((Number) document.get(VERSION, 0L)).longValue();
                    Document filter = new Document("_id", user).append(VERSION, AggregateUpdates.notAtOrBeyond(version + 1));
                    Document fields = new Document(VERSION, version + 1);
                    fields.putAll(fields(state));
                    models.add(new UpdateOneModel<>(filter, new Document("$set", fields), UPSERT));
                    sent.add(user);
                    written.add(fields);
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
            Set<Integer> refused = VersionedBulkWrite.refusedAsStale(documents, models);
            List<String> conflicting = new ArrayList<>();
            for (int i = 0; i < sent.size(); i++) {
                if (refused.contains(i)) { // another writer updated it since: read it again
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
            throw new IllegalStateException("Could not update " + collection + " of " + pending.size() + " users after "
                    + MAX_CONFLICT_ROUNDS + " rounds of concurrent writers");
        }
        return writes;
    }

    /** The per-partition offsets a document's state holds ({@code offsets.p<partition>}); empty for null. */
    protected static Map<Integer, Long> offsets(Document document) {
        return document == null ? Map.of() : AggregateUpdates.appliedOffsets(document);
    }

    /** The offsets as stored: {@code {p<partition>: offset}}. */
    protected static Document offsetsField(Map<Integer, Long> offsets) {
        Document field = new Document();
        offsets.forEach((partition, offset) -> field.append("p" + partition, offset));
        return field;
    }

    protected static Date date(Instant instant) {
        return instant == null ? null : Date.from(instant);
    }

    protected static Instant instant(Document document, String field) {
        Date date = document.getDate(field);
        return date == null ? null : date.toInstant();
    }
}
