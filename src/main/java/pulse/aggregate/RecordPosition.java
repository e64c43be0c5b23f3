package pulse.aggregate;

/** A record's place in the topic: partition and offset. */
public record RecordPosition(int partition, long offset) {
}
