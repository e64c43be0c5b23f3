package pulse.routes;

import pulse.config.PulseOptions;
import pulse.event.EventParser;
import pulse.generator.GeneratedRecord;
import pulse.generator.InteractionGenerator;
import pulse.kafka.KafkaRecord;
import pulse.pipeline.RecordFolder;
import pulse.pipeline.RecordValidator;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** Valid records as the app's generator writes them, on partition 0 from offset 0, and the folder that reads them. */
final class GeneratedRecords {

    static final String TOPIC = "interactions";

    private GeneratedRecords() {
    }

    /** {@code generator.events-per-tick} records. */
    static List<KafkaRecord> onPartition0(PulseOptions options) {
        List<KafkaRecord> records = new ArrayList<>();
        for (GeneratedRecord generated : new InteractionGenerator(options.generator(), Clock.systemUTC()).nextRecords()) {
            records.add(new KafkaRecord(TOPIC, 0, records.size(), generated.key(), generated.value()));
        }
        return records;
    }

    static RecordFolder folder(PulseOptions options) {
        return new RecordFolder(new RecordValidator(new EventParser(options.validation(), options.events(), Clock.systemUTC())),
                options.rollups());
    }
}
