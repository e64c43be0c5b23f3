package pulse.config;

import org.apache.camel.component.properties.DefaultPropertiesParser;
import org.apache.camel.component.properties.PropertiesLookup;
import org.apache.camel.spi.PropertiesComponent;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Values the app works out at start for a symbolic setting ({@code kafka.brokers=embedded} becomes the embedded
 * broker's address, {@code aggregation.batch.max-records=auto} a number), given to every reader of the property,
 * whichever source said {@code embedded} or {@code auto}: application.properties, a system property or an environment
 * variable. Camel reads environment variables and system properties before its override properties, so an override
 * would lose to {@code -Dmongodb.uri=embedded}; this parser's hook sees every value Camel resolves, whatever its source.
 */
public final class ResolvedProperties extends DefaultPropertiesParser {

    private final Map<String, Map.Entry<String, String>> resolved = new ConcurrentHashMap<>();

    private ResolvedProperties(org.apache.camel.component.properties.PropertiesComponent component) {
        super(component);
    }

    /** From now on, {@code key} resolves to {@code value} wherever it says {@code symbolic} (ignoring case). */
    public static void resolve(PropertiesComponent properties, String key, String symbolic, String value) {
        install(properties).resolved.put(key, Map.entry(symbolic, value));
    }

    private static synchronized ResolvedProperties install(PropertiesComponent properties) {
        if (!(properties instanceof org.apache.camel.component.properties.PropertiesComponent component)) {
            throw new IllegalStateException("Cannot resolve properties of " + properties.getClass().getName());
        }
        if (component.getPropertiesParser() instanceof ResolvedProperties existing) {
            return existing;
        }
        ResolvedProperties parser = new ResolvedProperties(component);
        component.setPropertiesParser(parser);
        return parser;
    }

    @Override
    public String parseProperty(String key, String value, PropertiesLookup properties) {
        Map.Entry<String, String> entry = key == null ? null : resolved.get(key);
        if (entry != null && value != null && entry.getKey().equalsIgnoreCase(value.trim())) {
            return entry.getValue();
        }
        return super.parseProperty(key, value, properties);
    }
}
