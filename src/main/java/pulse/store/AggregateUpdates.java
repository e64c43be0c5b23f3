package pulse.store;

import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.DocumentCodec;
import pulse.aggregate.DocumentDelta;
import pulse.aggregate.Rollup;
import pulse.event.InteractionType;
import pulse.event.InteractionTypes;

import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds the replay-safe partial-update upserts for aggregate documents.
 *
 * <p>A document keeps, per partition, the last offset folded into it ({@code offsets.p<N>}). An update is only
 * applied when, for every partition it carries events from, the document holds no offset at or beyond the first
 * of those events. Otherwise the filter does not match, the upsert tries to insert a second document with the
 * same {@code _id}, and MongoDB answers with a duplicate-key error, which means "already (partly) applied".
 */
public final class AggregateUpdates {

    public static final String SUMMARY = "summary";
    public static final String SUMMARY_ID = "global";
    /** Per partition, the newest event time the summary took ({@code streamTime.p<N>}). */
    public static final String STREAM_TIME = "streamTime";
    public static final String OFFSETS = "offsets";
    public static final String ORIGIN = "origin";
    public static final String BY_TYPE = "byType";
    private static final UpdateOptions UPSERT = new UpdateOptions().upsert(true);
    private static final DocumentCodec DOCUMENT_CODEC = new DocumentCodec();

    private AggregateUpdates() {
    }

    public static String offsetField(int partition) {
        return OFFSETS + ".p" + partition;
    }

    /**
     * The update as a plain document ({@code $inc}, {@code $set}, ...): encoded directly, several times cheaper
     * than combining {@code Updates} builders, which matters at thousands of upserts per batch.
     */
    public static UpdateOneModel<Document> upsert(Rollup rollup, DocumentDelta delta, InteractionTypes types) {
        Document filter = new Document("_id", delta.id());
        Document inc = new Document("total", delta.total());
        for (InteractionType type : types.all()) { // every type, zeros included: each document has every field
            inc.append(BY_TYPE + "." + type.name(), delta.count(type));
        }
        Document set = new Document();
        delta.offsets().forEach((partition, range) -> {
            filter.append(offsetField(partition), notAtOrBeyond(range.first()));
            set.append(offsetField(partition), range.last());
        });
        Document update = new Document("$inc", inc).append("$set", set);
        if (rollup.isWindowed()) {
            inc.append("lateEvents", delta.late());
            Instant windowStart = rollup.windowStart(delta.firstSeen()); // every event of the delta is in it
            Document setOnInsert = new Document("windowStart", Date.from(windowStart))
                    .append("windowEnd", Date.from(rollup.windowEnd(windowStart)));
            if (rollup.kind() == Rollup.Kind.ITEM_WINDOWS) {
                setOnInsert.append("itemId", delta.id().substring(delta.id().indexOf('/') + 1));
            }
            update.append("$setOnInsert", setOnInsert);
        } else {
            update.append("$min", new Document("firstSeen", Date.from(delta.firstSeen())))
                    .append("$max", new Document("lastSeen", Date.from(delta.lastSeen())))
                    .append("$setOnInsert", new Document(ORIGIN, new Document("partition", delta.origin().partition())
                            .append("offset", delta.origin().offset())));
        }
        // encoded once, here: a model of plain documents holds ~2.5 KB of maps until the bulk write is sent, its BSON
        // bytes ~0.5 KB, which matters when a coalesced write touches hundreds of thousands of documents (1M users)
        return new UpdateOneModel<>(encoded(filter), encoded(update), UPSERT);
    }

    private static RawBsonDocument encoded(Document document) {
        return new RawBsonDocument(document, DOCUMENT_CODEC);
    }

    /**
     * The replay guard for one partition: the document holds no offset at or beyond {@code first} (or none at all).
     * Filters are flat documents ({@code _id} plus these), which MongoDB and the embedded server both answer
     * through the {@code _id} index.
     */
    public static Document notAtOrBeyond(long first) {
        return new Document("$not", new Document("$gte", first));
    }

    /** The per-partition offsets a stored document already holds. */
    public static Map<Integer, Long> appliedOffsets(Document document) {
        Map<Integer, Long> applied = new HashMap<>();
        Document offsets = document.get(OFFSETS, Document.class);
        if (offsets != null) {
            offsets.forEach((field, value) -> applied.put(Integer.parseInt(field.substring(1)), ((Number) value).longValue()));
        }
        return applied;
    }
}
