package pulse.testsupport;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import pulse.embedded.TestInfrastructure;

/**
 * A client of {@link TestInfrastructure}'s MongoDB for a test class, and an empty database of its own for each test,
 * named after the test method. Register it as a static field after {@code @ExtendWith(TestInfrastructure.class)} on
 * the class, which starts the server first:
 * {@code @RegisterExtension static final FreshDatabase MONGO = new FreshDatabase("sessions-");}
 */
public final class FreshDatabase implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    private final String prefix;
    private MongoClient client;
    private MongoDatabase database;

    /** @param prefix of each test's database name, before the test method's name */
    public FreshDatabase(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        client = MongoClients.create(TestInfrastructure.mongoUri());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        client.close();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        database = client.getDatabase(TestInfrastructure.name(prefix + context.getRequiredTestMethod().getName()));
        database.drop();
    }

    public MongoClient client() {
        return client;
    }

    /** The running test's database, empty at its start. */
    public MongoDatabase database() {
        return database;
    }
}
