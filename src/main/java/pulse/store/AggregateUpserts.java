package pulse.store;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoServerException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.bulk.BulkWriteUpsert;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import org.apache.camel.Exchange;
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
import pulse.store.FoldUpserts.Slice;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The steps of writing a fold to MongoDB, exactly once per event even when batches are replayed (after a crash, a
 * rebalance or a retry) with other boundaries, and with several instances writing at once. The
 * {@code upsert-aggregates} route sends what these steps prepare through its {@code mongodb:} endpoints and hands
 * them the answers:
 * <ol>
 * <li>{@link #start}: the fold's windows are folded, late events judged against the stream times the summary holds;</li>
 * <li>per collection (users, items, then each size's windows and item windows), unordered bulk writes of conditional
 * upserts ({@link AggregateUpdates}) in slices of {@value #DOCUMENTS_PER_BULK_WRITE} documents. A document that
 * answers "already applied" (duplicate key) is read back ({@link #replayed}) and its delta folded again from only
 * the events it does not hold yet ({@link #refold});</li>
 * <li>the summary last, under the same per-partition offset guard, counting a user or item as new exactly when the
 * event that created its document is in the fold; then the fields derived from its counters.</li>
 * </ol>
 */
public class AggregateUpserts {

    private static final Logger LOG = LoggerFactory.getLogger(AggregateUpserts.class);
    /**
     * A fold of many batches can touch hundreds of thousands of documents (1M users): written in slices of this
     * many, a write's update models (~0.5 KB each, see {@link AggregateUpdates#upsert}) stay within a few MB.
     */
    static final int DOCUMENTS_PER_BULK_WRITE = 5_000;
    static final int MAX_CONFLICT_ROUNDS = 10;
    /** The stream times, offsets and counters of the summary: what a write reads of it. */
    public static final Bson SUMMARY_STREAM_TIMES = Projections.include(AggregateUpdates.STREAM_TIME);
    public static final Bson OFFSETS_AND_ORIGIN = Projections.include(AggregateUpdates.OFFSETS, AggregateUpdates.ORIGIN);
    /** The most interacted item first; ties by id, so every instance names the same one. */
    public static final Document MOST_INTERACTED = new Document("total", -1).append("_id", 1);
    public static final Document LEAST_INTERACTED = new Document("total", 1).append("_id", 1);
    public static final Bson TOTAL = Projections.include("total");

    /** One unordered bulk write for the route's {@code mongodb:} endpoint. */
    public record BulkWrite(String collection, List<WriteModel<Document>> models) {
    }

    private final Rollups rollups;
    private final InteractionTypes types;
    private final Duration grace;
    private final Clock clock;

    /**
     * @param grace how long after its end a window still accepts events (event time)
     * @param types the vocabulary: every document counts each of them in {@code byType}
     */
    public AggregateUpserts(Rollups rollups, InteractionTypes types, Duration grace, Clock clock) {
        this.rollups = rollups;
        this.types = types;
        this.grace = grace;
        this.clock = clock;
    }

    // ---- the rollups ---------------------------------------------------------------------------------

    /**
     * @param summary the summary's stream times (the {@link #SUMMARY_STREAM_TIMES} projection), or null before the
     *                first write
     */
    public FoldUpserts start(BatchDelta batch, Document summary) {
        if (!batch.rollups().all().equals(rollups.all())) {
            throw new IllegalArgumentException("the batch keeps " + batch.rollups() + ", these upserts " + rollups);
        }
        FoldUpserts upserts = new FoldUpserts(batch, System.nanoTime());
        if (!batch.events().isEmpty()) {
            batch.classifyLateness(streamTimes(summary), grace);
            for (Rollup rollup : rollups.all()) {
                List<DocumentDelta> deltas = new ArrayList<>(batch.deltas(rollup));
                if (deltas.size() > DOCUMENTS_PER_BULK_WRITE) {
                    // slices of neighbouring _ids: each touches its own part of the _id index (and of the embedded
                    // store's pages, which it rewrites once per write command), instead of every slice touching all
                    deltas.sort(Comparator.comparing(DocumentDelta::id));
                }
                upserts.addSlices(rollup, deltas, DOCUMENTS_PER_BULK_WRITE);
            }
        }
        return upserts;
    }

    public boolean hasBulkWrite(FoldUpserts upserts) {
        while (!upserts.slices.isEmpty() && upserts.slices.peek().pending.isEmpty()) {
            upserts.slices.poll();
        }
        return !upserts.slices.isEmpty();
    }

    public BulkWrite nextBulkWrite(FoldUpserts upserts) {
        Slice slice = upserts.slices.peek();
        if (slice.rounds++ == MAX_CONFLICT_ROUNDS) {
            throw new IllegalStateException("Could not apply " + slice.pending.size() + " " + slice.rollup.collection()
                    + " updates after " + MAX_CONFLICT_ROUNDS + " rounds of concurrent conflicts");
        }
        slice.sent = new ArrayList<>(slice.pending);
        List<WriteModel<Document>> models = new ArrayList<>(slice.sent.size());
        for (DocumentDelta delta : slice.sent) {
            models.add(AggregateUpdates.upsert(slice.rollup, delta, types));
        }
        upserts.writes += models.size();
        return new BulkWrite(slice.rollup.collection(), models);
    }

    public void bulkWritten(FoldUpserts upserts, BulkWriteResult result) {
        Slice slice = upserts.slices.peek();
        recordUpserts(upserts, slice, result);
        slice.pending = List.of();
    }

    /** {@link #onlyReplays(Exception)} for the exception the exchange carries, or was caught in a doCatch. */
    public static boolean onlyReplays(Exchange exchange) {
        return onlyReplays(exceptionOf(exchange));
    }

    /** {@link #isReplay(Exception)} for the exception the exchange carries, or was caught in a doCatch. */
    public static boolean isReplay(Exchange exchange) {
        return isReplay(exceptionOf(exchange));
    }

    /** {@link #isFailure(Exception)} for the exception the exchange carries. */
    public static boolean isFailure(Exchange exchange) {
        return isFailure(exceptionOf(exchange));
    }

    private static Exception exceptionOf(Exchange exchange) {
        Exception exception = exchange.getException();
        return exception != null ? exception : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
    }

    /** Whether a bulk write failed only because documents already hold some of its events: a replay. */
    public static boolean onlyReplays(Exception exception) {
        MongoBulkWriteException bulk = cause(exception, MongoBulkWriteException.class);
        return bulk != null && !bulk.getWriteErrors().isEmpty() && bulk.getWriteConcernError() == null
                && bulk.getWriteErrors().stream()
                        .allMatch(error -> ErrorCategory.fromErrorCode(error.getCode()) == ErrorCategory.DUPLICATE_KEY);
    }

    /** @return the query for the documents that answered "already applied", to read what they hold */
    public Bson replayed(FoldUpserts upserts, Exception exception) {
        MongoBulkWriteException bulk = cause(exception, MongoBulkWriteException.class);
        Slice slice = upserts.slices.peek();
        recordUpserts(upserts, slice, bulk.getWriteResult());
        List<DocumentDelta> conflicting = new ArrayList<>();
        for (BulkWriteError error : bulk.getWriteErrors()) {
            conflicting.add(slice.sent.get(error.getIndex()));
        }
        upserts.conflicts += conflicting.size();
        slice.pending = conflicting;
        return Filters.in("_id", conflicting.stream().map(DocumentDelta::id).toList());
    }

    /**
     * @param stored the conflicting documents' offsets and origins ({@link #OFFSETS_AND_ORIGIN})
     */
    public void refold(FoldUpserts upserts, List<Document> stored) {
        Slice slice = upserts.slices.peek();
        Map<String, Map<Integer, Long>> applied = new HashMap<>();
        for (Document document : stored) {
            applied.put(document.getString("_id"), AggregateUpdates.appliedOffsets(document));
            Document origin = document.get(AggregateUpdates.ORIGIN, Document.class);
            if (origin != null) {
                RecordPosition position = new RecordPosition(origin.getInteger("partition"),
                        ((Number) origin.get("offset")).longValue());
                if (upserts.batch.contains(position)) {
                    upserts.created(slice.rollup, position); // created by an earlier attempt at this same fold
                }
            }
        }
        int conflicting = slice.pending.size();
        slice.pending = upserts.batch.refold(slice.rollup, applied);
        LOG.debug("{} {} documents already held events of this fold (replay); {} still need an update", conflicting,
                slice.rollup.collection(), slice.pending.size());
    }

    private static void recordUpserts(FoldUpserts upserts, Slice slice, BulkWriteResult result) {
        for (BulkWriteUpsert upsert : result.getUpserts()) {
            upserts.created(slice.rollup, slice.sent.get(upsert.getIndex()).origin());
        }
    }

    // ---- the summary --------------------------------------------------------------------------------

    /** Whether the summary still needs this fold's counters; the update is then ready for {@link #summaryUpdate}. */
    public boolean hasSummaryUpdate(FoldUpserts upserts) {
        if (upserts.summaryDone || upserts.batch.isEmpty()) {
            return false;
        }
        if (upserts.summaryRounds == MAX_CONFLICT_ROUNDS) {
            throw new IllegalStateException("Could not update the summary after " + MAX_CONFLICT_ROUNDS
                    + " rounds of concurrent conflicts");
        }
        upserts.summaryDelta = SummaryDelta.of(upserts.batch, upserts.created.get(Rollup.USERS),
                upserts.created.get(Rollup.ITEMS), upserts.summaryApplied);
        if (upserts.summaryDelta.isEmpty()) {
            // the summary already holds this whole fold (a retry); its derived fields may not, if MongoDB failed
            // between the counters and them: they are refreshed from the counters read back
            upserts.summaryDone = true;
            return false;
        }
        return true;
    }

    /** @return the filter and the update of a conditional upsert of the summary */
    public List<Bson> summaryUpdate(FoldUpserts upserts) {
        SummaryDelta delta = upserts.summaryDelta;
        Document filter = new Document("_id", AggregateUpdates.SUMMARY_ID);
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
            Instant streamTime = upserts.batch.streamTimes().get(partition);
            if (streamTime != null) {
                updates.add(Updates.max(AggregateUpdates.STREAM_TIME + ".p" + partition, Date.from(streamTime)));
            }
        });
        upserts.writes++;
        upserts.summaryRounds++;
        return List.of(filter, Updates.combine(updates));
    }

    /** @param updated the summary with this fold's counters in it */
    public void summaryUpdated(FoldUpserts upserts, Document updated) {
        upserts.summaryCounters = updated;
        upserts.summaryDone = true;
    }

    /** Whether an update failed because the summary already holds offsets of the fold: a replay. */
    public static boolean isReplay(Exception exception) {
        MongoServerException server = cause(exception, MongoServerException.class);
        return server != null && ErrorCategory.fromErrorCode(server.getCode()) == ErrorCategory.DUPLICATE_KEY;
    }

    /** @param stored the summary as it is, holding offsets of the fold: the next update leaves those out */
    public void summaryHeld(FoldUpserts upserts, Document stored) {
        upserts.conflicts++;
        upserts.summaryCounters = stored;
        upserts.summaryApplied = stored == null ? Map.of() : AggregateUpdates.appliedOffsets(stored);
    }

    public boolean needsDerivedFields(FoldUpserts upserts) {
        return upserts.summaryCounters != null;
    }

    /**
     * The fields derived from the counters and the items collection, as the filter and update of an update guarded
     * by the counters they were computed from, so that a slower instance never overwrites a fresher derivation.
     *
     * @param most  the most interacted item (its {@link #TOTAL}), or none
     * @param least the least interacted item, or none
     */
    public List<Bson> derivedFields(FoldUpserts upserts, List<Document> most, List<Document> least) {
        Document counters = upserts.summaryCounters;
        long events = ((Number) counters.get("events")).longValue();
        long users = ((Number) counters.get("users")).longValue();
        List<Bson> updates = new ArrayList<>();
        updates.add(Updates.set("avgInteractionsPerUser", users == 0 ? 0.0 : (double) events / users));
        updates.add(Updates.set("updatedAt", Date.from(clock.instant())));
        if (!most.isEmpty() && !least.isEmpty()) {
            updates.add(Updates.set("maxItem", itemRef(most.get(0))));
            updates.add(Updates.set("minItem", itemRef(least.get(0))));
        }
        upserts.writes++;
        return List.of(new Document("_id", AggregateUpdates.SUMMARY_ID).append("events", counters.get("events"))
                .append("users", counters.get("users")), Updates.combine(updates));
    }

    private static Document itemRef(Document item) {
        return new Document("itemId", item.get("_id")).append("total", item.get("total"));
    }

    // ---- what it did ------------------------------------------------------------------------------------

    public WriteStats stats(FoldUpserts upserts) {
        BatchDelta batch = upserts.batch;
        int duplicates = batch.duplicatePositions().size();
        if (batch.events().isEmpty()) {
            return new WriteStats(0, batch.rejected(), duplicates, upserts.writes, upserts.conflicts,
                    batch.isEmpty() ? 0 : System.nanoTime() - upserts.startNanos, WriteStats.NONE);
        }
        return new WriteStats(batch.events().size(), batch.rejected(), duplicates, upserts.writes, upserts.conflicts,
                System.nanoTime() - upserts.startNanos, FreshnessSample.of(batch.events(), clock.millis()));
    }

    /**
     * Per partition, the stream time the summary holds. It is written under the same offset guard as the counters,
     * so it is the stream time as of the last offset the summary holds: the right starting point for the events
     * after it, whichever instance consumes them next and wherever its batch starts.
     */
    private static Map<Integer, Instant> streamTimes(Document summary) {
        Map<Integer, Instant> times = new HashMap<>();
        Document stored = summary == null ? null : summary.get(AggregateUpdates.STREAM_TIME, Document.class);
        if (stored != null) {
            stored.forEach((field, value) -> times.put(Integer.parseInt(field.substring(1)), ((Date) value).toInstant()));
        }
        return times;
    }

    /** Whether MongoDB failed, rather than answered that documents already hold events of the fold (a replay). */
    public static boolean isFailure(Exception exception) {
        return !onlyReplays(exception) && !isReplay(exception);
    }

    /** The exception or the first of its causes of that type: camel-mongodb wraps the driver's. */
    private static <T extends Throwable> T cause(Throwable exception, Class<T> type) {
        for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }
}
