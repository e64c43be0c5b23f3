package pulse.embedded.mongo;

import de.bwaldvogel.mongo.backend.AbstractUniqueIndex;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.List;
import java.util.Map.Entry;

/**
 * A unique index in an H2 map, like mongo-java-server's {@code H2UniqueIndex}, but with natively comparable keys.
 *
 * <p>{@code H2UniqueIndex} keys its map by {@link KeyValue}, which is neither a type H2 knows nor
 * {@link Comparable}, so H2 compares two keys by Java-serialising both: every step of every B-tree search
 * serialises two objects. Here a key of one string or number (every {@code _id} of the pipeline) is stored as
 * that value, which H2 compares and writes natively; any other key (compound, document, null, ...) is stored as
 * the {@code KeyValue}, exactly as before. The two kinds cannot collide: H2 orders values of different types by
 * type, and a one-string key is never stored as a {@code KeyValue}. Equality stays that of {@code KeyValue}
 * ({@code equals} of the values), which H2's native comparisons of these four types agree with.
 *
 * <p>The map is the one {@code H2UniqueIndex} uses, with the same encoding ({@link MixedKeyDataType}). Opening it
 * converts the keys {@code H2UniqueIndex} wrote that this index keeps plain, so a file written before opens
 * unchanged; after that, mongo-java-server's own {@code H2Backend} would no longer find those keys.
 */
final class PlainKeyUniqueIndex extends AbstractUniqueIndex<Object> {

    private final MVMap<Object, Object> map;

    private PlainKeyUniqueIndex(MVMap<Object, Object> map, String name, List<IndexKey> keys, boolean sparse) {
        super(name, keys, sparse);
        this.map = map;
    }

    /** @param mapName the index's map, as {@code H2Database} names it; keys {@code H2UniqueIndex} wrote are converted */
    static PlainKeyUniqueIndex open(MVStore store, String mapName, String name, List<IndexKey> keys, boolean sparse) {
        MVMap<Object, Object> map = store.openMap(mapName, new MVMap.Builder<>()
                .keyType(MixedKeyDataType.INSTANCE).valueType(MixedKeyDataType.INSTANCE));
        convertUpstreamKeys(map);
        return new PlainKeyUniqueIndex(map, name, keys, sparse);
    }

    /**
     * H2 orders keys by type and Java-serialised objects last, so every {@code KeyValue} is in the map's tail:
     * only that tail is read (usually empty, or a few compound keys). The cursor reads a snapshot, so the map can
     * change under it; putting before removing keeps a crash half-way harmless (the next open finishes the job).
     */
    private static void convertUpstreamKeys(MVMap<Object, Object> map) {
        Cursor<Object, Object> tail = map.cursor(null, null, true);
        while (tail.hasNext() && tail.next() instanceof KeyValue keyValue) {
            Object plain = mapKey(keyValue);
            if (plain != keyValue) {
                map.put(plain, tail.getValue());
                map.remove(keyValue);
            }
        }
    }

    private static Object mapKey(KeyValue key) {
        if (key.size() == 1) {
            Object value = key.get(0);
            if (value instanceof String || value instanceof Double || value instanceof Long || value instanceof Integer) {
                return value;
            }
        }
        return key;
    }

    private static KeyValue keyValue(Object mapKey) {
        return mapKey instanceof KeyValue keyValue ? keyValue : new KeyValue(List.of(mapKey));
    }

    @Override
    protected Object removeDocument(KeyValue keyValue) {
        return map.remove(mapKey(keyValue));
    }

    @Override
    protected boolean putKeyPosition(KeyValue keyValue, Object position) {
        return map.putIfAbsent(mapKey(keyValue), Missing.ofNullable(position)) == null;
    }

    @Override
    protected Iterable<Entry<KeyValue, Object>> getIterable() {
        return () -> map.entrySet().stream()
                .<Entry<KeyValue, Object>>map(entry -> new SimpleImmutableEntry<>(keyValue(entry.getKey()), entry.getValue()))
                .iterator();
    }

    @Override
    protected Object getPosition(KeyValue keyValue) {
        return map.get(mapKey(keyValue));
    }

    @Override
    public long getCount() {
        return map.sizeAsLong();
    }

    @Override
    public boolean isEmpty() {
        return map.isEmpty();
    }

    @Override
    public long getDataSize() {
        return getCount();
    }
}
