package pulse.config;

import org.jolokia.server.core.config.ConfigKey;
import org.jolokia.server.core.config.StaticConfiguration;
import org.jolokia.server.core.restrictor.RestrictorFactory;

import java.io.IOException;

/**
 * The Jolokia endpoint ({@code /observe/jolokia}) without its access policy would allow every operation on every
 * MBean: camel-platform-http-jolokia falls back to allowing all when no policy is found at Jolokia's
 * {@code policyLocation} ({@code classpath:/jolokia-access.xml} unless the system property
 * {@code jolokia.policyLocation} or the environment variable {@code JOLOKIA_POLICY_LOCATION} says otherwise).
 * So the app refuses to start with Jolokia on and no policy there.
 */
public final class JolokiaAccessPolicy {

    static final String LOCATION_PROPERTY = "jolokia.policyLocation";

    private JolokiaAccessPolicy() {
    }

    /** Fails when Jolokia is enabled and its access policy cannot be read where Jolokia will look for it. */
    public static void requireIfEnabled(Settings settings) {
        boolean management = settings.optionalString("camel.management.enabled").map(Boolean::parseBoolean).orElse(false);
        boolean jolokia = settings.optionalString("camel.management.jolokia-enabled").map(Boolean::parseBoolean).orElse(false);
        if (management && jolokia) {
            require(new StaticConfiguration().getConfig(ConfigKey.POLICY_LOCATION));
        }
    }

    /** Reads the policy as camel-platform-http-jolokia does ({@link RestrictorFactory#lookupPolicyRestrictor}). */
    static void require(String location) {
        try {
            if (RestrictorFactory.lookupPolicyRestrictor(location) == null) {
                throw missing(location, "no Jolokia access policy there");
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidConfigurationException invalid) {
                throw invalid;
            }
            throw missing(location, "the Jolokia access policy cannot be read (" + e.getMessage() + ")");
        }
    }

    private static InvalidConfigurationException missing(String location, String problem) {
        return new InvalidConfigurationException(LOCATION_PROPERTY, "= '" + location + "': " + problem
                + ", and without it Jolokia would allow every operation on every MBean; restore jolokia-access.xml on the"
                + " classpath, point " + LOCATION_PROPERTY + " at a policy, or set camel.management.jolokia-enabled=false");
    }
}
