package pulse.store;

import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import org.apache.datasketches.common.SketchesException;
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
    public record Update(UpdateOneModel<Document> model, long version, byte[] sketch) {
    }

    /**
     * @param version the version the document's sketch was read (or last written) at, 0 for none
     * @param stored  the sketch's bytes then, or null for none
     * @return the conditional upsert, or null when the stored sketch already holds every one of these users
     */
    public static Update upsert(Rollup rollup, DocumentUsers document, long version, byte[] stored, UniqueUsers sketches) {
        UniqueUsers.Result result = add(document.id(), stored, document.keys(), sketches);
        if (!result.changed()) {
            return null;
        }
        Document filter = new Document("_id", document.id()).append(VERSION, AggregateUpdates.notAtOrBeyond(version + 1));
        Document update = new Document("$set", new Document(SKETCH, new Binary(result.sketch()))
                .append(UNIQUE_USERS, result.estimate())
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
        return new Update(new UpdateOneModel<>(filter, update, UPSERT), version + 1, result.sketch());
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
     * The users added to the stored sketch, read once; to a new sketch when the stored one is unreadable (logged),
     * so that one bad document cannot stop the pipeline.
     */
    private static UniqueUsers.Result add(String id, byte[] stored, byte[][] users, UniqueUsers sketches) {
        if (stored != null) {
            try {
                return sketches.add(stored, users);
            } catch (SketchesException | ClassCastException | IndexOutOfBoundsException e) {
                LOG.warn("The unique users sketch of {} is not readable ({}); it starts again from this batch's users", id,
                        e.getMessage());
            }
        }
        return sketches.add(null, users);
    }
}
