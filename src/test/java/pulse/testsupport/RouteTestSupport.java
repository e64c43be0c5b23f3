package pulse.testsupport;

import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import pulse.PulseConfiguration;
import pulse.config.PulseOptions;
import pulse.config.Settings;
import pulse.store.FoldUpserts;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * A route test: the CamelContext set up by Camel Main from the shipped {@code application.properties}, as the app's
 * is, but with only {@link #routes()} listed, no HTTP servers or metrics unless the test turns them on, and the
 * test's {@link #overrides()}. The test binds the routes' beans itself, from the same {@link #options()} the app
 * reads: the app's own configuration would connect to Kafka and MongoDB. The context starts only once the test has
 * advised the routes (AdviceWith swaps the Kafka and MongoDB endpoints for mocks) and calls {@code context.start()}.
 */
public abstract class RouteTestSupport extends CamelMainTestSupport {

    private PulseOptions options;

    /**
     * The RouteBuilders under test, in place of application.properties' list: the one the test is named after
     * ({@code FooRouteTest} tests {@code routes.FooRoute}) unless the test says otherwise. Called from the
     * constructor.
     */
    protected List<Class<? extends RoutesBuilder>> routes() {
        String route = "routes." + getClass().getSimpleName().replaceFirst("Test$", "");
        try {
            return List.of(Class.forName(route).asSubclass(RoutesBuilder.class));
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(getClass().getSimpleName() + " names no route: " + route + " does not exist", e);
        }
    }

    /** What this test changes of {@code application.properties}. Called from the constructor: constants only. */
    protected Map<String, String> overrides() {
        return Map.of();
    }

    @Override
    public void configureTest(TestExecutionConfiguration test) {
        super.configureTest(test);
        test.withUseAdviceWith(true);
    }

    @Override
    public void configureContext(CamelContextConfiguration context) {
        super.configureContext(context);
        Properties properties = new Properties();
        properties.put("camel.main.routes-builder-classes",
                routes().stream().map(Class::getName).collect(Collectors.joining(",")));
        properties.put("camel.server.enabled", "false");
        properties.put("camel.management.enabled", "false");
        properties.put("camel.metrics.enabled", "false");
        // the analytics steps write through their beans' MongoDB client, not through endpoints a test can mock
        // (UpsertAggregatesIT runs them against a MongoDB server); sessions and funnels are off by default
        properties.put("analytics.unique-users.enabled", "false");
        properties.putAll(overrides());
        context.withUseOverridePropertiesWithPropertiesComponent(properties);
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        Settings settings = new Settings(context.getPropertiesComponent()::resolveProperty);
        options = PulseOptions.from(settings);
        // the one bean every route with a retry refers to, as the app binds it
        context.getRegistry().bind("retryWithBackoff", PulseConfiguration.retryWithBackoff(settings));
        // the upsert route names the analytics steps' beans; their steps are off here
        for (String step : List.of("uniqueUsersStore", "sessionStore", "funnelStore")) {
            context.getRegistry().bind(step, new AnalyticsStepOff());
        }
        return context;
    }

    /** Stands in for an analytics store the upsert route names: its step is off in route tests. */
    public static final class AnalyticsStepOff {
        public void write(FoldUpserts upserts) {
            throw new IllegalStateException("the analytics steps are off in route tests");
        }
    }

    /**
     * Where the route sends to endpoints of {@code scheme} (its top-level {@code to} steps), placeholders resolved, as
     * the route is written: call it before AdviceWith replaces them.
     */
    protected List<String> sendsTo(String routeId, String scheme) {
        return context.getRouteDefinition(routeId).getOutputs().stream()
                .filter(ToDefinition.class::isInstance).map(to -> ((ToDefinition) to).getEndpointUri())
                .filter(uri -> uri.startsWith(scheme + ":")).map(context::resolvePropertyPlaceholders).toList();
    }

    /** The options as {@code PulseConfiguration} reads them, from the same properties as the routes. */
    protected PulseOptions options() {
        return options;
    }
}
