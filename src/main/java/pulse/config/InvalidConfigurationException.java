package pulse.config;

/** A configuration problem, always naming the property to change. */
public class InvalidConfigurationException extends RuntimeException {

    private final String property;

    public InvalidConfigurationException(String property, String problem) {
        super("Invalid configuration: " + property + " " + problem);
        this.property = property;
    }

    public String property() {
        return property;
    }
}
