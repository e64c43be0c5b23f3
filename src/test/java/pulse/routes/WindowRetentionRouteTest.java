package pulse.routes;

import com.mongodb.client.MongoDatabase;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.timer.TimerEndpoint;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.Test;
import pulse.store.WindowRetention;
import pulse.testsupport.RouteTestSupport;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Retention: a timer every {@code retention.check-interval-ms} -> the retention bean removes expired windows. */
class WindowRetentionRouteTest extends RouteTestSupport {

    private static final String ROUTE = "window-retention";
    private final AtomicInteger removals = new AtomicInteger();

    @Override
    protected Map<String, String> overrides() {
        return Map.of("retention.check-interval-ms", "1234");
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        // no MongoDB here: the removal itself is UpsertAggregatesIT's, against the real server
        MongoDatabase noDatabase = (MongoDatabase) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {MongoDatabase.class}, (proxy, method, args) -> null);
        registry.bind("windowRetention", new WindowRetention(noDatabase, options().rollups(), options().windowRetention(),
                Clock.systemUTC()) {
            @Override
            public long removeExpired() {
                removals.incrementAndGet();
                return 0;
            }
        });
    }

    @Test
    void theTimerFiresEveryCheckIntervalFromAMinuteAfterTheStart() throws Exception {
        context.start();

        TimerEndpoint timer = (TimerEndpoint) context.getRoute(ROUTE).getEndpoint();
        assertThat(timer.getPeriod()).as("retention.check-interval-ms").isEqualTo(1234);
        assertThat(timer.getDelay()).as("the first check, once the app is up").isEqualTo(60_000);
    }

    @Test
    void everyTickRemovesTheExpiredWindows() throws Exception {
        AdviceWith.adviceWith(context, ROUTE, route -> route.replaceFromWith("direct:tick"));
        context.start();

        for (int tick = 0; tick < 3; tick++) {
            template.sendBody("direct:tick", null);
        }

        assertThat(removals).hasValue(3);
    }
}
