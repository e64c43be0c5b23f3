package pulse.kafka;

/** A consumed record that cannot be aggregated, on its way to the dead-letter topic with the reason. */
public record RejectedRecord(KafkaRecord record, String reason, String detail) {
}
