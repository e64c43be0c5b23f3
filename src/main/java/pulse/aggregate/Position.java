package pulse.aggregate;

/** A record's place in the topic: partition and offset. */
public record Position(int partition, long offset) {
}
