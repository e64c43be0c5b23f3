package pulse;

import org.apache.camel.main.Main;
import org.apache.logging.log4j.LogManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pulse.config.CamelEnvironment;
import pulse.config.InvalidConfigurationException;
import pulse.config.PropertyValueLogging;
import pulse.embedded.EmbeddedInfrastructureListener;

/**
 * Interaction Pulse: generator -> Kafka -> aggregation -> MongoDB, wired by Camel Main. The routes are the
 * RouteBuilders of package {@code routes} that application.properties lists; with {@code kafka.brokers=embedded} /
 * {@code mongodb.uri=embedded} (the defaults) the infrastructure is started in-process first.
 */
public final class Application {

    private static final Logger LOG = LoggerFactory.getLogger(Application.class);

    private Application() {
    }

    public static void main(String[] args) {
        EmbeddedInfrastructureListener embedded = new EmbeddedInfrastructureListener();
        Main main = create();
        main.addMainListener(embedded);
        stopOn("TERM", main);
        stopOn("INT", main);
        int exitCode;
        try {
            exitCode = main.run(args);
        } catch (Exception e) {
            InvalidConfigurationException configuration = configurationProblem(e);
            if (configuration != null) {
                LOG.error(configuration.getMessage());
            } else {
                LOG.error("Interaction Pulse failed: {}", e.getMessage(), e);
            }
            exitCode = 1;
        } finally {
            embedded.close(); // the embedded broker's threads would otherwise keep the JVM alive
        }
        LogManager.shutdown(); // last: log4j2.properties disables its own shutdown hook so no line is lost
        if (exitCode != 0) {
            System.exit(exitCode);
        }
    }

    /**
     * SIGTERM / Ctrl-C: stop Camel Main from the main thread, as a completed run, rather than from a JVM shutdown
     * hook racing with the others (logging among them): the batch in flight is written and committed, the
     * embedded servers are closed, the whole shutdown is logged and the process exits 0.
     */
    private static void stopOn(String signal, Main main) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(signal), received -> {
                LOG.info("SIG{} received: stopping gracefully", signal);
                main.completed();
            });
        } catch (IllegalArgumentException e) {
            LOG.debug("Cannot handle SIG{} here: {}", signal, e.getMessage());
        }
    }

    /** The pipeline without the embedded default: {@code kafka.brokers} and {@code mongodb.uri} must be real. */
    public static Main create() {
        PropertyValueLogging.neverBelowInfo();
        Main main = new Main();
        CamelEnvironment.kafkaComponentProperties(System.getenv()).forEach(main::addOverrideProperty);
        main.configure().addConfiguration(PulseConfiguration.class);
        return main;
    }

    private static InvalidConfigurationException configurationProblem(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidConfigurationException problem) {
                return problem;
            }
        }
        return null;
    }
}
