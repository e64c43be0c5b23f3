package pulse.embedded;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.OnCamelContextStarting;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.LifecycleStrategySupport;
import pulse.config.ResolvedProperties;
import pulse.config.Settings;

/**
 * Begins the embedded default before Camel Main configures anything, lets Camel configure itself while the servers
 * start (their addresses are known from the start), waits for them when the context starts, and stops them after
 * Camel has stopped.
 */
public class EmbeddedInfrastructureListener extends MainListenerSupport implements AutoCloseable {

    private EmbeddedInfrastructure infrastructure;

    @Override
    public synchronized void beforeConfigure(BaseMainSupport main) {
        PropertiesComponent properties = main.getCamelContext().getPropertiesComponent();
        EmbeddedInfrastructure begun = EmbeddedInfrastructure.beginAsConfigured(new Settings(properties::resolveProperty));
        infrastructure = begun;
        // wins over -Dmongodb.uri=embedded and MONGODB_URI=embedded too, which Camel reads before override properties
        begun.addresses().forEach((key, address) ->
                ResolvedProperties.resolve(properties, key, EmbeddedInfrastructure.EMBEDDED, address));
        // before any component, route or start-up work uses them; a server that could not start fails the start here
        main.getCamelContext().addLifecycleStrategy(LifecycleStrategySupport.adapt(
                (OnCamelContextStarting) context -> awaitReady(begun)));
    }

    private static void awaitReady(EmbeddedInfrastructure begun) {
        try {
            begun.awaitReady();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("The embedded infrastructure did not start: " + e.getMessage(), e);
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
