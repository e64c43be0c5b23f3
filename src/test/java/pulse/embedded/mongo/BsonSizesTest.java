package pulse.embedded.mongo;

import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A field's size is what the encoder writes for it, so the collection's data size stays upstream's. */
class BsonSizesTest {

    @Test
    void countsWhatTheEncoderWrites() {
        List<Object> values = List.of(1, 2L, 2.5, -0.0, "", "ascii", "é ✓ 𝄞", "lone \uD800 surrogate", "\uDC00", true,
                Instant.ofEpochMilli(1_764_280_000_123L),
                new Document("a", 1).append("b", new Document("c", "ü").append("d", Instant.EPOCH)),
                new Document(), new ObjectId(), List.of(1, "two"), new Document("list", List.of(1)),
                new BinData(new byte[0]), new BinData(new byte[8_232]), new Document("sketch", new BinData(new byte[]{1, 2})));
        for (Object value : values) {
            for (String name : List.of("n", "offsets", "ключ", "𝄞")) {
                assertThat(BsonSizes.field(name, value)).as("%s: %s", name, value)
                        .isEqualTo(BsonSizes.encodedSize(new Document(name, value)) - BsonSizes.encodedSize(new Document()));
            }
        }
        Document withNull = new Document("x", null);
        assertThat(BsonSizes.field("x", null)).isEqualTo(BsonSizes.encodedSize(withNull) - BsonSizes.encodedSize(new Document()));
        assertThat(BsonSizes.field("x", Missing.getInstance())).isZero();
    }
}
