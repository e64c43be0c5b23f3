package pulse.config;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;

import java.util.List;

/**
 * Camel prints the value of every property placeholder it resolves at DEBUG, unmasked: {@code DefaultPropertiesParser}
 * and the app's subclass of it, {@link ResolvedProperties} ("Found an OS environment property: mongodb.uri with value:
 * ...") and {@code DefaultCamelContextExtension}
 * ("Resolved text: {{env:...}} -> ..."). {@code mongodb.uri} carries MongoDB's credentials and the Kafka JAAS config
 * its password, so these loggers, which print nothing else at DEBUG, are kept at INFO whatever the log configuration
 * asks (a configuration reloaded while the app runs would undo it until the next start).
 */
public final class PropertyValueLogging {

    static final List<String> LOGGERS = List.of(
            "org.apache.camel.component.properties",
            // a DefaultPropertiesParser logs under its own class's name
            ResolvedProperties.class.getName(),
            "org.apache.camel.impl.engine.DefaultCamelContextExtension");

    private PropertyValueLogging() {
    }

    public static void neverBelowInfo() {
        try {
            for (String logger : LOGGERS) {
                if (!LogManager.getLogger(logger).getLevel().isMoreSpecificThan(Level.INFO)) {
                    Configurator.setLevel(logger, Level.INFO);
                }
            }
        } catch (LinkageError | RuntimeException e) {
            // not log4j-core underneath: that backend's configuration decides
        }
    }
}
