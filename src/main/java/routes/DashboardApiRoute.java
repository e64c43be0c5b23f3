package routes;

import com.mongodb.MongoException;
import org.bson.Document;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mongodb.MongoDbConstants;
import org.apache.camel.model.rest.RestBindingMode;
import org.apache.camel.model.rest.RestParamType;
import pulse.api.ApiParameterException;
import pulse.api.ApiParameters;
import pulse.api.DashboardViews;
import pulse.store.AggregateUpdates;
import pulse.store.UniqueUsersUpdates;

/** Show: the read-only JSON API behind the dashboard, straight from the aggregates in MongoDB. */
public class DashboardApiRoute extends RouteBuilder {

    private static final String MONGO = "mongodb:pulseMongo?database={{mongodb.database}}";
    /** Documents as the API reads them: without the unique users sketch (up to ~8 KB of bytes it never shows). */
    private static final Document WITHOUT_SKETCH = new Document(UniqueUsersUpdates.SKETCH, 0);

    @Override
    public void configure() {
        onException(ApiParameterException.class)
                .handled(true)
                .setHeader(Exchange.HTTP_RESPONSE_CODE, constant(400))
                .setBody(exchange -> DashboardViews.error(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class).getMessage()))
                .marshal().json();
        onException(MongoException.class)
                .handled(true)
                .setHeader(Exchange.HTTP_RESPONSE_CODE, constant(503))
                .setBody(exchange -> DashboardViews.error("MongoDB is unreachable: "
                        + exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class).getMessage()))
                .marshal().json();

        restConfiguration().component("platform-http").bindingMode(RestBindingMode.off);

        rest("/api").produces("application/json")
                .get("/summary").to("direct:api-summary")
                .get("/items/top")
                    .param().name("n").type(RestParamType.query).dataType("integer").defaultValue("10")
                        .description("how many items, 1 to 100").endParam()
                    .param().name("minutes").type(RestParamType.query).dataType("integer").required(false)
                        .description("only windows that start in the last minutes, 1 to 10080 (from item_windows);"
                                + " all time without it").endParam()
                    .param().name("size").type(RestParamType.query).dataType("string").required(false)
                        .description("with minutes: which window size, one of aggregation.window.sizes (default the first)")
                        .endParam()
                    .to("direct:api-top-items")
                .get("/items/trending")
                    .param().name("n").type(RestParamType.query).dataType("integer").defaultValue("10")
                        .description("how many items, 1 to 100").endParam()
                    .param().name("minutes").type(RestParamType.query).dataType("integer").defaultValue("60")
                        .description("the period compared with the one before it, 1 to 5040 minutes of whole windows")
                        .endParam()
                    .param().name("size").type(RestParamType.query).dataType("string").required(false)
                        .description("which window size, one of aggregation.window.sizes (default the first)").endParam()
                    .to("direct:api-trending-items")
                .get("/sessions")
                    .param().name("minutes").type(RestParamType.query).dataType("integer").defaultValue("60")
                        .description("sessions that started in windows that start in the last minutes, 1 to 10080")
                        .endParam()
                    .to("direct:api-sessions")
                .get("/funnel")
                    .param().name("minutes").type(RestParamType.query).dataType("integer").defaultValue("60")
                        .description("funnels that started in windows that start in the last minutes, 1 to 10080")
                        .endParam()
                    .param().name("item").type(RestParamType.query).dataType("string").required(false)
                        .description("one item's funnel per window; without: the 10 items most users entered")
                        .endParam()
                    .to("direct:api-funnel")
                .get("/windows")
                    .param().name("minutes").type(RestParamType.query).dataType("integer").defaultValue("60")
                        .description("windows that start in the last minutes, 1 to 10080").endParam()
                    .param().name("size").type(RestParamType.query).dataType("string").required(false)
                        .description("which window size, one of aggregation.window.sizes (default the first)").endParam()
                    .to("direct:api-windows");

        // started before the REST routes that call them, so stopped after them (Camel stops in reverse order)
        from("direct:api-summary").routeId("api-summary").startupOrder(20)
                .setBody(constant(AggregateUpdates.SUMMARY_ID))
                .to(MONGO + "&collection=summary&operation=findById")
                .bean("dashboardViews", "summary")
                .marshal().json();

        from("direct:api-top-items").routeId("api-top-items").startupOrder(21)
                .choice()
                    .when(header("minutes").isNotNull())
                        .setBody(method("recentTopItems", "pipeline"))
                        .setHeader(MongoDbConstants.COLLECTION, method("windowCollections", "itemWindows"))
                        .to(MONGO + "&collection=item_windows&operation=aggregate&dynamicity=true")
                        .bean("dashboardViews", "recentItems")
                        .to("direct:api-recent-unique-users")
                    .otherwise()
                        .setHeader(MongoDbConstants.FIELDS_PROJECTION, constant(WITHOUT_SKETCH))
                        .setHeader(MongoDbConstants.LIMIT, method(ApiParameters.class, "topItems"))
                        .setHeader(MongoDbConstants.SORT_BY, constant(new Document("total", -1).append("_id", 1)))
                        .to(MONGO + "&collection=items&operation=findAll")
                        .bean("dashboardViews", "items")
                .end()
                .marshal().json();

        // the listed items' window sketches over the same period, unioned per item
        from("direct:api-recent-unique-users").routeId("api-recent-unique-users").startupOrder(19)
                .filter(method("recentTopItems", "isUniqueUsersOn"))
                    .setProperty("top", body())
                    .setHeader(MongoDbConstants.CRITERIA, method("recentTopItems", "sketchCriteria(${exchangeProperty.top}, ${header.minutes})"))
                    .setHeader(MongoDbConstants.FIELDS_PROJECTION, method("recentTopItems", "sketchProjection"))
                    .to(MONGO + "&collection=item_windows&operation=findAll&dynamicity=true")
                    .bean("recentTopItems", "withUniqueUsers(${exchangeProperty.top}, ${body})")
                .end();

        from("direct:api-trending-items").routeId("api-trending-items").startupOrder(23)
                .setBody(method("trendingItems", "pipeline"))
                .setHeader(MongoDbConstants.COLLECTION, method("windowCollections", "itemWindows"))
                .to(MONGO + "&collection=item_windows&operation=aggregate&dynamicity=true")
                .bean("trendingItems", "view")
                .marshal().json();

        from("direct:api-sessions").routeId("api-sessions").startupOrder(24)
                .setBody(method("sessionViews", "pipeline"))
                .to(MONGO + "&collection=user_sessions&operation=aggregate")
                .bean("sessionViews", "view")
                .marshal().json();

        from("direct:api-funnel").routeId("api-funnel").startupOrder(25)
                .setBody(method("funnelViews", "pipeline"))
                .to(MONGO + "&collection=user_funnels&operation=aggregate")
                .bean("funnelViews", "view")
                .marshal().json();

        from("direct:api-windows").routeId("api-windows").startupOrder(22)
                .setHeader(MongoDbConstants.CRITERIA, method(ApiParameters.class, "windowsSince"))
                .setHeader(MongoDbConstants.SORT_BY, constant(new Document("windowStart", 1)))
                .setHeader(MongoDbConstants.FIELDS_PROJECTION, constant(WITHOUT_SKETCH))
                .setHeader(MongoDbConstants.COLLECTION, method("windowCollections", "windows"))
                .to(MONGO + "&collection=windows&operation=findAll&dynamicity=true")
                .bean("dashboardViews", "windows")
                .marshal().json();
    }
}
