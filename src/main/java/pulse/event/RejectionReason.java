package pulse.event;

/** Why an event was sent to the dead-letter topic; the name travels in the {@code dlq.reason} header. */
public enum RejectionReason {
    EMPTY_VALUE,
    TOO_LARGE,
    MALFORMED_JSON,
    NOT_AN_OBJECT,
    MISSING_FIELD,
    NULL_FIELD,
    WRONG_TYPE,
    INVALID_ID,
    UNKNOWN_TYPE,
    UNSUPPORTED_SCHEMA_VERSION,
    INVALID_TIMESTAMP,
    TIMESTAMP_IN_FUTURE,
    TIMESTAMP_TOO_OLD
}
