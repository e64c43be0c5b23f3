package pulse.embedded;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import org.h2.mvstore.MVStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * mongo-java-server's H2 backend with the two things the pipeline needs from it that it lacks:
 * <ul>
 *   <li><b>Durable acknowledgements</b>: the store is committed after every write command, so an acknowledged
 *   write survives a crash (H2 would otherwise keep up to a second of writes in memory), keeping "offsets are
 *   committed to Kafka only once the aggregates are durable" true for the embedded default.</li>
 *   <li><b>{@code _id} lookups for guarded updates</b>: its planner uses the {@code _id} index only for a filter
 *   on {@code _id} alone, so the pipeline's replay guard ({@code _id} plus offset conditions) would scan the whole
 *   collection for every update. Here such filters look the document up by {@code _id} first, as MongoDB does.</li>
 * </ul>
 */
final class EmbeddedMongoBackend extends H2Backend {

    private static final Set<String> WRITES = Set.of("insert", "update", "delete", "findAndModify", "findandmodify");

    /** @param file the H2 file, or null for a store in memory */
    EmbeddedMongoBackend(String file) {
        super(MVStore.open(file));
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        return new Database(databaseName, getMvStore(), getCursorRegistry());
    }

    @Override
    public Document handleCommand(Channel channel, String database, String command, Document query) {
        Document result = super.handleCommand(channel, database, command, query);
        if (WRITES.contains(command) && !isInMemory()) {
            commit();
        }
        return result;
    }

    private final class Database extends H2Database {

        Database(String databaseName, MVStore store, CursorRegistry cursorRegistry) {
            super(databaseName, store, cursorRegistry);
        }

        @Override
        protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
            // same map names as H2Database, so existing files open unchanged
            String namespace = getFullCollectionNamespace(collectionName);
            MVStore store = getMvStore();
            return new Collection(this, collectionName, options, store.openMap("databases." + namespace),
                    store.openMap("meta." + namespace), cursorRegistry);
        }
    }

    private static final class Collection extends H2Collection {

        Collection(MongoDatabase database, String collectionName, CollectionOptions options,
                   org.h2.mvstore.MVMap<Object, Document> dataMap, org.h2.mvstore.MVMap<String, Object> metaMap,
                   CursorRegistry cursorRegistry) {
            super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit,
                                             int batchSize, Document fieldSelector) {
            Object id = query.get("_id");
            boolean plainIdAndMore = query.size() > 1 && id != null && !(id instanceof Document) && !(id instanceof List);
            if (plainIdAndMore && orderBy == null && numberToSkip == 0 && limit == 0 && fieldSelector == null) {
                List<Document> matching = new ArrayList<>(1);
                for (Document candidate : super.queryDocuments(new Document("_id", id), null, 0, 0, 0, null)) {
                    if (documentMatchesQuery(candidate, query)) {
                        matching.add(candidate);
                    }
                }
                return new QueryResult(matching);
            }
            return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }
    }
}
