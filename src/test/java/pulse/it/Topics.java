package pulse.it;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import pulse.embedded.TestInfrastructure;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/** Topics made and inspected on the test broker before or beside the app (which creates what is missing). */
final class Topics {

    private Topics() {
    }

    /** Creates a topic ready to take records at once (a producer's first send would otherwise race its creation). */
    static void create(String topic, int partitions, Map<String, String> config) throws ExecutionException, InterruptedException {
        try (Admin admin = admin()) {
            TestInfrastructure.createTopic(admin, topic, partitions, TestInfrastructure.replicationFactor(), config);
        }
    }

    static String config(String topic, String name) throws ExecutionException, InterruptedException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = admin()) {
            return admin.describeConfigs(List.of(resource)).all().get().get(resource).get(name).value();
        }
    }

    static void setConfig(String topic, String name, String value) throws ExecutionException, InterruptedException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = admin()) {
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry(name, value),
                    AlterConfigOp.OpType.SET)))).all().get();
        }
    }

    static void delete(String topic) throws ExecutionException, InterruptedException {
        try (Admin admin = admin()) {
            admin.deleteTopics(List.of(topic)).all().get();
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", TestInfrastructure.kafkaBootstrapServers()));
    }
}
