package pulse.event;

/**
 * A valid event together with where it was read from. The partition and offset make every aggregate
 * update replay-safe: a document remembers the last offset folded into it, per partition.
 */
public record ConsumedEvent(InteractionEvent event, int partition, long offset) {
}
