package pulse.store;

import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.BsonBinaryWriter;
import org.bson.codecs.DocumentCodec;
import org.bson.io.BasicOutputBuffer;
import pulse.aggregate.DocumentDelta;
import pulse.aggregate.Rollup;
import pulse.event.InteractionType;
import pulse.event.InteractionTypes;

import java.time.Instant;
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

    private AggregateUpdates() {
    }

    public static String offsetField(int partition) {
        return OFFSETS + ".p" + partition;
    }

    /**
     * The guarded upsert, its filter and update written straight to BSON: the bytes {@link DocumentCodec} writes for
     * the same documents (field order and types alike: {@code total}, counts and offsets int64, dates as BSON dates,
     * the origin's partition int32), without building them as maps first or looking codecs up per value, which
     * matters at thousands of upserts per write. Encoded once, here: a model of plain documents holds ~2.5 KB of
     * maps until the bulk write is sent, its BSON bytes ~0.5 KB, which matters when a coalesced write touches
     * hundreds of thousands of documents (1M users).
     */
    public static UpdateOneModel<Document> upsert(Rollup rollup, DocumentDelta delta, InteractionTypes types) {
        return new UpdateOneModel<>(filter(delta), update(rollup, delta, types), UPSERT);
    }

    /** {@code {_id, offsets.p<N>: {$not: {$gte: first}}, ...}}. */
    private static RawBsonDocument filter(DocumentDelta delta) {
        BasicOutputBuffer buffer = new BasicOutputBuffer(64 + 40 * delta.offsets().size());
        try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
            writer.writeStartDocument();
            writer.writeString("_id", delta.id());
            delta.offsets().forEach((partition, range) -> {
                writer.writeStartDocument(offsetField(partition));
                writer.writeStartDocument("$not");
                writer.writeInt64("$gte", range.first());
                writer.writeEndDocument();
                writer.writeEndDocument();
            });
            writer.writeEndDocument();
        }
        return new RawBsonDocument(buffer.getInternalBuffer(), 0, buffer.getPosition());
    }

    /** {@code $inc} of the counters, {@code $set} of the offsets, and what only an insert or a first/last event sets. */
    private static RawBsonDocument update(Rollup rollup, DocumentDelta delta, InteractionTypes types) {
        BasicOutputBuffer buffer = new BasicOutputBuffer(512);
        try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
            writer.writeStartDocument();
            writer.writeStartDocument("$inc");
            writer.writeInt64("total", delta.total());
            for (InteractionType type : types.all()) { // every type, zeros included: each document has every field
                writer.writeInt64(BY_TYPE + "." + type.name(), delta.count(type));
            }
            if (rollup.isWindowed()) {
                writer.writeInt64("lateEvents", delta.late());
            }
            writer.writeEndDocument();
            writer.writeStartDocument("$set");
            delta.offsets().forEach((partition, range) -> writer.writeInt64(offsetField(partition), range.last()));
            writer.writeEndDocument();
            if (rollup.isWindowed()) {
                Instant windowStart = rollup.windowStart(delta.firstSeen()); // every event of the delta is in it
                writer.writeStartDocument("$setOnInsert");
                writer.writeDateTime("windowStart", windowStart.toEpochMilli());
                writer.writeDateTime("windowEnd", rollup.windowEnd(windowStart).toEpochMilli());
                if (rollup.kind() == Rollup.Kind.ITEM_WINDOWS) {
                    writer.writeString("itemId", delta.id().substring(delta.id().indexOf('/') + 1));
                }
                writer.writeEndDocument();
            } else {
                writer.writeStartDocument("$min");
                writer.writeDateTime("firstSeen", delta.firstSeen().toEpochMilli());
                writer.writeEndDocument();
                writer.writeStartDocument("$max");
                writer.writeDateTime("lastSeen", delta.lastSeen().toEpochMilli());
                writer.writeEndDocument();
                writer.writeStartDocument("$setOnInsert");
                writer.writeStartDocument(ORIGIN);
                writer.writeInt32("partition", delta.origin().partition());
                writer.writeInt64("offset", delta.origin().offset());
                writer.writeEndDocument();
                writer.writeEndDocument();
            }
            writer.writeEndDocument();
        }
        return new RawBsonDocument(buffer.getInternalBuffer(), 0, buffer.getPosition());
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
