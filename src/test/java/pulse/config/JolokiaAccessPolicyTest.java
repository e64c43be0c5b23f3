package pulse.config;

import org.jolokia.server.core.restrictor.RestrictorFactory;
import org.jolokia.server.core.service.api.Restrictor;
import org.jolokia.server.core.util.HttpMethod;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JolokiaAccessPolicyTest {

    private static final String SHIPPED = "classpath:/jolokia-access.xml";

    @Test
    void theShippedPolicyIsFound() {
        assertThatCode(() -> JolokiaAccessPolicy.require(SHIPPED)).doesNotThrowAnyException();
    }

    @Test
    void aMissingPolicyFailsNamingTheLocationAndItsProperty() {
        assertThatThrownBy(() -> JolokiaAccessPolicy.require("classpath:/no-such-policy.xml"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("Invalid configuration: jolokia.policyLocation = 'classpath:/no-such-policy.xml': no Jolokia access policy there")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> JolokiaAccessPolicy.require("file:/nonexistent/jolokia-access.xml"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("jolokia.policyLocation = 'file:/nonexistent/jolokia-access.xml': the Jolokia access policy cannot be read");
    }

    /** Jolokia's own system property moves the policy; the check follows it, and only when Jolokia is on. */
    @Test
    void followsJolokiasPolicyLocationAndOnlyWhenJolokiaIsOn() {
        String before = System.getProperty("jolokia.policyLocation");
        System.setProperty("jolokia.policyLocation", "classpath:/no-such-policy.xml");
        try {
            assertThatThrownBy(() -> JolokiaAccessPolicy.requireIfEnabled(settings("true", "true")))
                    .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("no-such-policy.xml");
            assertThatCode(() -> JolokiaAccessPolicy.requireIfEnabled(settings("true", "false"))).doesNotThrowAnyException();
            assertThatCode(() -> JolokiaAccessPolicy.requireIfEnabled(settings("false", "true"))).doesNotThrowAnyException();
        } finally {
            if (before == null) {
                System.clearProperty("jolokia.policyLocation");
            } else {
                System.setProperty("jolokia.policyLocation", before);
            }
        }
        assertThatCode(() -> JolokiaAccessPolicy.requireIfEnabled(settings("true", "true"))).doesNotThrowAnyException();
    }

    /** What the shipped policy says, as Jolokia's own restrictor reads it (the IT checks it over HTTP). */
    @Test
    void theShippedPolicyAllowsPostOnlyAndLoopbackOrNoOrigin() throws Exception {
        Restrictor policy = RestrictorFactory.lookupPolicyRestrictor(SHIPPED);
        assertThat(policy.isHttpMethodAllowed(HttpMethod.POST)).isTrue();
        assertThat(policy.isHttpMethodAllowed(HttpMethod.GET)).isFalse();
        assertThat(policy.isOriginAllowed("http://localhost:8090", true)).isTrue();
        assertThat(policy.isOriginAllowed("http://127.0.0.1:8080", true)).isTrue();
        assertThat(policy.isOriginAllowed("", true)).as("no Origin nor Referer: curl, scripts").isTrue();
        assertThat(policy.isOriginAllowed("https://evil.example", true)).isFalse();
        assertThat(policy.isOriginAllowed("http://evil.example:8090", true)).isFalse();
        assertThat(policy.isOriginAllowed("null", true)).as("a sandboxed or no-referrer page").isFalse();
    }

    private static Settings settings(String management, String jolokia) {
        Map<String, String> values = Map.of("camel.management.enabled", management, "camel.management.jolokia-enabled", jolokia);
        return new Settings(key -> Optional.ofNullable(values.get(key)));
    }
}
