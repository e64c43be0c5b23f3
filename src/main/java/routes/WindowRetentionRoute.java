package routes;

import org.apache.camel.builder.RouteBuilder;

/** Retention: window documents older than {{retention.windows}} are removed on a schedule. */
public class WindowRetentionRoute extends RouteBuilder {

    @Override
    public void configure() {
        from("timer:window-retention?period={{retention.check-interval-ms}}&delay=60000")
                .routeId("window-retention")
                .bean("windowRetention", "removeExpired");
    }
}
