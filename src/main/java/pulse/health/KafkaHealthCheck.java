package pulse.health;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.kafka.clients.admin.Admin;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** UP while the Kafka cluster answers a metadata request within two seconds. */
public class KafkaHealthCheck extends AbstractHealthCheck implements AutoCloseable {

    private final Admin admin;

    public KafkaHealthCheck(Properties clientProperties) {
        super("pulse", "kafka");
        Properties properties = new Properties();
        properties.putAll(clientProperties);
        properties.put("request.timeout.ms", "2000");
        properties.put("default.api.timeout.ms", "2000");
        this.admin = Admin.create(properties);
    }

    @Override
    public boolean isLiveness() {
        return false; // the clients reconnect by themselves
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try {
            int brokers = admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).size();
            builder.detail("brokers", brokers);
            builder.up();
        } catch (Exception e) {
            builder.message("Kafka did not answer within 2 s");
            builder.error(e);
            builder.down();
        }
    }

    @Override
    public void close() {
        admin.close();
    }
}
