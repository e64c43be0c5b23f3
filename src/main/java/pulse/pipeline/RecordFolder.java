package pulse.pipeline;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pulse.aggregate.BatchDelta;
import pulse.aggregate.RecordPosition;
import pulse.aggregate.Rollups;
import pulse.event.ConsumedEvent;
import pulse.event.DuplicateFilter;
import pulse.event.InvalidEventException;
import pulse.kafka.KafkaRecord;
import pulse.kafka.RejectedRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * Validates records and folds the valid ones into a {@link BatchDelta}, leaving out duplicates of events already
 * counted; every other record is rejected with the reason, never failing the batch. One call per partition of a
 * consumed batch: no per-record exchange.
 */
public class RecordFolder {

    private static final Logger LOG = LoggerFactory.getLogger(RecordFolder.class);
    /** A record the parser failed on in an unforeseen way: a bug, but the record must not stop the pipeline. */
    public static final String PROCESSING_ERROR = "PROCESSING_ERROR";

    private final RecordValidator validator;
    private final Rollups rollups;
    private final DuplicateFilter duplicates;

    public RecordFolder(RecordValidator validator, Rollups rollups) {
        this(validator, rollups, DuplicateFilter.off());
    }

    /** @param duplicates which valid events repeat one already counted, to be dropped ({@code dedup.horizon}) */
    public RecordFolder(RecordValidator validator, Rollups rollups, DuplicateFilter duplicates) {
        this.validator = validator;
        this.rollups = rollups;
        this.duplicates = duplicates;
    }

    public FoldedRecords fold(List<KafkaRecord> records) {
        BatchDelta delta = new BatchDelta(rollups);
        List<RejectedRecord> rejected = new ArrayList<>();
        for (KafkaRecord record : records) {
            try {
                ConsumedEvent event = validator.validate(record);
                if (duplicates.isDuplicate(event)) {
                    delta.dropDuplicate(new RecordPosition(record.partition(), record.offset()));
                } else {
                    delta.add(event);
                }
            } catch (InvalidEventException e) {
                delta.reject(new RecordPosition(record.partition(), record.offset()));
                rejected.add(new RejectedRecord(record, e.reason().name(), e.detail()));
            } catch (RuntimeException e) {
                LOG.error("Unexpected error validating {}-{}@{}; sending it to the dead-letter topic", record.topic(),
                        record.partition(), record.offset(), e);
                delta.reject(new RecordPosition(record.partition(), record.offset()));
                rejected.add(new RejectedRecord(record, PROCESSING_ERROR, String.valueOf(e)));
            }
        }
        return new FoldedRecords(delta, rejected);
    }
}
