package pulse.pipeline;

import pulse.event.ConsumedEvent;
import pulse.event.EventParser;
import pulse.event.InvalidEventException;
import pulse.kafka.KafkaRecord;

/** Parses and validates a consumed record into an event that knows where it was read from. */
public class RecordValidator {

    private final EventParser parser;

    public RecordValidator(EventParser parser) {
        this.parser = parser;
    }

    public ConsumedEvent validate(KafkaRecord record) throws InvalidEventException {
        return new ConsumedEvent(parser.parse(record.value(), record::timestamp, record::header), record.partition(),
                record.offset());
    }
}
