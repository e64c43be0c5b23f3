package pulse.event;

/** An event that cannot be aggregated; it goes to the dead-letter topic with {@link #reason()} and the message. */
public class InvalidEventException extends Exception {

    private final RejectionReason reason;

    public InvalidEventException(RejectionReason reason, String detail) {
        super(reason + ": " + detail, null, false, false); // no stack trace: this is data, not a bug
        this.reason = reason;
    }

    public RejectionReason reason() {
        return reason;
    }

    /** The detail without the reason prefix. */
    public String detail() {
        return getMessage().substring(reason.name().length() + 2);
    }
}
