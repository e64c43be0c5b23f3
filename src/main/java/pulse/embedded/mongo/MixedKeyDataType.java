package pulse.embedded.mongo;

import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;
import org.h2.mvstore.type.ObjectDataType;

import java.nio.ByteBuffer;

/**
 * H2's default {@link ObjectDataType} (the same encoding and the same order, so maps stay readable either way),
 * safe for a map whose keys are of several types, and quick for two strings or two numbers of one type.
 *
 * <p>{@code ObjectDataType} remembers the type of the last value it saw in a field it reads and writes without
 * synchronisation. In a map of one type that field never changes after the first value; in a map that mixes
 * types it flips while H2's background writer and a query use it at once, and a comparison then fails
 * ("Can not compare") or a value is read as the wrong type. So here no instance is shared between calls.
 */
final class MixedKeyDataType extends BasicDataType<Object> {

    static final MixedKeyDataType INSTANCE = new MixedKeyDataType();

    private MixedKeyDataType() {
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public int compare(Object a, Object b) {
        if (a.getClass() == b.getClass()
                && (a instanceof String || a instanceof Long || a instanceof Double || a instanceof Integer)) {
            return ((Comparable) a).compareTo(b); // what ObjectDataType does for these, without its type lookup
        }
        return new ObjectDataType().compare(a, b);
    }

    @Override
    public int getMemory(Object value) {
        return new ObjectDataType().getMemory(value);
    }

    @Override
    public void write(WriteBuffer buffer, Object value) {
        new ObjectDataType().write(buffer, value);
    }

    @Override
    public void write(WriteBuffer buffer, Object storage, int length) {
        ObjectDataType type = new ObjectDataType(); // one per page: confined to this thread
        Object[] values = (Object[]) storage;
        for (int i = 0; i < length; i++) {
            type.write(buffer, values[i]);
        }
    }

    @Override
    public Object read(ByteBuffer buffer) {
        return new ObjectDataType().read(buffer);
    }

    @Override
    public void read(ByteBuffer buffer, Object storage, int length) {
        ObjectDataType type = new ObjectDataType();
        Object[] values = (Object[]) storage;
        for (int i = 0; i < length; i++) {
            values[i] = type.read(buffer);
        }
    }

    @Override
    public Object[] createStorage(int size) {
        return new Object[size];
    }
}
