package pulse.store;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.WriteModel;
import org.bson.Document;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The write of read-modify-write stores: upserts conditional on the version each document was read at. A document
 * another writer moved on no longer matches its filter, so the upsert collides with its {@code _id}.
 */
final class VersionedBulkWrite {

    private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().ordered(false);

    private VersionedBulkWrite() {
    }

    /**
     * Writes the upserts, unordered. @return the indexes of those refused because the document's version moved on
     * (duplicate key); any other error is thrown
     */
    static Set<Integer> refusedAsStale(MongoCollection<Document> documents, List<WriteModel<Document>> models) {
        Set<Integer> refused = new HashSet<>();
        try {
            documents.bulkWrite(models, UNORDERED);
        } catch (MongoBulkWriteException e) {
            for (BulkWriteError error : e.getWriteErrors()) {
                if (ErrorCategory.fromErrorCode(error.getCode()) != ErrorCategory.DUPLICATE_KEY) {
                    throw e;
                }
                refused.add(error.getIndex());
            }
        }
        return refused;
    }
}
