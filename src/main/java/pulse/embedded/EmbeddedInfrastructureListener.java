package pulse.embedded;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import pulse.config.ResolvedProperties;
import pulse.config.Settings;

/** Starts the embedded default before Camel Main configures anything, and stops it after Camel has stopped. */
public class EmbeddedInfrastructureListener extends MainListenerSupport implements AutoCloseable {

    private EmbeddedInfrastructure infrastructure;

    @Override
    public synchronized void beforeConfigure(BaseMainSupport main) {
        PropertiesComponent properties = main.getCamelContext().getPropertiesComponent();
        infrastructure = EmbeddedInfrastructure.startAsConfigured(new Settings(properties::resolveProperty));
        // wins over -Dmongodb.uri=embedded and MONGODB_URI=embedded too, which Camel reads before override properties
        infrastructure.addresses().forEach((key, address) ->
                ResolvedProperties.resolve(properties, key, EmbeddedInfrastructure.EMBEDDED, address));
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
