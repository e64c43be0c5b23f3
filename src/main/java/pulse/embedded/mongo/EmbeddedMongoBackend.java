package pulse.embedded.mongo;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.ArrayFilters;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;
import io.netty.channel.Channel;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * mongo-java-server's H2 backend with what the pipeline needs from it that it lacks:
 * <ul>
 *   <li><b>Durable acknowledgements</b>: the store is committed after every write command, so an acknowledged
 *   write survives a crash (H2 would otherwise keep up to a second of writes in memory), keeping "offsets are
 *   committed to Kafka only once the aggregates are durable" true for the embedded default.</li>
 *   <li><b>Cheap {@code _id} lookups</b>: unique indexes keep a one-string or one-number key as itself
 *   ({@link PlainKeyUniqueIndex}) instead of a key H2 compares by Java-serialising it. A query on a string
 *   {@code _id} (alone or with more conditions) reads the document straight from the data map, where H2 keeps it
 *   under its {@code _id}, so a guarded update looks the index up once (for the document's position), not twice.
 *   A query on another plain {@code _id} plus more conditions looks the document up by {@code _id} first, as
 *   MongoDB does: the upstream planner uses the index only for {@code _id} alone, so the pipeline's
 *   replay-guarded updates would scan the whole collection.</li>
 *   <li><b>Documents stored as BSON</b> ({@link BsonDocumentDataType}) rather than Java-serialised, which made
 *   every commit and every read of a page that left H2's cache slow.</li>
 *   <li><b>Sorted queries with a small limit</b> keep their first documents as they scan instead of sorting every
 *   match ({@link FirstInOrder}): the summary's most and least interacted item after every write.</li>
 *   <li><b>Simple updates applied directly</b>: a single-document update or upsert by string {@code _id} made of
 *   {@code $inc}, {@code $set}, {@code $setOnInsert}, {@code $min} and {@code $max} on plain or dotted paths (the
 *   pipeline's guarded upserts) is applied by {@link SimpleUpdate}, copying only the changed paths, instead of by
 *   upstream's general update code, which split every path with regular expressions, deep-copied and encoded the
 *   document twice per update and cost about three times as much. Results, errors (the replay guard's
 *   duplicate-key error too), documents and the collection's size are upstream's; anything else (other operators,
 *   arrays, nulls, mixed-type comparisons, conflicting paths, a changed unique-index key, {@code findAndModify})
 *   still goes to upstream's code.</li>
 *   <li><b>A store that closed itself says so</b>: H2 closes its store for good when it fails to write it (out of
 *   heap while serialising pages, a full disk); every later command would fail with H2's "This store is closed" and
 *   the app would retry its batch forever. Instead the backend logs once, at ERROR, that the embedded store has
 *   closed and the app must be restarted (with a larger heap or an external MongoDB), and answers every command,
 *   {@code hello} included, with that error (code 91, ShutdownInProgress): the driver then sees no usable server, so
 *   the app's MongoDB health check is DOWN, and no write is acknowledged, so no offset is committed.</li>
 * </ul>
 *
 * <p><b>File format</b>: every map keeps upstream's name. Index keys of one string or number are now stored as
 * themselves, and documents as BSON; opening an index converts the keys an earlier version wrote, and documents it
 * wrote are still read, so an old data file opens unchanged. The plain {@code H2Backend} could not read the file
 * back.
 */
public final class EmbeddedMongoBackend extends H2Backend {

    private static final Set<String> WRITES = Set.of("insert", "update", "delete", "findAndModify", "findandmodify");
    private static final String ID = "_id";
    /** Sorted queries whose skip + limit is at most this keep only their first documents while they scan. */
    private static final int FIRST_IN_ORDER_MAX = 100;
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMongoBackend.class);
    /** MongoDB's ShutdownInProgress: the driver marks the server unusable, as for a server going away. */
    private static final int STORE_CLOSED_CODE = 91;

    private final String location;
    /** Set by {@link #close()}: a store closed through it did not close itself. */
    private volatile boolean closing;
    private final AtomicBoolean closedReported = new AtomicBoolean();

    /** @param file the H2 file, or null for a store in memory; its page cache fitted to this JVM's heap */
    public EmbeddedMongoBackend(String file) {
        this(file, pageCacheMegabytes(Runtime.getRuntime().maxMemory()));
    }

    /** @param pageCacheMegabytes H2's page cache of a file store (H2's own estimate of its pages' heap) */
    EmbeddedMongoBackend(String file, int pageCacheMegabytes) {
        super(new MVStore.Builder().fileName(file).cacheSize(pageCacheMegabytes).open());
        this.location = file == null ? "in memory" : file;
    }

    /**
     * H2's default page cache (16 MB) from a heap of 512 MB up; a 32nd of a smaller heap, at least 4 MB. The
     * pipeline's per-user collections are read and written at random, so at a million users almost every page an
     * upsert needs is a miss whatever the cache, and the cached pages only live long enough to fill the old
     * generation: with sessions and funnels on a 256 MB heap spent about half its time in collections
     * (docs/operations.md, "A 512 MB box").
     */
    static int pageCacheMegabytes(long maxHeapBytes) {
        return (int) Math.max(4, Math.min(16, maxHeapBytes / 32 / (1024 * 1024)));
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        return new Database(databaseName, getMvStore(), getCursorRegistry());
    }

    @Override
    public Document handleCommand(Channel channel, String database, String command, Document query) {
        if (storeClosedItself()) {
            return storeClosed(null);
        }
        try {
            Document result = super.handleCommand(channel, database, command, query);
            if (WRITES.contains(command) && !isInMemory()) {
                commit();
            }
            return result;
        } catch (RuntimeException e) {
            if (storeClosedItself()) {
                return storeClosed(e);
            }
            throw e;
        }
    }

    /**
     * True once H2 has given the store up by itself ({@code MVStore.panic}, which closes it) or closed it otherwise
     * than through {@link #close()}: nothing can be read or written any more.
     */
    public boolean storeClosedItself() {
        MVStore store = getMvStore();
        return store.getPanicException() != null || (!closing && store.isClosed());
    }

    /** What every command answers once the store has closed itself; logged once, at ERROR. */
    private String storeClosedMessage() {
        return "The embedded MongoDB store (" + location + ") has closed itself after a failure and takes no more"
                + " reads or writes: aggregates are not being written and no offset is committed. Restart the app,"
                + " with a larger heap (-Xmx) or with mongodb.uri set to an external MongoDB";
    }

    private Document storeClosed(RuntimeException failure) {
        String message = storeClosedMessage();
        if (closedReported.compareAndSet(false, true)) {
            Throwable panic = getMvStore().getPanicException();
            Throwable cause = panic != null ? panic : failure;
            if (cause == null) {
                LOG.error(message);
            } else {
                LOG.error("{}. H2: {}", message, rootCause(cause).toString(), cause);
            }
        }
        return new Document("ok", 0).append("errmsg", message).append("code", STORE_CLOSED_CODE)
                .append("codeName", "ShutdownInProgress");
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    @Override
    public void close() {
        closing = true;
        MVStore store = getMvStore();
        if (store.getPanicException() != null) {
            // a store H2 gave up and nothing has committed since: H2's close would commit, and that commit closes
            // the store again from inside the close and spins there (a thread at 100 % CPU, the app's stop never
            // ends); closing it at once, as H2 does after a panic, writes nothing, and what was committed stays
            store.closeImmediately();
        }
        super.close();
    }

    private final class Database extends H2Database {

        Database(String databaseName, MVStore store, CursorRegistry cursorRegistry) {
            super(databaseName, store, cursorRegistry);
        }

        @Override
        protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
            // same map names as H2Database, so existing files open unchanged; MixedKeyDataType as _ids may mix types
            String namespace = getFullCollectionNamespace(collectionName);
            MVStore store = getMvStore();
            MVMap<Object, Document> documents = store.openMap("databases." + namespace,
                    new MVMap.Builder<Object, Document>().keyType(MixedKeyDataType.INSTANCE)
                            .valueType(new BsonDocumentDataType()));
            return new Collection(this, collectionName, options, documents, store.openMap("meta." + namespace),
                    cursorRegistry);
        }

        @Override
        protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys,
                                                        boolean sparse) {
            // H2Database's map name, so dropping the index or the collection removes it as before
            String mapName = getFullCollectionNamespace(collectionName) + "._index_" + indexName;
            return PlainKeyUniqueIndex.open(getMvStore(), mapName, indexName, keys, sparse);
        }
    }

    private static final class Collection extends H2Collection {

        private final MVMap<Object, Document> dataMap;

        Collection(MongoDatabase database, String collectionName, CollectionOptions options,
                   MVMap<Object, Document> dataMap, MVMap<String, Object> metaMap, CursorRegistry cursorRegistry) {
            super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
            this.dataMap = dataMap;
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit,
                                             int batchSize, Document fieldSelector) {
            Object id = query.get(ID);
            Stream<Document> candidates;
            if (id instanceof String && ID.equals(getIdField())) {
                // H2Collection keys its documents by _id, and a string is its own index key: skip the index
                candidates = Stream.ofNullable(dataMap.get(id));
            } else if (query.size() > 1 && id != null && !(id instanceof Document) && !(id instanceof List)) {
                QueryResult byId = super.queryDocuments(new Document(ID, id), null, 0, 0, 0, null);
                candidates = StreamSupport.stream(byId.spliterator(), false);
            } else {
                return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
            }
            return matchDocumentsFromStream(candidates, query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }

        /**
         * A sorted query with a small limit (the summary's most and least interacted item) keeps only its first
         * documents as it scans, instead of sorting all matches: upstream has no sorted index to walk.
         */
        @Override
        protected QueryResult matchDocumentsFromStream(Document query, Stream<Document> documents, int numberToSkip,
                                                       int limit, int batchSize, Comparator<Document> order,
                                                       Document fieldSelector) {
            if (order == null || limit <= 0 || (long) numberToSkip + limit > FIRST_IN_ORDER_MAX) {
                return super.matchDocumentsFromStream(query, documents, numberToSkip, limit, batchSize, order,
                        fieldSelector);
            }
            List<Document> first = FirstInOrder.first(
                    documents.filter(document -> documentMatchesQuery(document, query)).iterator(), order,
                    numberToSkip + limit);
            return super.matchDocumentsFromStream(query, first.stream(), numberToSkip, limit, batchSize, null,
                    fieldSelector);
        }

        @Override
        public synchronized Document updateDocuments(Document selector, Document update, ArrayFilters arrayFilters,
                                                     boolean isMulti, boolean isUpsert, Oplog oplog) {
            Document result = isMulti || !arrayFilters.isEmpty() ? null : updateSimply(selector, update, isUpsert, oplog);
            return result != null ? result : super.updateDocuments(selector, update, arrayFilters, isMulti, isUpsert, oplog);
        }

        /**
         * A {@link SimpleUpdate} of the document with a string {@code _id}, answered as upstream answers it;
         * null when upstream has to do it (nothing has been changed then).
         */
        private Document updateSimply(Document selector, Document update, boolean isUpsert, Oplog oplog) {
            if (!(selector.get(ID) instanceof String id) || !ID.equals(getIdField())) {
                return null;
            }
            SimpleUpdate simple = SimpleUpdate.parse(update);
            if (simple == null || !simple.leavesKeysOf(getIndexes())) {
                return null;
            }
            Document stored = dataMap.get(id);
            if (stored != null && documentMatchesQuery(stored, selector)) {
                return updateStored(id, stored, simple, selector, update, oplog);
            }
            if (isUpsert && SimpleUpdate.insertsOnlyTheId(selector)) {
                return insert(id, simple, oplog);
            }
            return null;
        }

        private Document updateStored(String id, Document stored, SimpleUpdate simple, Document selector,
                                      Document update, Oplog oplog) {
            SimpleUpdate.Applied applied;
            try {
                applied = simple.applyTo(stored);
            } catch (IllegalArgumentException notEncodable) {
                return null; // a stored value BSON cannot hold: upstream fails to count its size, with its error
            }
            if (applied == null) {
                return null;
            }
            if (applied.changed()) {
                // the _id index keeps its position (the _id, H2Collection's key); leavesKeysOf: no index changes
                if (tracksDataSize() && applied.sizeDelta() != 0) {
                    updateDataSize(applied.sizeDelta());
                }
                handleUpdate(id, stored, applied.document());
            }
            oplog.handleUpdate(getFullName(), selector, update, applied.modified() ? List.of(id) : List.of());
            return new Document("n", 1).append("nModified", applied.modified() ? 1 : 0);
        }

        private Document insert(String id, SimpleUpdate simple, Oplog oplog) {
            Document inserted = simple.insert(id);
            if (inserted == null) {
                return null;
            }
            addDocument(inserted); // upstream's checks: a duplicate _id (the replay guard) fails here, as before
            oplog.handleInsert(getFullName(), List.of(inserted));
            return new Document("upserted", id).append("n", 0).append("nModified", 0);
        }
    }
}
