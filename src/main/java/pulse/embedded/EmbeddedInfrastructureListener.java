package pulse.embedded;

import org.apache.camel.component.properties.DefaultPropertiesParser;
import org.apache.camel.component.properties.PropertiesLookup;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import pulse.config.Settings;

import java.util.Map;

/** Starts the embedded default before Camel Main configures anything, and stops it after Camel has stopped. */
public class EmbeddedInfrastructureListener extends MainListenerSupport implements AutoCloseable {

    private EmbeddedInfrastructure infrastructure;

    @Override
    public synchronized void beforeConfigure(BaseMainSupport main) {
        PropertiesComponent properties = main.getCamelContext().getPropertiesComponent();
        infrastructure = EmbeddedInfrastructure.startAsConfigured(new Settings(properties::resolveProperty));
        useEmbeddedAddresses(properties, infrastructure.addresses());
    }

    /**
     * Makes {@code kafka.brokers} and {@code mongodb.uri} resolve to the embedded servers' addresses wherever they
     * say {@code embedded}: in application.properties, as a system property or as an environment variable. Camel
     * reads environment variables and system properties before its override properties, so an override would lose
     * to {@code -Dmongodb.uri=embedded}; the parser's hook sees every resolved value, whatever its source.
     */
    static void useEmbeddedAddresses(PropertiesComponent properties, Map<String, String> addresses) {
        if (addresses.isEmpty()) {
            return;
        }
        if (!(properties instanceof org.apache.camel.component.properties.PropertiesComponent component)) {
            throw new IllegalStateException("Cannot hand the embedded servers' addresses to " + properties.getClass().getName());
        }
        component.setPropertiesParser(new EmbeddedAddresses(component, addresses));
    }

    /** Replaces the value {@code embedded} of the given keys with the embedded server's address. */
    private static final class EmbeddedAddresses extends DefaultPropertiesParser {

        private final Map<String, String> addresses;

        EmbeddedAddresses(org.apache.camel.component.properties.PropertiesComponent component, Map<String, String> addresses) {
            super(component);
            this.addresses = Map.copyOf(addresses);
        }

        @Override
        public String parseProperty(String key, String value, PropertiesLookup properties) {
            String address = addresses.get(key);
            if (address != null && value != null && EmbeddedInfrastructure.EMBEDDED.equalsIgnoreCase(value.trim())) {
                return address;
            }
            return super.parseProperty(key, value, properties);
        }
    }

    @Override
    public void afterStop(BaseMainSupport main) {
        close();
    }

    /** Idempotent: also called when Camel failed to start and never stopped. */
    @Override
    public synchronized void close() {
        if (infrastructure != null) {
            infrastructure.close();
            infrastructure = null;
        }
    }
}
