package pulse.pipeline;

import org.junit.jupiter.api.Test;
import pulse.aggregate.RecordPosition;
import pulse.aggregate.Rollup;
import pulse.aggregate.Rollups;
import pulse.event.EventJson;
import pulse.event.EventParser;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;
import pulse.event.InvalidEventException;
import pulse.event.ValidationOptions;
import pulse.kafka.KafkaRecord;
import pulse.kafka.RejectedRecord;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;

class RecordFolderTest {

    private static final EventParser PARSER = new EventParser(ValidationOptions.defaults(), Clock.systemUTC());

    private static KafkaRecord record(long offset, byte[] value) {
        return new KafkaRecord("interactions", 2, offset, "alice", value);
    }

    private static byte[] valid(String eventId) {
        return EventJson.toBytes(new InteractionEvent(eventId, InteractionEvent.CURRENT_SCHEMA_VERSION, "alice", "item-1",
                InteractionType.VIEW, Instant.now()));
    }

    @Test
    void foldsValidRecordsAndRejectsTheOthersWithReasonPositionAndOriginalBytes() {
        byte[] truncated = "{\"event_id\":\"e".getBytes(StandardCharsets.UTF_8);
        RecordFolder folder = new RecordFolder(new RecordValidator(PARSER), Rollups.DEFAULT);

        FoldedRecords folded = folder.fold(List.of(record(10, valid("e1")), record(11, truncated), record(12, valid("e2")),
                record(13, new byte[0])));

        assertThat(folded.getDelta().events()).extracting(e -> e.offset()).containsExactly(10L, 12L);
        assertThat(folded.getDelta().deltas(Rollup.USERS)).singleElement().satisfies(d -> assertThat(d.total()).isEqualTo(2));
        assertThat(folded.getDelta().rejectedPositions()).containsExactly(new RecordPosition(2, 11), new RecordPosition(2, 13));
        assertThat(folded.getRejected()).extracting(RejectedRecord::reason).containsExactly("MALFORMED_JSON", "EMPTY_VALUE");
        assertThat(folded.getRejected().get(0).record().value()).isSameAs(truncated);
        assertThat(folded.getRejected().get(0).detail()).isNotBlank();
    }

    @Test
    void aParserFailureNobodyForesawRejectsTheRecordInsteadOfStoppingTheBatch() {
        EventParser broken = new EventParser(ValidationOptions.defaults(), Clock.systemUTC()) {
            @Override
            public InteractionEvent parse(byte[] value, LongSupplier recordTimestamp, Function<String, byte[]> headers)
                    throws InvalidEventException {
                if (value.length == 1) {
                    throw new IllegalStateException("a bug");
                }
                return super.parse(value, recordTimestamp, headers);
            }
        };
        RecordFolder folder = new RecordFolder(new RecordValidator(broken), Rollups.DEFAULT);

        FoldedRecords folded = folder.fold(List.of(record(1, new byte[] {'x'}), record(2, valid("e2"))));

        assertThat(folded.getDelta().events()).hasSize(1);
        assertThat(folded.getRejected()).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(RecordFolder.PROCESSING_ERROR);
            assertThat(r.detail()).contains("a bug");
        });
    }
}
