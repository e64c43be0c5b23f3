package pulse.api;

/** A request parameter the API cannot serve; answered with HTTP 400 and the message. */
public class ApiParameterException extends IllegalArgumentException {

    public ApiParameterException(String message) {
        super(message);
    }
}
