package pulse.health;

import com.mongodb.client.MongoClient;
import com.mongodb.connection.ClusterDescription;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * UP while the driver sees a MongoDB server it can write to (a primary, for a replica set). Reads the driver's
 * own view of the cluster, kept current by its monitoring threads, so a health request never blocks. When DOWN, the
 * message carries what the servers answered, if anything: the embedded server whose store has closed itself says
 * there that the app must be restarted.
 */
public class MongoHealthCheck extends AbstractHealthCheck {

    private final MongoClient client;

    public MongoHealthCheck(MongoClient client) {
        super("pulse", "mongodb");
        this.client = client;
    }

    @Override
    public boolean isLiveness() {
        return false; // an outage is waited out, not a reason to restart the app
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        ClusterDescription cluster = client.getClusterDescription();
        builder.detail("servers", cluster.getServerDescriptions().stream()
                .map(server -> server.getAddress() + " " + server.getState()).toList().toString());
        if (cluster.hasWritableServer()) {
            builder.up();
        } else {
            String answers = cluster.getServerDescriptions().stream()
                    .filter(server -> server.getException() != null)
                    .map(server -> server.getAddress() + ": " + server.getException().getMessage())
                    .collect(Collectors.joining("; "));
            builder.message("No writable MongoDB server: aggregates are not being written (batches are retried)"
                    + (answers.isEmpty() ? "" : ". " + answers));
            if (cluster.getSrvResolutionException() != null) {
                builder.error(cluster.getSrvResolutionException());
            }
            builder.down();
        }
    }
}
