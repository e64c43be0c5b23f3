package pulse.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.MongoTimeoutException;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Registry;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import pulse.api.DashboardViews;
import pulse.api.RecentTopItems;
import pulse.api.WindowCollections;
import pulse.kafka.ConsumerLag;
import pulse.metrics.AggregationProgress;
import pulse.testsupport.FreePorts;
import pulse.testsupport.Http;
import pulse.testsupport.RouteTestSupport;
import pulse.api.TrendingItems;
import pulse.api.SessionViews;
import pulse.api.FunnelViews;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.time.Clock;

import static org.apache.camel.component.mongodb.MongoDbConstants.COLLECTION;
import static org.apache.camel.component.mongodb.MongoDbConstants.LIMIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JSON API over HTTP (platform-http on Vert.x, as in the app): 200 with the documents MongoDB answers, 400 with
 * {@code {"error": ...}} for a bad parameter (MongoDB is not asked), 503 when MongoDB cannot be reached.
 */
class DashboardApiRouteTest extends RouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The API's HTTP server, platform-http on Vert.x as Camel Main starts it for the app. */
    private static final int PORT = FreePorts.next();
    private MockEndpoint summary;
    private MockEndpoint items;
    private MockEndpoint recentItems;
    private MockEndpoint windows;

    @Override
    protected Map<String, String> overrides() {
        return Map.of(
                "mongodb.database", "api-test",
                "camel.server.enabled", "true",
                "camel.server.port", String.valueOf(PORT));
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        ConsumerLag lag = new ConsumerLag(Properties::new, "interactions", "interaction-pulse") {
            @Override
            public synchronized Long current() {
                return 42L; // no Kafka here
            }
        };
        registry.bind("dashboardViews", new DashboardViews(new AggregationProgress(Duration.ofMinutes(1), System::nanoTime),
                lag, options().events().types(), options().conversion()));
        registry.bind("recentTopItems", new RecentTopItems(options().events().types()));
        registry.bind("windowCollections", new WindowCollections(options().rollups()));
        registry.bind("trendingItems", new TrendingItems(options().rollups(), 10, Clock.systemUTC()));
        registry.bind("sessionViews", new SessionViews(options().rollups().primary().windows(), Clock.systemUTC(), false));
        registry.bind("funnelViews", new FunnelViews(List.of("view", "click", "purchase"), Duration.ofHours(1),
                Clock.systemUTC(), false));
    }

    @BeforeEach
    void mongoDbAsMocks() throws Exception {
        AdviceWith.adviceWith(context, "api-summary", route ->
                route.weaveByToUri("mongodb:.*collection=summary.*").replace().to("mock:summary"));
        AdviceWith.adviceWith(context, "api-top-items", route -> {
            route.weaveByToUri("mongodb:.*operation=aggregate.*").replace().to("mock:recent-items");
            route.weaveByToUri("mongodb:.*operation=findAll.*").replace().to("mock:items");
        });
        AdviceWith.adviceWith(context, "api-windows", route ->
                route.weaveByToUri("mongodb:.*operation=findAll.*").replace().to("mock:windows"));
        // the analytics routes (AnalyticsApiIT runs them against MongoDB): mocks, so that the context starts
        for (String route : new String[] {"api-recent-unique-users", "api-trending-items", "api-sessions", "api-funnel"}) {
            AdviceWith.adviceWith(context, route, advice ->
                    advice.weaveByToUri("mongodb:.*").replace().to("mock:" + route));
        }
        summary = getMockEndpoint("mock:summary");
        items = getMockEndpoint("mock:items");
        recentItems = getMockEndpoint("mock:recent-items");
        windows = getMockEndpoint("mock:windows");
        context.start();
    }

    private HttpResponse<String> get(String pathAndQuery) {
        return Http.get("http://127.0.0.1:" + PORT + pathAndQuery);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        return JSON.readTree(response.body());
    }

    @Test
    void theSummaryIs200WithTheStoredCounters() throws Exception {
        summary.whenAnyExchangeReceived(exchange -> exchange.getMessage().setBody(
                new Document("_id", "global").append("events", 1234L).append("users", 56L)));

        HttpResponse<String> response = get("/api/summary");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.get("events").asLong()).isEqualTo(1234);
        assertThat(body.get("users").asLong()).isEqualTo(56);
        assertThat(body.get("consumerLag").asLong()).isEqualTo(42);
        assertThat(summary.getReceivedExchanges().get(0).getMessage().getBody()).as("the summary's _id").isEqualTo("global");
    }

    @Test
    void topItemsAre200WithAsManyItemsAsAskedFor() throws Exception {
        items.whenAnyExchangeReceived(exchange -> exchange.getMessage().setBody(List.of(
                new Document("_id", "item-7").append("total", 9L), new Document("_id", "item-2").append("total", 4L))));

        HttpResponse<String> response = get("/api/items/top?n=2");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response)).hasSize(2);
        assertThat(items.getReceivedExchanges().get(0).getMessage().getHeader(LIMIT)).isEqualTo(2);
    }

    /**
     * Over the last minutes the top items are summed from the primary window size's item windows by one aggregate
     * (match the period, group per item, most first, limit), not read from the all-time items collection.
     */
    @Test
    void topItemsOfTheLastMinutesAreAnAggregateOverTheItemWindows() throws Exception {
        recentItems.whenAnyExchangeReceived(exchange -> exchange.getMessage().setBody(List.of(
                new Document("_id", "item-3").append("total", 7L).append("byType_view", 5L).append("byType_click", 2L)
                        .append("byType_purchase", 0L))));

        HttpResponse<String> response = get("/api/items/top?n=3&minutes=30");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body).hasSize(1);
        assertThat(body.get(0).get("itemId").asText()).isEqualTo("item-3");
        assertThat(body.get(0).get("total").asLong()).isEqualTo(7);
        assertThat(body.get(0).get("byType").get("view").asLong()).isEqualTo(5);
        assertThat(items.getReceivedCounter()).as("the all-time items collection").isZero();

        var received = recentItems.getReceivedExchanges().get(0).getMessage();
        assertThat(received.getHeader(COLLECTION))
                .isEqualTo(options().rollups().primary().itemWindows().collection());
        List<?> stages = received.getBody(List.class);
        assertThat(stages).hasSize(4);
        assertThat(((Bson) stages.get(0)).toBsonDocument().toJson()).contains("$match", "windowStart");
        assertThat(((Bson) stages.get(1)).toBsonDocument().toJson()).contains("$group", "$itemId");
        assertThat(((Bson) stages.get(3)).toBsonDocument().toJson()).isEqualTo("{\"$limit\": 3}");
    }

    @Test
    void aBadParameterIs400WithTheErrorAndMongoDbIsNotAsked() throws Exception {
        HttpResponse<String> badCount = get("/api/items/top?n=0");
        HttpResponse<String> badMinutes = get("/api/windows?minutes=yesterday");
        HttpResponse<String> badRecentCount = get("/api/items/top?n=1000&minutes=60");

        assertThat(badCount.statusCode()).isEqualTo(400);
        assertThat(json(badCount).get("error").asText())
                .isEqualTo("Query parameter 'n' must be a whole number from 1 to 100 (got '0')");
        assertThat(badMinutes.statusCode()).isEqualTo(400);
        assertThat(json(badMinutes).get("error").asText())
                .isEqualTo("Query parameter 'minutes' must be a whole number from 1 to 10080 (got 'yesterday')");
        assertThat(badRecentCount.statusCode()).isEqualTo(400);
        assertThat(json(badRecentCount).get("error").asText()).startsWith("Query parameter 'n' ");
        assertThat(items.getReceivedCounter() + windows.getReceivedCounter() + recentItems.getReceivedCounter()).isZero();
    }

    @Test
    void mongoDbUnreachableIs503WithTheError() throws Exception {
        windows.whenAnyExchangeReceived(exchange -> {
            throw new MongoTimeoutException("Timed out while waiting for a server");
        });

        HttpResponse<String> response = get("/api/windows?minutes=30");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(json(response).get("error").asText())
                .isEqualTo("MongoDB is unreachable: Timed out while waiting for a server");
    }
}
