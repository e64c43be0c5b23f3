package pulse.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pulse.embedded.TestInfrastructure;
import pulse.testsupport.Http;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The analytics API on the real pipeline: events from an independent producer (Jackson, not the app's generator or
 * serializer), answers compared with what this test computes from the events it sent.
 */
@ExtendWith(TestInfrastructure.class)
class AnalyticsApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One event as a producer writes it, and what the test needs of it. */
    record Sent(String user, String item, String type, Instant time) {
    }

    @Test
    void uniqueUsersOfItemsWindowsAndTheLastHourMatchTheDistinctUsersSent() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Random random = new Random(5);
        List<Sent> events = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            // 400 users, 12 items; the last 10 minutes, plus some of 2 hours ago (outside the last hour)
            Instant time = i % 10 == 0 ? now.minus(Duration.ofMinutes(120)).plusSeconds(random.nextInt(300))
                    : now.minusSeconds(random.nextInt(600));
            events.add(new Sent("user-" + random.nextInt(400), "item-" + (random.nextInt(12) * random.nextInt(12) % 12),
                    List.of("view", "click", "purchase").get(random.nextInt(3)), time));
        }
        try (Pipeline pipeline = new Pipeline("analytics-unique").with("analytics.unique-users.enabled", "true").start()) {
            produce(pipeline, events);
            pipeline.awaitAggregated(events.size(), Duration.ofSeconds(90));

            Instant lastHour = now.minus(Duration.ofMinutes(60));
            Set<String> usersLastHour = new HashSet<>();
            events.stream().filter(e -> !windowStart(e.time()).isBefore(lastHour)).forEach(e -> usersLastHour.add(e.user()));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    get(pipeline, "api/summary").path("uniqueUsersLastHour").asLong()).isEqualTo(usersLastHour.size()));

            Map<String, Set<String>> byItem = distinct(events, Sent::item);
            JsonNode top = get(pipeline, "api/items/top?n=12");
            assertThat(top).hasSize(byItem.size());
            for (JsonNode item : top) {
                assertThat(item.path("uniqueUsers").asLong()).as(item.toString())
                        .isEqualTo(byItem.get(item.path("itemId").asText()).size());
            }
            // the last 30 minutes: the union of each item's minute windows, a user in several counted once
            List<Sent> recent = events.stream().filter(e -> !windowStart(e.time()).isBefore(now.minus(Duration.ofMinutes(30))))
                    .toList();
            Map<String, Set<String>> recentByItem = distinct(recent, Sent::item);
            JsonNode recentTop = get(pipeline, "api/items/top?n=5&minutes=30");
            assertThat(recentTop).hasSize(5);
            for (JsonNode item : recentTop) {
                assertThat(item.path("uniqueUsers").asLong()).as(item.toString())
                        .isEqualTo(recentByItem.get(item.path("itemId").asText()).size());
            }
            Map<String, Set<String>> byWindow = distinct(events, e -> windowStart(e.time()).toString());
            JsonNode windows = get(pipeline, "api/windows?minutes=180");
            assertThat(windows).hasSize(byWindow.size());
            for (JsonNode window : windows) {
                assertThat(window.path("uniqueUsers").asLong()).as(window.toString())
                        .isEqualTo(byWindow.get(window.path("windowStart").asText()).size());
                assertThat(window.has("uniqueUsersSketch")).isFalse();
            }
            assertThat(top.get(0).has("uniqueUsersSketch")).isFalse();
        }
    }

    @Test
    void withUniqueUsersOffNoSketchIsWrittenAndTheApiSaysNull() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<Sent> events = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            events.add(new Sent("user-" + i % 17, "item-" + i % 3, "view", now.minusSeconds(i)));
        }
        try (Pipeline pipeline = new Pipeline("analytics-unique-off").with("analytics.unique-users.enabled", "false").start()) {
            produce(pipeline, events);
            pipeline.awaitAggregated(events.size(), Duration.ofSeconds(90));

            assertThat(get(pipeline, "api/summary").path("uniqueUsersLastHour").isNull()).isTrue();
            assertThat(get(pipeline, "api/items/top?n=3").get(0).path("uniqueUsers").isNull()).isTrue();
            assertThat(get(pipeline, "api/items/top?n=3&minutes=60").get(0).path("uniqueUsers").isNull()).isTrue();
            assertThat(get(pipeline, "api/windows?minutes=60").get(0).path("uniqueUsers").isNull()).isTrue();
            for (String collection : List.of("items", "windows", "item_windows")) {
                assertThat(pipeline.database().getCollection(collection).countDocuments(new Document("uniqueUsersSketch",
                        new Document("$exists", true)))).as(collection).isZero();
            }
        }
    }

    @Test
    void trendingItemsAreThoseThatGrewMostWithEnoughInteractionsAndBadParametersAnswer400() throws Exception {
        // whole minutes before the one in progress: 10 minutes now against the 10 before; a minute turning while the
        // test runs moves both periods by one minute, which still holds these events where they are
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        Instant previous = minute.minus(Duration.ofMinutes(15));
        Instant current = minute.minus(Duration.ofMinutes(5));
        Map<String, int[]> counts = new LinkedHashMap<>(); // item -> {previous, current}
        counts.put("rocket", new int[] {20, 100});
        counts.put("steady", new int[] {50, 50});
        counts.put("falling", new int[] {60, 20});
        counts.put("tiny", new int[] {1, 3});
        counts.put("new", new int[] {0, 40});
        counts.put("doubled", new int[] {100, 200});
        counts.put("small-new", new int[] {0, 12});
        List<Sent> events = new ArrayList<>();
        for (int period = 0; period < 2; period++) { // the earlier period first, as time goes (nothing late)
            for (Map.Entry<String, int[]> item : counts.entrySet()) {
                for (int i = 0; i < item.getValue()[period]; i++) {
                    events.add(new Sent("user-" + i % 37, item.getKey(), "view",
                            (period == 0 ? previous : current).plusMillis(i * 50L)));
                }
            }
        }
        // the documented rule, applied here: at least 10 now and more than before, by current / max(previous, 10)
        List<String> expected = counts.entrySet().stream()
                .filter(e -> e.getValue()[1] >= 10 && e.getValue()[1] > e.getValue()[0])
                .sorted(Comparator.comparingDouble((Map.Entry<String, int[]> e) ->
                        -e.getValue()[1] / (double) Math.max(e.getValue()[0], 10)))
                .map(Map.Entry::getKey).toList();
        assertThat(expected).containsExactly("rocket", "new", "doubled", "small-new");

        try (Pipeline pipeline = new Pipeline("analytics-trending").start()) {
            produce(pipeline, events);
            pipeline.awaitAggregated(events.size(), Duration.ofSeconds(90));

            JsonNode trending = get(pipeline, "api/items/trending?n=10&minutes=10");
            assertThat(trending.path("minutes").asInt()).isEqualTo(10);
            assertThat(trending.path("minCount").asLong()).isEqualTo(10);
            List<String> items = new ArrayList<>();
            for (JsonNode item : trending.path("items")) {
                int[] want = counts.get(item.path("itemId").asText());
                items.add(item.path("itemId").asText());
                assertThat(item.path("previous").asLong()).as(item.toString()).isEqualTo(want[0]);
                assertThat(item.path("current").asLong()).as(item.toString()).isEqualTo(want[1]);
                assertThat(item.path("change").asLong()).as(item.toString()).isEqualTo(want[1] - want[0]);
                if (want[0] == 0) {
                    assertThat(item.path("ratio").isNull()).isTrue();
                } else {
                    assertThat(item.path("ratio").asDouble()).isEqualTo(want[1] / (double) want[0]);
                }
            }
            assertThat(items).isEqualTo(expected);
            assertThat(get(pipeline, "api/items/trending?n=2&minutes=10").path("items")).hasSize(2);

            for (String bad : List.of("api/items/trending?n=0", "api/items/trending?n=101", "api/items/trending?minutes=0",
                    "api/items/trending?minutes=5041", "api/items/trending?minutes=soon", "api/items/trending?size=PT5M")) {
                var response = Http.get(pipeline.serverUrl() + bad);
                assertThat(response.statusCode()).as(bad).isEqualTo(400);
                assertThat(JSON.readTree(response.body()).path("error").asText()).as(bad).startsWith("Query parameter");
            }
        }
    }

    @Test
    void sessionsPerWindowAreThoseOfTheEventsSentAndALateEventMergesTwoSessions() throws Exception {
        Instant t = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(100));
        List<Sent> events = new ArrayList<>();
        // anna: 0, 10, 20 (one session), then 60 (a second: 40 minutes after 20)
        for (int minute : new int[] {0, 10, 20, 60}) {
            events.add(new Sent("anna", "item-1", "view", t.plus(Duration.ofMinutes(minute))));
        }
        // ben: 5 and 39 are 34 minutes apart (two sessions) until 35 arrives late (4 minutes behind 39): one session
        for (int minute : new int[] {5, 39, 35}) {
            events.add(new Sent("ben", "item-2", "click", t.plus(Duration.ofMinutes(minute))));
        }
        // cleo: 30, then 70, then 50 arrives 20 minutes behind her newest: more than the 5 minute grace, ignored
        for (int minute : new int[] {30, 70, 50}) {
            events.add(new Sent("cleo", "item-1", "view", t.plus(Duration.ofMinutes(minute))));
        }
        // the rule computed here: anna 2 sessions (20 min x3, 0 x1), ben 1 (34 min x3), cleo 2 (0 x1, 0 x1)
        long sessions = 5;
        double meanLengthSeconds = (20 + 34) * 60.0 / sessions;
        double meanEvents = 9.0 / sessions;
        try (Pipeline pipeline = new Pipeline("analytics-sessions").with("analytics.sessions.enabled", "true").start()) {
            produce(pipeline, events);
            pipeline.awaitAggregated(events.size(), Duration.ofSeconds(90));

            JsonNode view = get(pipeline, "api/sessions?minutes=180");
            assertThat(view.path("enabled").asBoolean()).isTrue();
            assertThat(view.path("sessionsStarted").asLong()).as(view.toString()).isEqualTo(sessions);
            assertThat(view.path("meanSessionLengthSeconds").asDouble()).isEqualTo(meanLengthSeconds);
            assertThat(view.path("meanEventsPerSession").asDouble()).isEqualTo(meanEvents);
            Map<String, Long> perWindow = new LinkedHashMap<>();
            view.path("windows").forEach(w -> perWindow.put(w.path("windowStart").asText(), w.path("sessionsStarted").asLong()));
            assertThat(perWindow).containsExactly(
                    Map.entry(t.toString(), 1L), Map.entry(t.plus(Duration.ofMinutes(5)).toString(), 1L),
                    Map.entry(t.plus(Duration.ofMinutes(30)).toString(), 1L),
                    Map.entry(t.plus(Duration.ofMinutes(60)).toString(), 1L),
                    Map.entry(t.plus(Duration.ofMinutes(70)).toString(), 1L));
            // the windows that start in the last 35 minutes hold only cleo's second session (started 30 minutes ago)
            assertThat(get(pipeline, "api/sessions?minutes=35").path("sessionsStarted").asLong()).isEqualTo(1);

            for (String bad : List.of("api/sessions?minutes=0", "api/sessions?minutes=10081", "api/sessions?minutes=x")) {
                var response = Http.get(pipeline.serverUrl() + bad);
                assertThat(response.statusCode()).as(bad).isEqualTo(400);
                assertThat(JSON.readTree(response.body()).path("error").asText()).as(bad).startsWith("Query parameter");
            }
        }
    }

    @Test
    void funnelsCountTheUsersWhoReachedEachStepInOrderPerItemAndWindow() throws Exception {
        Instant t = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(30));
        List<Sent> events = new ArrayList<>();
        BiConsumer<String, String> steps = (user, itemAndTypes) -> {
            String[] parts = itemAndTypes.split(":");
            String[] types = parts[1].split(",");
            for (int i = 0; i < types.length; i++) { // the first step in minute t, one more every 2 minutes
                events.add(new Sent(user, parts[0], types[i], t.plusSeconds(5 + i * 120L)));
            }
        };
        steps.accept("u1", "shoe:view,click,purchase"); // all three
        steps.accept("u2", "shoe:view,click");
        steps.accept("u3", "shoe:view");
        steps.accept("u4", "shoe:click,purchase"); // no view first: never entered
        steps.accept("u5", "shoe:view,purchase"); // skipped the click: the purchase does not count
        steps.accept("u1", "hat:view,click");
        events.sort(Comparator.comparing(Sent::time));
        try (Pipeline pipeline = new Pipeline("analytics-funnel").with("analytics.funnels.enabled", "true").start()) {
            produce(pipeline, events);
            pipeline.awaitAggregated(events.size(), Duration.ofSeconds(90));

            JsonNode all = get(pipeline, "api/funnel?minutes=60");
            assertThat(all.path("steps").toString()).isEqualTo("[\"view\",\"click\",\"purchase\"]");
            assertThat(all.path("window").asText()).isEqualTo("PT1H");
            assertThat(all.path("reached").toString()).as(all.toString()).isEqualTo("[5,3,1]");
            assertThat(all.path("items").get(0).path("itemId").asText()).isEqualTo("shoe");
            assertThat(all.path("items").get(0).path("reached").toString()).isEqualTo("[4,2,1]");
            assertThat(all.path("items").get(1).path("itemId").asText()).isEqualTo("hat");
            assertThat(all.path("items").get(1).path("reached").toString()).isEqualTo("[1,1,0]");

            JsonNode shoe = get(pipeline, "api/funnel?minutes=60&item=shoe");
            assertThat(shoe.path("windows")).hasSize(1);
            assertThat(shoe.path("windows").get(0).path("windowStart").asText()).isEqualTo(t.toString());
            assertThat(shoe.path("windows").get(0).path("reached").toString()).isEqualTo("[4,2,1]");
            assertThat(get(pipeline, "api/funnel?minutes=60&item=nothing").path("reached").toString()).isEqualTo("[0,0,0]");
            assertThat(get(pipeline, "api/funnel?minutes=10").path("items")).isEmpty();

            for (String bad : List.of("api/funnel?minutes=0", "api/funnel?minutes=10081", "api/funnel?minutes=x")) {
                var response = Http.get(pipeline.serverUrl() + bad);
                assertThat(response.statusCode()).as(bad).isEqualTo(400);
                assertThat(JSON.readTree(response.body()).path("error").asText()).as(bad).startsWith("Query parameter");
            }
        }
    }

    static void produce(Pipeline pipeline, List<Sent> events) throws Exception {
        try (KafkaProducer<String, byte[]> producer = Pipeline.producer()) {
            for (Sent event : events) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("user_id", event.user());
                json.put("item_id", event.item());
                json.put("interaction_type", event.type());
                json.put("timestamp", event.time().toString());
                producer.send(new ProducerRecord<>(pipeline.topic(), event.user(), JSON.writeValueAsBytes(json)));
            }
            producer.flush();
        }
    }

    static JsonNode get(Pipeline pipeline, String path) throws Exception {
        return JSON.readTree(Http.get(pipeline.serverUrl() + path).body());
    }

    static Instant windowStart(Instant time) {
        return time.truncatedTo(ChronoUnit.MINUTES);
    }

    private static Map<String, Set<String>> distinct(List<Sent> events, Function<Sent, String> key) {
        Map<String, Set<String>> users = new HashMap<>();
        events.forEach(e -> users.computeIfAbsent(key.apply(e), k -> new HashSet<>()).add(e.user()));
        return users;
    }
}
