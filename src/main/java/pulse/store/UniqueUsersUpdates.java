package pulse.store;

import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import org.apache.datasketches.common.SketchesException;
import org.apache.datasketches.hll.HllSketch;
import org.bson.Document;
import org.bson.types.Binary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pulse.aggregate.DocumentUsers;
import pulse.aggregate.Rollup;
import pulse.aggregate.UniqueUsers;

import java.util.Date;

/**
 * Builds the update that adds a batch's users to a document's unique users sketch: a read-modify-write made safe by a
 * version. The update applies only while the document still holds the version its sketch was read at; when another
 * writer got there first the filter no longer matches, the upsert's insert collides on {@code _id} (duplicate key),
 * and the store reads the newer sketch and adds the users again. No offset guard is needed: adding users a sketch
 * already holds changes nothing, so a replayed batch adds nothing.
 */
public final class UniqueUsersUpdates {

    /** The estimate, a whole number: what charts and the API read. */
    public static final String UNIQUE_USERS = "uniqueUsers";
    /** The HLL sketch's compact bytes (internal). */
    public static final String SKETCH = "uniqueUsersSketch";
    /** Incremented by every write of the sketch (internal). */
    public static final String VERSION = "uniqueUsersVersion";
    private static final Logger LOG = LoggerFactory.getLogger(UniqueUsersUpdates.class);
    private static final UpdateOptions UPSERT = new UpdateOptions().upsert(true);

    private UniqueUsersUpdates() {
    }

    /** An update, and the sketch and version the document holds once it applied. */
    public record Update(UpdateOneModel<Document> model, long version, HllSketch sketch) {
    }

    /**
     * Adds the document's users to its sketch, in place, and builds the update that stores it.
     *
     * @param version the version the document's sketch was read (or last written) at, 0 for none
     * @param sketch  the sketch then, updatable ({@link #readable}); null for none. Updated in place: when this
     *                answers null it is as it was
     * @return the conditional upsert, or null when the sketch already holds every one of these users
     */
    public static Update upsert(Rollup rollup, DocumentUsers document, long version, HllSketch sketch, UniqueUsers sketches) {
        HllSketch updated = sketch != null ? sketch : sketches.newSketch();
        if (!UniqueUsers.addTo(updated, document.keys()) && sketch != null) {
            return null;
        }
        Document filter = new Document("_id", document.id()).append(VERSION, AggregateUpdates.notAtOrBeyond(version + 1));
        Document update = new Document("$set", new Document(SKETCH, new Binary(updated.toCompactByteArray()))
                .append(UNIQUE_USERS, UniqueUsers.estimate(updated))
                .append(VERSION, version + 1));
        if (rollup.isWindowed()) {
            // only inserted when retention removed the window between its counters and this update
            Document setOnInsert = new Document("windowStart", Date.from(document.windowStart()))
                    .append("windowEnd", Date.from(rollup.windowEnd(document.windowStart())));
            if (document.itemId() != null) {
                setOnInsert.append("itemId", document.itemId());
            }
            update.append("$setOnInsert", setOnInsert);
        }
        return new Update(new UpdateOneModel<>(filter, update, UPSERT), version + 1, updated);
    }

    /** The version of a stored document (as read with {@link #SKETCH} and {@link #VERSION}), 0 for none. */
    public static long version(Document stored) {
        return stored == null ? 0 : ((Number) stored.get(VERSION, 0L)).longValue();
    }

    /** The sketch of a stored document, or null. */
    public static byte[] sketch(Document stored) {
        Binary binary = stored == null ? null : stored.get(SKETCH, Binary.class);
        return binary == null ? null : binary.getData();
    }

    /**
     * The stored sketch as an updatable one; null when there is none, or when it is unreadable (logged): the users
     * then go to a new sketch, so that one bad document cannot stop the pipeline.
     */
    public static HllSketch readable(String id, byte[] stored) {
        if (stored != null) {
            try {
                return UniqueUsers.heapify(stored);
            } catch (SketchesException | ClassCastException | IndexOutOfBoundsException e) {
                LOG.warn("The unique users sketch of {} is not readable ({}); it starts again from this batch's users", id,
                        e.getMessage());
            }
        }
        return null;
    }
}
