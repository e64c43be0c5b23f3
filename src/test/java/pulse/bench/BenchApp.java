package pulse.bench;

import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import pulse.Application;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The real application in this JVM ({@link Application#create()}, the same configuration class, routes and
 * application.properties as {@code mvn camel:run}), with property overrides.
 */
final class BenchApp implements AutoCloseable {

    private final Main main;
    final Map<String, String> overrides;
    /** System.nanoTime() just before and just after Camel Main started. */
    final long startNanos;
    final long startedNanos;

    private BenchApp(Main main, Map<String, String> overrides, long startNanos, long startedNanos) {
        this.main = main;
        this.overrides = overrides;
        this.startNanos = startNanos;
        this.startedNanos = startedNanos;
    }

    static BenchApp start(Map<String, String> overrides) {
        Main main = Application.create();
        overrides.forEach(main::addOverrideProperty);
        long start = System.nanoTime();
        try {
            main.start();
        } catch (Exception e) {
            try {
                main.stop();
            } catch (Exception ignored) {
                // already failing
            }
            throw new IllegalStateException("The app did not start: " + e.getMessage(), e);
        }
        return new BenchApp(main, new LinkedHashMap<>(overrides), start, System.nanoTime());
    }

    CamelContext context() {
        return main.getCamelContext();
    }

    <T> T bean(String name, Class<T> type) {
        T bean = context().getRegistry().lookupByNameAndType(name, type);
        if (bean == null) {
            throw new IllegalStateException("No bean '" + name + "' of type " + type.getName() + " in the app's registry");
        }
        return bean;
    }

    void stopRoute(String routeId) {
        try {
            context().getRouteController().stopRoute(routeId);
        } catch (Exception e) {
            throw new IllegalStateException("Could not stop route " + routeId, e);
        }
    }

    double startupSeconds() {
        return (startedNanos - startNanos) / 1e9;
    }

    @Override
    public void close() {
        main.stop();
    }
}
