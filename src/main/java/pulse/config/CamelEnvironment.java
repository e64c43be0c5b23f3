package pulse.config;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kafka options from environment variables, by the app's own rule (upper case, {@code .} and {@code -} become
 * {@code _}): {@code CAMEL_COMPONENT_KAFKA_SASL_JAAS_CONFIG} sets {@code camel.component.kafka.sasl-jaas-config}.
 * Camel Main 4.18 does not: it looks for {@code camel.component.} at the start of upper-cased variable names, which
 * never matches, and its own mapping would make {@code sasl.jaas.config} of it, which names no option. This is how
 * credentials (the JAAS config) reach the Kafka clients without a file or a command line.
 *
 * <p>The property holds a placeholder, {@code {{env:NAME}}}, not the value: Camel Main prints every component
 * property it sets at DEBUG, unmasked, and prints this one as the placeholder; the value is looked up when the option
 * is bound, on a logger kept at INFO ({@link PropertyValueLogging}).
 */
public final class CamelEnvironment {

    static final String KAFKA_PREFIX = "CAMEL_COMPONENT_KAFKA_";

    private CamelEnvironment() {
    }

    /** The {@code camel.component.kafka.*} properties the environment sets, by property name, each as its placeholder. */
    public static Map<String, String> kafkaComponentProperties(Map<String, String> environment) {
        Map<String, String> properties = new TreeMap<>();
        environment.forEach((name, value) -> {
            String upper = name.toUpperCase(Locale.ROOT);
            if (upper.startsWith(KAFKA_PREFIX) && upper.length() > KAFKA_PREFIX.length()) {
                String option = upper.substring(KAFKA_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-');
                properties.put("camel.component.kafka." + option, "{{env:" + name + "}}");
            }
        });
        return properties;
    }
}
