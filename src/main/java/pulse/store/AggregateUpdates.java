package pulse.store;

import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import org.bson.conversions.Bson;
import pulse.aggregate.AggregateDelta;
import pulse.aggregate.Dimension;
import pulse.event.InteractionType;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
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

    public static final String OFFSETS = "offsets";
    public static final String ORIGIN = "origin";
    private static final UpdateOptions UPSERT = new UpdateOptions().upsert(true);

    private AggregateUpdates() {
    }

    public static String offsetField(int partition) {
        return OFFSETS + ".p" + partition;
    }

    public static UpdateOneModel<Document> upsert(Dimension dimension, AggregateDelta delta) {
        Document filter = new Document("_id", delta.id());
        List<Bson> updates = new ArrayList<>();
        updates.add(Updates.inc("total", delta.total()));
        for (InteractionType type : InteractionType.values()) {
            updates.add(Updates.inc("byType." + type.wireName(), delta.count(type)));
        }
        delta.offsets().forEach((partition, range) -> {
            filter.append(offsetField(partition), notAtOrBeyond(range.first()));
            updates.add(Updates.set(offsetField(partition), range.last()));
        });
        if (dimension.isWindowed()) {
            updates.add(Updates.inc("lateEvents", delta.late()));
            Instant windowStart = dimension.windowStart(delta.firstSeen()); // every event of the delta is in it
            updates.add(Updates.setOnInsert("windowStart", Date.from(windowStart)));
            updates.add(Updates.setOnInsert("windowEnd", Date.from(dimension.windowEnd(windowStart))));
            if (dimension.kind() == Dimension.Kind.ITEM_WINDOWS) {
                updates.add(Updates.setOnInsert("itemId", delta.id().substring(delta.id().indexOf('/') + 1)));
            }
        } else {
            updates.add(Updates.min("firstSeen", Date.from(delta.firstSeen())));
            updates.add(Updates.max("lastSeen", Date.from(delta.lastSeen())));
            updates.add(Updates.setOnInsert(ORIGIN, new Document("partition", delta.origin().partition())
                    .append("offset", delta.origin().offset())));
        }
        return new UpdateOneModel<>(filter, Updates.combine(updates), UPSERT);
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
