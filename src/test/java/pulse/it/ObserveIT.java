package pulse.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pulse.embedded.TestInfrastructure;
import pulse.event.EventJson;
import pulse.event.InteractionEvent;
import pulse.generator.GeneratorOptions;
import pulse.generator.InteractionGenerator;
import pulse.testsupport.Http;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Operations endpoints and the dashboard API of a running pipeline, over HTTP. */
@ExtendWith(TestInfrastructure.class)
class ObserveIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void healthMetricsJolokiaAndTheApiAnswer() throws Exception {
        List<InteractionEvent> events = new InteractionGenerator(new GeneratorOptions(100, 100, 200, 50, 1.1, 0.8,
                new double[] {80, 17, 3}, OptionalLong.of(11)), Clock.systemUTC()).next(3000);
        try (Pipeline pipeline = new Pipeline("observed").start();
             KafkaProducer<String, byte[]> producer = Pipeline.producer()) {
            events.forEach(e -> producer.send(new ProducerRecord<>(
                    pipeline.topic(), e.userId(), EventJson.toBytes(e))));
            producer.flush();
            pipeline.awaitAggregated(events.size(), Duration.ofSeconds(60));
            assertThat(pipeline.context().isCaseInsensitiveHeaders()).as("application.properties applied").isFalse();
            String observe = pipeline.managementUrl() + "observe/";

            // health: UP, with the pipeline's own checks
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode health = JSON.readTree(Http.get(observe + "health").body());
                assertThat(health.path("status").asText()).isEqualTo("UP");
                assertThat(health.path("checks").findValuesAsText("name"))
                        .contains("mongodb", "kafka", "route:aggregate-interactions", "consumer:aggregate-interactions");
            });

            // metrics: Camel's and the pipeline's; writes this small record every event's freshness
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Http.get(observe + "metrics").body())
                    .contains("pulse_events_aggregated_total 3000.0", "pulse_freshness_seconds_count 3000",
                            "pulse_mongodb_writes_total", "pulse_flush_seconds_count", "pulse_consumer_lag",
                            "routeId=\"aggregate-interactions\""));

            // Jolokia: the Camel context MBean can be read; only route start/stop may be executed, and only by POST
            String jolokia = observe + "jolokia";
            String context = "org.apache.camel:context=interaction-pulse,type=context,name=\\\"interaction-pulse\\\"";
            JsonNode state = JSON.readTree(Http.postJson(jolokia, "{\"type\":\"read\",\"mbean\":\"" + context
                    + "\",\"attribute\":\"State\"}").body());
            assertThat(state.path("value").asText()).isEqualTo("Started");
            assertThat(JSON.readTree(Http.postJson(jolokia, "{\"type\":\"exec\",\"mbean\":\"java.lang:type=Memory\","
                    + "\"operation\":\"gc\"}").body()).path("status").asInt()).isEqualTo(403);
            String route = "org.apache.camel:context=interaction-pulse,type=routes,name=\\\"generate-interactions\\\"";
            // a local page (Hawtio at http://localhost:8090 sends its Origin through its proxy) may stop a route by POST
            assertThat(JSON.readTree(Http.postJson(jolokia, "{\"type\":\"exec\",\"mbean\":\"" + route
                    + "\",\"operation\":\"stop()\"}", Map.of("Origin", "http://localhost:8090")).body()).path("status").asInt())
                    .isEqualTo(200);
            assertThat(JSON.readTree(Http.postJson(jolokia, "{\"type\":\"write\",\"mbean\":\"" + route
                    + "\",\"attribute\":\"Tracing\",\"value\":true}").body()).path("status").asInt()).isEqualTo(403);
            assertThat(JSON.readTree(Http.postJson(jolokia, "{\"type\":\"exec\",\"mbean\":\"" + context
                    + "\",\"operation\":\"stop()\"}").body()).path("status").asInt()).isEqualTo(403);

            // the dashboard API
            JsonNode summary = JSON.readTree(Http.get(pipeline.serverUrl() + "api/summary").body());
            assertThat(summary.path("events").asLong()).isEqualTo(3000);
            assertThat(summary.path("maxItem").path("itemId").asText()).isEqualTo("item-1");
            JsonNode top = JSON.readTree(Http.get(pipeline.serverUrl() + "api/items/top?n=5").body());
            assertThat(top).hasSize(5);
            assertThat(top.get(0).path("total").asLong()).isGreaterThanOrEqualTo(top.get(4).path("total").asLong());
            // the last hour's top items, from item_windows, are the all-time ones here (all events are recent)
            JsonNode recentTop = JSON.readTree(Http.get(pipeline.serverUrl() + "api/items/top?n=5&minutes=60").body());
            assertThat(recentTop).isEqualTo(top);
            JsonNode windows = JSON.readTree(Http.get(pipeline.serverUrl() + "api/windows?minutes=10").body());
            long windowTotal = 0;
            for (JsonNode window : windows) {
                windowTotal += window.path("total").asLong();
            }
            assertThat(windowTotal).isEqualTo(3000);
            for (String bad : List.of("api/items/top?n=0", "api/items/top?n=101", "api/items/top?n=ten", "api/windows?minutes=-5",
                    "api/items/top?minutes=10081")) {
                HttpResponse<String> response = Http.get(pipeline.serverUrl() + bad);
                assertThat(response.statusCode()).as(bad).isEqualTo(400);
                assertThat(JSON.readTree(response.body()).path("error").asText()).as(bad).contains("must be a whole number");
            }

            // what any web page the operator opens could send: a GET (a link, an image) and a cross-origin POST
            String aggregate = "org.apache.camel:context=interaction-pulse,type=routes,name=%22aggregate-interactions%22";
            HttpResponse<String> getStop = Http.get(jolokia + "/exec/" + aggregate + "/stop()");
            assertThat(JSON.readTree(getStop.body()).path("status").asInt()).as(getStop.body()).isEqualTo(403);
            assertThat(getStop.body()).containsIgnoringCase("HTTP method GET is not allowed");
            HttpResponse<String> getRead = Http.get(jolokia + "/read/" + aggregate + "/State");
            assertThat(JSON.readTree(getRead.body()).path("status").asInt()).as("reads are POST-only too").isEqualTo(403);
            String stopAggregate = "{\"type\":\"exec\",\"mbean\":\"org.apache.camel:context=interaction-pulse,type=routes,"
                    + "name=\\\"aggregate-interactions\\\"\",\"operation\":\"stop()\"}";
            String readState = "{\"type\":\"read\",\"mbean\":\"" + context + "\",\"attribute\":\"State\"}";
            assertThat(JSON.readTree(Http.postJson(jolokia, readState, Map.of("Origin", "http://127.0.0.1:8080")).body())
                    .path("value").asText()).isEqualTo("Started");
            // HTTP header names are case-insensitive (HTTP/2 sends them in lower case) while Camel's headers are
            // case-sensitive here (camel.main.case-insensitive-headers=false): "origin" must be refused too
            for (String origin : List.of("https://evil.example", "http://evil.example:8090", "null")) {
                // camel-platform-http-jolokia answers Jolokia's refusal of the origin as an error of status 500
                for (String request : List.of(stopAggregate, readState)) {
                    for (String headerName : List.of("Origin", "origin")) {
                        HttpResponse<String> crossOrigin = Http.postJson(jolokia, request, Map.of(headerName, origin));
                        JsonNode answer = JSON.readTree(crossOrigin.body());
                        assertThat(answer.path("error").isTextual()).as(origin + ": " + crossOrigin.body()).isTrue();
                        assertThat(answer.has("value")).as(origin + ": " + crossOrigin.body()).isFalse();
                        assertThat(answer.path("status").asInt()).as(origin + ": " + crossOrigin.body()).isNotEqualTo(200);
                    }
                }
            }
            assertThat(pipeline.context().getRouteController().getRouteStatus("aggregate-interactions").isStarted()).isTrue();
            // and it still aggregates: 500 more events
            List<InteractionEvent> more = new InteractionGenerator(new GeneratorOptions(100, 100, 200, 50, 1.1, 0.8,
                    new double[] {80, 17, 3}, OptionalLong.of(12)), Clock.systemUTC()).next(500);
            more.forEach(e -> producer.send(new ProducerRecord<>(
                    pipeline.topic(), e.userId(), EventJson.toBytes(e))));
            producer.flush();
            pipeline.awaitAggregated(events.size() + more.size(), Duration.ofSeconds(60));
        }
    }
}
