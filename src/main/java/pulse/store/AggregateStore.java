package pulse.store;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoServerException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.bulk.BulkWriteUpsert;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pulse.aggregate.BatchDelta;
import pulse.aggregate.DocumentDelta;
import pulse.aggregate.RecordPosition;
import pulse.aggregate.Rollup;
import pulse.aggregate.Rollups;
import pulse.aggregate.SummaryDelta;
import pulse.event.InteractionType;
import pulse.event.InteractionTypes;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies batch deltas to MongoDB, exactly once per event even when batches are replayed (after a crash, a
 * rebalance or a retry) with different boundaries, and with several instances writing at once.
 *
 * <p>Each collection gets unordered bulk writes of conditional upserts (see {@link AggregateUpdates}), in slices of
 * {@value #DOCUMENTS_PER_BULK_WRITE} documents.
 * Documents that answer "already applied" are read back and their delta is folded again from only the events
 * they do not hold yet. The summary is updated last, under the same per-partition offset guard, and counts a
 * user or item as new exactly when the event that created its document is in the batch.
 */
public class AggregateStore {

    public static final String SUMMARY = "summary";
    public static final String SUMMARY_ID = "global";
    private static final String STREAM_TIME = "streamTime";
    private static final Logger LOG = LoggerFactory.getLogger(AggregateStore.class);
    private static final int MAX_CONFLICT_ROUNDS = 10;
    private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().ordered(false);
    /**
     * A fold of many batches can touch hundreds of thousands of documents (1M users): written in slices of this
     * many, a write's update models (~0.5 KB each, see {@link AggregateUpdates#upsert}) stay within a few MB.
     */
    static final int DOCUMENTS_PER_BULK_WRITE = 5_000;

    private final MongoDatabase database;
    private final Clock clock;
    private final Duration grace;
    private final Rollups rollups;
    private final InteractionTypes types;
    /** Unique users ({@code analytics.unique-users.enabled}); null when off. */
    private UniqueUsersStore uniqueUsers;

    /**
     * @param grace how long after its end a window still accepts events (event time)
     * @param types the vocabulary: every document counts each of them in {@code byType}
     */
    public AggregateStore(MongoDatabase database, Clock clock, Duration grace, Rollups rollups,
                          InteractionTypes types) {
        this.database = database;
        this.clock = clock;
        this.grace = grace;
        this.rollups = rollups;
        this.types = types;
    }

    /** The default aggregates (1-minute windows, view/click/purchase). */
    public AggregateStore(MongoDatabase database, Clock clock, Duration grace) {
        this(database, clock, grace, Rollups.DEFAULT, InteractionTypes.DEFAULT);
    }

    /** Also keeps the unique users of items and windows, before the summary (null: off). */
    public AggregateStore withUniqueUsers(UniqueUsersStore uniqueUsers) {
        this.uniqueUsers = uniqueUsers;
        return this;
    }

    /** Indexes that keep the summary's max/min item lookups cheap on real MongoDB. */
    public void ensureIndexes() {
        database.getCollection(Rollup.ITEMS.collection()).createIndex(Indexes.ascending("total"));
        for (Rollups.WindowSize size : rollups.windowSizes()) {
            database.getCollection(size.windows().collection()).createIndex(Indexes.ascending("windowStart"));
            database.getCollection(size.itemWindows().collection()).createIndex(Indexes.ascending("windowStart", "itemId"));
        }
    }

    public WriteStats apply(BatchDelta batch) {
        if (!batch.rollups().all().equals(rollups.all())) {
            throw new IllegalArgumentException("the batch keeps " + batch.rollups() + ", this store " + rollups);
        }
        int duplicates = batch.duplicatePositions().size();
        if (batch.isEmpty()) {
            return new WriteStats(0, batch.rejected(), duplicates, 0, 0, 0, WriteStats.NONE);
        }
        long start = System.nanoTime();
        Counter counter = new Counter();
        if (batch.events().isEmpty()) { // only rejected records and duplicates: just count them
            updateSummary(batch, Set.of(), Set.of(), counter);
            return new WriteStats(0, batch.rejected(), duplicates, counter.writes, counter.conflicts,
                    System.nanoTime() - start, WriteStats.NONE);
        }
        batch.classifyLateness(streamTimes(), grace);
        Set<RecordPosition> newUsers = write(Rollup.USERS, batch, counter);
        Set<RecordPosition> newItems = write(Rollup.ITEMS, batch, counter);
        for (Rollup rollup : rollups.windowed()) {
            write(rollup, batch, counter);
        }
        if (uniqueUsers != null) { // before the summary: once it shows the batch, every aggregate of it is written
            counter.writes += uniqueUsers.apply(batch);
        }
        updateSummary(batch, newUsers, newItems, counter);
        long writtenAt = clock.millis();
        long[] freshness = new long[batch.events().size()];
        for (int i = 0; i < freshness.length; i++) {
            freshness[i] = writtenAt - batch.events().get(i).event().timestamp().toEpochMilli();
        }
        return new WriteStats(batch.events().size(), batch.rejected(), duplicates, counter.writes, counter.conflicts,
                System.nanoTime() - start, freshness);
    }

    private Set<RecordPosition> write(Rollup rollup, BatchDelta batch, Counter counter) {
        MongoCollection<Document> collection = database.getCollection(rollup.collection());
        Set<RecordPosition> created = new HashSet<>();
        List<DocumentDelta> all = new ArrayList<>(batch.deltas(rollup));
        if (all.size() > DOCUMENTS_PER_BULK_WRITE) {
            // slices of neighbouring _ids: each touches its own part of the _id index (and of the embedded store's
            // pages, which it rewrites once per write command), instead of every slice touching all of it
            all.sort(Comparator.comparing(DocumentDelta::id));
        }
        for (int from = 0; from < all.size(); from += DOCUMENTS_PER_BULK_WRITE) {
            writeSlice(collection, rollup, batch, all.subList(from, Math.min(all.size(), from + DOCUMENTS_PER_BULK_WRITE)),
                    created, counter);
        }
        return created;
    }

    /** One unordered bulk write of some of a rollup's deltas, then the rounds that resolve replay conflicts. */
    private void writeSlice(MongoCollection<Document> collection, Rollup rollup, BatchDelta batch,
                            Collection<DocumentDelta> slice, Set<RecordPosition> created, Counter counter) {
        Collection<DocumentDelta> pending = slice;
        for (int round = 0; round < MAX_CONFLICT_ROUNDS && !pending.isEmpty(); round++) {
            List<DocumentDelta> deltas = new ArrayList<>(pending);
            List<WriteModel<Document>> models = new ArrayList<>(deltas.size());
            for (DocumentDelta delta : deltas) {
                models.add(AggregateUpdates.upsert(rollup, delta, types));
            }
            counter.writes += models.size();
            List<DocumentDelta> conflicting = new ArrayList<>();
            try {
                recordUpserts(collection.bulkWrite(models, UNORDERED), deltas, created);
            } catch (MongoBulkWriteException e) {
                recordUpserts(e.getWriteResult(), deltas, created);
                for (BulkWriteError error : e.getWriteErrors()) {
                    if (ErrorCategory.fromErrorCode(error.getCode()) != ErrorCategory.DUPLICATE_KEY) {
                        throw e;
                    }
                    conflicting.add(deltas.get(error.getIndex()));
                }
            }
            if (conflicting.isEmpty()) {
                return;
            }
            counter.conflicts += conflicting.size();
            pending = resolveConflicts(collection, rollup, batch, conflicting, created);
        }
        if (!pending.isEmpty()) {
            throw new IllegalStateException("Could not apply " + pending.size() + " " + rollup.collection()
                    + " updates after " + MAX_CONFLICT_ROUNDS + " rounds of concurrent conflicts");
        }
    }

    /**
     * Per partition, the stream time the summary holds. It is written under the same offset guard as the counters,
     * so it is the stream time as of the last offset the summary holds: the right starting point for the events
     * after it, whichever instance consumes them next and wherever its batch starts.
     */
    private Map<Integer, Instant> streamTimes() {
        Document summary = database.getCollection(SUMMARY).find(Filters.eq("_id", SUMMARY_ID))
                .projection(Projections.include(STREAM_TIME)).first();
        Map<Integer, Instant> times = new HashMap<>();
        Document stored = summary == null ? null : summary.get(STREAM_TIME, Document.class);
        if (stored != null) {
            stored.forEach((field, value) -> times.put(Integer.parseInt(field.substring(1)), ((Date) value).toInstant()));
        }
        return times;
    }

    private static void recordUpserts(BulkWriteResult result, List<DocumentDelta> deltas, Set<RecordPosition> created) {
        for (BulkWriteUpsert upsert : result.getUpserts()) {
            created.add(deltas.get(upsert.getIndex()).origin());
        }
    }

    /** Reads what the conflicting documents already hold and folds what is left. */
    private Collection<DocumentDelta> resolveConflicts(MongoCollection<Document> collection, Rollup rollup,
                                                         BatchDelta batch, List<DocumentDelta> conflicting,
                                                         Set<RecordPosition> created) {
        List<String> ids = conflicting.stream().map(DocumentDelta::id).toList();
        Map<String, Map<Integer, Long>> applied = new HashMap<>();
        for (Document stored : collection.find(Filters.in("_id", ids))
                .projection(Projections.include(AggregateUpdates.OFFSETS, AggregateUpdates.ORIGIN))) {
            applied.put(stored.getString("_id"), AggregateUpdates.appliedOffsets(stored));
            Document origin = stored.get(AggregateUpdates.ORIGIN, Document.class);
            if (origin != null) {
                RecordPosition position = new RecordPosition(origin.getInteger("partition"), ((Number) origin.get("offset")).longValue());
                if (batch.contains(position)) {
                    created.add(position); // created by an earlier attempt at this same batch
                }
            }
        }
        Collection<DocumentDelta> remaining = batch.refold(rollup, applied);
        LOG.debug("{} {} documents already held events of this batch (replay); {} still need an update",
                conflicting.size(), rollup.collection(), remaining.size());
        return remaining;
    }

    private void updateSummary(BatchDelta batch, Set<RecordPosition> newUsers, Set<RecordPosition> newItems, Counter counter) {
        MongoCollection<Document> summary = database.getCollection(SUMMARY);
        Map<Integer, Long> applied = Map.of();
        Document stored = null;
        for (int round = 0; round < MAX_CONFLICT_ROUNDS; round++) {
            SummaryDelta delta = SummaryDelta.of(batch, newUsers, newItems, applied);
            if (delta.isEmpty()) {
                // the summary already holds this whole batch (a retry): its derived fields may not, if MongoDB failed
                // between the counters and them
                if (stored != null) {
                    refreshDerivedFields(summary, stored, counter);
                }
                return;
            }
            Document filter = new Document("_id", SUMMARY_ID);
            List<Bson> updates = new ArrayList<>(List.of(
                    Updates.inc("events", delta.events()),
                    Updates.inc("rejectedEvents", delta.rejected()),
                    Updates.inc("duplicateEvents", delta.duplicates()),
                    Updates.inc("lateEvents", delta.late()),
                    Updates.inc("users", delta.newUsers()),
                    Updates.inc("items", delta.newItems())));
            for (InteractionType type : types.all()) {
                updates.add(Updates.inc(AggregateUpdates.BY_TYPE + "." + type.name(), delta.count(type.index())));
            }
            delta.offsets().forEach((partition, range) -> {
                filter.append(AggregateUpdates.offsetField(partition), AggregateUpdates.notAtOrBeyond(range[0]));
                updates.add(Updates.set(AggregateUpdates.offsetField(partition), range[1]));
                Instant streamTime = batch.streamTimes().get(partition);
                if (streamTime != null) {
                    updates.add(Updates.max(STREAM_TIME + ".p" + partition, Date.from(streamTime)));
                }
            });
            counter.writes++;
            try {
                Document updated = summary.findOneAndUpdate(filter, Updates.combine(updates),
                        new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER));
                refreshDerivedFields(summary, updated, counter);
                return;
            } catch (MongoServerException e) {
                if (ErrorCategory.fromErrorCode(e.getCode()) != ErrorCategory.DUPLICATE_KEY) {
                    throw e;
                }
                counter.conflicts++;
                stored = summary.find(Filters.eq("_id", SUMMARY_ID)).first();
                applied = stored == null ? Map.of() : AggregateUpdates.appliedOffsets(stored);
            }
        }
        throw new IllegalStateException("Could not update the summary after " + MAX_CONFLICT_ROUNDS
                + " rounds of concurrent conflicts");
    }

    /**
     * Sets the fields derived from the counters and the items collection. Guarded by the counters it was
     * computed from, so that a slower instance never overwrites a fresher derivation.
     */
    private void refreshDerivedFields(MongoCollection<Document> summary, Document counters, Counter counter) {
        long events = ((Number) counters.get("events")).longValue();
        long users = ((Number) counters.get("users")).longValue();
        MongoCollection<Document> items = database.getCollection(Rollup.ITEMS.collection());
        Document max = items.find().sort(Sorts.orderBy(Sorts.descending("total"), Sorts.ascending("_id")))
                .projection(Projections.include("total")).limit(1).first();
        Document min = items.find().sort(Sorts.ascending("total", "_id"))
                .projection(Projections.include("total")).limit(1).first();
        List<Bson> updates = new ArrayList<>();
        updates.add(Updates.set("avgInteractionsPerUser", users == 0 ? 0.0 : (double) events / users));
        updates.add(Updates.set("updatedAt", Date.from(clock.instant())));
        if (max != null) {
            updates.add(Updates.set("maxItem", itemRef(max)));
            updates.add(Updates.set("minItem", itemRef(min)));
        }
        counter.writes++;
        summary.updateOne(new Document("_id", SUMMARY_ID).append("events", counters.get("events"))
                .append("users", counters.get("users")), Updates.combine(updates));
    }

    private static Document itemRef(Document item) {
        return new Document("itemId", item.get("_id")).append("total", item.get("total"));
    }

    private static final class Counter {
        long writes;
        long conflicts;
    }
}
