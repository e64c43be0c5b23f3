package pulse.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CamelEnvironmentTest {

    @Test
    void kafkaVariablesBecomeTheKafkaComponentsOptionsByTheAppsRuleAsPlaceholders() {
        assertThat(CamelEnvironment.kafkaComponentProperties(Map.of(
                "CAMEL_COMPONENT_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "CAMEL_COMPONENT_KAFKA_SASL_JAAS_CONFIG", "x required;",
                "CAMEL_COMPONENT_KAFKA_SSLTRUSTSTORELOCATION", "/etc/truststore.jks",
                "CAMEL_COMPONENT_KAFKA_", "no option",
                "CAMEL_COMPONENT_MONGODB_HOST", "other component",
                "KAFKA_BROKERS", "the app's own property",
                "PATH", "/usr/bin")))
                .containsExactly(
                        Map.entry("camel.component.kafka.sasl-jaas-config", "{{env:CAMEL_COMPONENT_KAFKA_SASL_JAAS_CONFIG}}"),
                        Map.entry("camel.component.kafka.security-protocol", "{{env:CAMEL_COMPONENT_KAFKA_SECURITY_PROTOCOL}}"),
                        Map.entry("camel.component.kafka.ssltruststorelocation", "{{env:CAMEL_COMPONENT_KAFKA_SSLTRUSTSTORELOCATION}}"));
    }
}
