package pulse.embedded.mongo;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;
import org.h2.mvstore.type.ObjectDataType;

import java.nio.ByteBuffer;

/**
 * Stores documents as BSON, MongoDB's own encoding, instead of H2's default Java serialisation.
 *
 * <p>Java serialisation writes class descriptors with every document and is the slowest part of both a commit
 * (every document of every changed page is written again) and a read of a page that fell out of H2's cache.
 * BSON is what the server already encodes and decodes for every client, several times smaller and faster.
 *
 * <p>A BSON value starts with a tag that H2's {@link ObjectDataType} never writes; any other value is read as
 * {@code ObjectDataType} wrote it, so data files of earlier versions (Java-serialised documents) stay readable and
 * are rewritten as BSON page by page. A document BSON cannot hold (a Java type that never came from the wire) is
 * written as before. Dates keep millisecond precision, as in MongoDB. One instance per map: it keeps the map's
 * average document size. The pipeline's documents are encoded by {@link DocumentBson}, to the same bytes.
 */
final class BsonDocumentDataType extends BasicDataType<Document> {

    /** Not a tag of ObjectDataType, whose tags are 0-19, 32-49 and 64-119. */
    private static final byte BSON = 127;

    /**
     * H2 sizes its page cache (16 MB) by these estimates. Upstream's was the average Java-serialised size, about
     * 3.5 times the BSON size of the pipeline's documents (and half their size on the heap); estimating 4 times the
     * average BSON size keeps the cache at most as large on the heap as it was.
     */
    private static final int HEAP_BYTES_PER_BSON_BYTE = 4;

    /** A moving average, as upstream's; updated without synchronisation because a stale value is harmless. */
    private int averageBsonSize = 256;

    @Override
    public int getMemory(Document document) {
        return HEAP_BYTES_PER_BSON_BYTE * averageBsonSize;
    }

    /** The common types' encoder, per thread: H2 serialises pages on its own threads and on the committing one. */
    private static final ThreadLocal<DocumentBson> ENCODER = ThreadLocal.withInitial(DocumentBson::new);

    @Override
    public void write(WriteBuffer buffer, Document document) {
        DocumentBson fast = ENCODER.get();
        if (fast.encode(document)) {
            int length = fast.size();
            buffer.put(BSON).putVarInt(length).put(fast.bytes(), 0, length);
            fast.release();
            averageBsonSize = (averageBsonSize * 15 + length) / 16;
            return;
        }
        ByteBuf bson = Unpooled.buffer(2 * averageBsonSize);
        try {
            BsonEncoder.encodeDocument(document, bson);
        } catch (IllegalArgumentException notBson) {
            new ObjectDataType().write(buffer, document);
            return;
        }
        int length = bson.readableBytes();
        buffer.put(BSON).putVarInt(length).put(bson.array(), bson.arrayOffset(), length);
        averageBsonSize = (averageBsonSize * 15 + length) / 16;
    }

    @Override
    public Document read(ByteBuffer buffer) {
        if (buffer.get(buffer.position()) != BSON) {
            return (Document) new ObjectDataType().read(buffer); // Java-serialised, by an earlier version
        }
        buffer.get();
        int length = DataUtils.readVarInt(buffer);
        ByteBuffer bson = buffer.slice();
        bson.limit(length);
        buffer.position(buffer.position() + length);
        return BsonDecoder.decodeBson(Unpooled.wrappedBuffer(bson));
    }

    @Override
    public Document[] createStorage(int size) {
        return new Document[size];
    }
}
