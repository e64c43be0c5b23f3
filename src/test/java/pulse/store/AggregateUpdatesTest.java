package pulse.store;

import com.mongodb.client.model.UpdateOneModel;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.DocumentCodec;
import org.junit.jupiter.api.Test;
import pulse.aggregate.DocumentDelta;
import pulse.aggregate.Rollup;
import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;
import pulse.event.InteractionTypes;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guarded upserts written straight to BSON are, byte for byte, the documents the upserts were built as before
 * (plain {@link Document}s encoded by the driver's {@link DocumentCodec}), which MongoDB and the embedded server
 * answer as before.
 */
class AggregateUpdatesTest {

    private static final DocumentCodec CODEC = new DocumentCodec();

    @Test
    void everyRollupsUpsertIsTheDocumentCodecsEncodingOfThePlainDocuments() {
        Random random = new Random(3);
        Instant start = Instant.parse("2026-12-03T09:00:00Z");
        List<InteractionType> types = InteractionTypes.DEFAULT.all();
        for (Rollup rollup : List.of(Rollup.USERS, Rollup.ITEMS, Rollup.WINDOWS, Rollup.ITEM_WINDOWS)) {
            for (int round = 0; round < 50; round++) {
                String id = switch (rollup.kind()) {
                    case ITEM_WINDOWS -> "2026-12-03T09:00/item-é" + round;
                    case WINDOWS -> "2026-12-03T09:00";
                    default -> "id-" + round;
                };
                DocumentDelta delta = new DocumentDelta(id);
                int events = 1 + random.nextInt(20);
                long[] offsets = new long[6];
                for (int i = 0; i < events; i++) {
                    int partition = random.nextInt(1 + round % 6);
                    offsets[partition] += 1 + random.nextInt(1_000_000);
                    ConsumedEvent event = new ConsumedEvent(new InteractionEvent("e" + i, 1, "user-" + i, "item-" + i,
                            types.get(random.nextInt(types.size() - 1)), // one type never occurs: a zero count
                            start.plusMillis(random.nextInt(59_000))), partition, offsets[partition] + (1L << 33));
                    if (rollup.isWindowed() && random.nextInt(5) == 0) {
                        delta.addLate(event);
                    } else {
                        delta.add(event);
                    }
                }
                UpdateOneModel<Document> model = AggregateUpdates.upsert(rollup, delta, InteractionTypes.DEFAULT);
                assertThat(bytes(model.getFilter())).as("%s filter", rollup).isEqualTo(encoded(plainFilter(delta)));
                assertThat(bytes(model.getUpdate())).as("%s update", rollup).isEqualTo(encoded(plainUpdate(rollup, delta)));
            }
        }
    }

    private static byte[] bytes(Object document) {
        RawBsonDocument raw = (RawBsonDocument) document;
        var buffer = raw.getByteBuffer();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static byte[] encoded(Document document) {
        return bytes(new RawBsonDocument(document, CODEC));
    }

    /** The filter as the upserts built it before. */
    private static Document plainFilter(DocumentDelta delta) {
        Document filter = new Document("_id", delta.id());
        delta.offsets().forEach((partition, range) -> filter.append(AggregateUpdates.offsetField(partition),
                new Document("$not", new Document("$gte", range.first()))));
        return filter;
    }

    /** The update as the upserts built it before. */
    private static Document plainUpdate(Rollup rollup, DocumentDelta delta) {
        Document inc = new Document("total", delta.total());
        for (InteractionType type : InteractionTypes.DEFAULT.all()) {
            inc.append("byType." + type.name(), delta.count(type));
        }
        Document set = new Document();
        delta.offsets().forEach((partition, range) -> set.append(AggregateUpdates.offsetField(partition), range.last()));
        Document update = new Document("$inc", inc).append("$set", set);
        if (rollup.isWindowed()) {
            inc.append("lateEvents", delta.late());
            Instant windowStart = rollup.windowStart(delta.firstSeen());
            Document setOnInsert = new Document("windowStart", Date.from(windowStart))
                    .append("windowEnd", Date.from(rollup.windowEnd(windowStart)));
            if (rollup.kind() == Rollup.Kind.ITEM_WINDOWS) {
                setOnInsert.append("itemId", delta.id().substring(delta.id().indexOf('/') + 1));
            }
            update.append("$setOnInsert", setOnInsert);
        } else {
            update.append("$min", new Document("firstSeen", Date.from(delta.firstSeen())))
                    .append("$max", new Document("lastSeen", Date.from(delta.lastSeen())))
                    .append("$setOnInsert", new Document("origin", new Document("partition", delta.origin().partition())
                            .append("offset", delta.origin().offset())));
        }
        return update;
    }
}
