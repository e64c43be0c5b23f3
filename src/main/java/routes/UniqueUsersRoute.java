package routes;

import org.apache.camel.builder.RouteBuilder;

/** Unique users of the last hour: the union of the last hour's window sketches, into the summary every 2 s. */
public class UniqueUsersRoute extends RouteBuilder {

    @Override
    public void configure() {
        from("timer:unique-users-last-hour?period=2000&delay=1000")
                .routeId("unique-users-last-hour")
                .autoStartup("{{analytics.unique-users.enabled}}")
                .bean("uniqueUsersStore", "refreshLastHour");
    }
}
