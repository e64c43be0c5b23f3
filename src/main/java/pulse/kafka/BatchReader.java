package pulse.kafka;

import org.apache.camel.Exchange;

import java.util.List;

/** Reads the route's camel-kafka batches, knowing the size they are cut at (to tell a full batch from a timed one). */
public class BatchReader {

    private final int maxRecords;

    public BatchReader(int maxRecords) {
        this.maxRecords = maxRecords;
    }

    public KafkaBatch read(List<Exchange> batch) {
        return KafkaBatch.read(batch, maxRecords);
    }
}
