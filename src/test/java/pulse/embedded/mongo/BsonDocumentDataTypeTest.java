package pulse.embedded.mongo;

import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Decimal128;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.MaxKey;
import de.bwaldvogel.mongo.bson.MinKey;
import de.bwaldvogel.mongo.bson.ObjectId;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.ObjectDataType;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Documents survive the embedded store's encoding unchanged, type for type, whichever version wrote them. */
class BsonDocumentDataTypeTest {

    private final BsonDocumentDataType type = new BsonDocumentDataType();

    @Test
    void everyBsonTypeReadsBackAsWritten() {
        Document document = new Document("_id", "user-1")
                .append("int", 7).append("long", 7L).append("double", 7.5).append("decimal", Decimal128.ONE)
                .append("string", "é ✓").append("bool", true).append("null", null)
                .append("date", Instant.ofEpochMilli(1_764_280_000_123L)).append("objectId", new ObjectId())
                .append("uuid", UUID.randomUUID()).append("binary", new BinData(new byte[]{1, 2, 3}))
                .append("timestamp", new BsonTimestamp(42L))
                .append("min", MinKey.getInstance()).append("max", MaxKey.getInstance())
                .append("array", new ArrayList<>(List.of(1, "two", new Document("three", 3L))))
                .append("nested", new Document("offsets", new Document("p3", 123_456L)));

        assertThat(roundTrip(document)).containsExactly(document, document);
        assertThat(written(document)[0]).as("tag").isEqualTo((byte) 127);

        Document withRegex = new Document("regex", new BsonRegularExpression("^a", "i"));
        BsonRegularExpression regex = (BsonRegularExpression) roundTrip(withRegex).get(0).get("regex"); // no equals()
        assertThat(regex.getPattern()).isEqualTo("^a");
        assertThat(regex.getOptions()).isEqualTo("i");
    }

    @Test
    void aValueBsonCannotHoldIsJavaSerialisedAsBefore() {
        Document document = new Document("_id", "x").append("float", 1.5f);

        assertThat(roundTrip(document)).containsExactly(document, document);
        assertThat(roundTrip(document).get(0).get("float")).isInstanceOf(Float.class);
    }

    @Test
    void documentsAnEarlierVersionJavaSerialisedAreRead() {
        Document legacy = new Document("_id", "user-1").append("total", 3L).append("lastSeen", Instant.now());
        WriteBuffer buffer = new WriteBuffer();
        ObjectDataType upstream = new ObjectDataType();
        upstream.write(buffer, legacy);
        upstream.write(buffer, legacy);
        ByteBuffer bytes = buffer.getBuffer().flip();

        assertThat(type.read(bytes)).isEqualTo(legacy);
        assertThat(type.read(bytes)).isEqualTo(legacy);
        assertThat(bytes.hasRemaining()).isFalse();
    }

    @Test
    void datesKeepMillisecondsAsInMongoDb() {
        Document document = new Document("_id", "x").append("at", Instant.ofEpochSecond(1_764_280_000L, 123_456_789));

        assertThat(roundTrip(document).get(0).get("at")).isEqualTo(Instant.ofEpochSecond(1_764_280_000L, 123_000_000));
    }

    @Test
    void thePipelinesDocumentsAreEncodedToUpstreamsBytes() {
        Document user = new Document("_id", "user-42").append("total", 17L).append("lateEvents", 0L)
                .append("byType", new Document("view", 14L).append("click", 2L).append("purchase", 1L))
                .append("firstSeen", Instant.ofEpochMilli(1_764_280_000_123L)).append("lastSeen", Instant.now())
                .append("offsets", new Document("3", new Document("first", 12L).append("last", 99_999_999_999L)))
                .append("origin", new Document("partition", 3).append("offset", 12L))
                .append("ratio", 0.125).append("closed", false).append("nothing", null)
                .append("clé ✓", "valeur é ✓ \uD83D\uDE00").append("", "").append("empty", new Document());
        assertSameBytesAsUpstream(user);

        Random random = new Random(42);
        for (int i = 0; i < 2_000; i++) {
            assertSameBytesAsUpstream(randomDocument(random, 3));
        }
    }

    @Test
    void typesTheFastEncoderLeavesToUpstreamAreEncodedByIt() {
        Document document = new Document("_id", new ObjectId()).append("decimal", Decimal128.ONE)
                .append("array", new ArrayList<>(List.of(1, "two"))).append("uuid", UUID.randomUUID())
                .append("timestamp", new BsonTimestamp(42L));
        for (String key : document.keySet()) {
            Document one = new Document("a", 1).append(key, document.get(key));
            assertThat(new DocumentBson().encode(one)).as(key).isFalse();
            assertThat(roundTrip(one)).containsExactly(one, one);
        }
    }

    private static Document randomDocument(Random random, int depth) {
        Document document = new Document();
        int fields = random.nextInt(8);
        for (int i = 0; i < fields; i++) {
            String key = random.nextInt(5) == 0 ? "k\u00e9" + i : "key" + i;
            Object value = switch (random.nextInt(depth > 0 ? 10 : 9)) {
                case 0 -> null;
                case 1 -> random.nextInt();
                case 2 -> random.nextLong();
                case 3 -> random.nextDouble() * 1e6;
                case 4 -> random.nextBoolean() ? "ascii" + random.nextInt() : "\u00fc\u4e2d" + random.nextInt();
                case 5 -> random.nextBoolean();
                case 6 -> Instant.ofEpochMilli(random.nextLong(4_000_000_000_000L));
                case 7 -> "";
                case 8 -> randomBinary(random);
                default -> randomDocument(random, depth - 1);
            };
            document.append(key, value);
        }
        return document;
    }

    /** Generic binary as the wire hands it over (a unique users sketch): empty, small, or larger than the buffer. */
    private static BinData randomBinary(Random random) {
        byte[] data = new byte[random.nextInt(4) == 0 ? 8_000 + random.nextInt(9_000) : random.nextInt(40)];
        random.nextBytes(data);
        return new BinData(data);
    }

    private static void assertSameBytesAsUpstream(Document document) {
        io.netty.buffer.ByteBuf upstream = io.netty.buffer.Unpooled.buffer();
        de.bwaldvogel.mongo.wire.bson.BsonEncoder.encodeDocument(document, upstream);
        byte[] expected = new byte[upstream.readableBytes()];
        upstream.readBytes(expected);
        DocumentBson fast = new DocumentBson();
        assertThat(fast.encode(document)).as("encoded %s", document).isTrue();
        assertThat(Arrays.copyOf(fast.bytes(), fast.size())).as("bytes of %s", document).isEqualTo(expected);
    }

    /** Writes the document twice, as in a page, and reads both back. */
    private List<Document> roundTrip(Document document) {
        WriteBuffer buffer = new WriteBuffer();
        type.write(buffer, document);
        type.write(buffer, document);
        ByteBuffer bytes = buffer.getBuffer().flip();
        List<Document> read = List.of(type.read(bytes), type.read(bytes));
        assertThat(bytes.hasRemaining()).isFalse();
        return read;
    }

    private byte[] written(Document document) {
        WriteBuffer buffer = new WriteBuffer();
        type.write(buffer, document);
        ByteBuffer bytes = buffer.getBuffer().flip();
        return Arrays.copyOf(bytes.array(), bytes.limit());
    }
}
