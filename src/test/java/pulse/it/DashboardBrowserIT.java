package pulse.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import pulse.embedded.TestInfrastructure;
import pulse.generator.RateMeter;
import pulse.testsupport.Http;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.text.NumberFormat;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Loads the dashboard in headless Chromium (Debian's chromium + chromium-driver) against a running pipeline:
 * KPIs equal {@code /api/summary}, the charts are drawn, and the empty and error states are visible.
 * Skipped when Chromium is not installed, unless {@code -Dbrowser.required=true} (as in CI).
 */
@ExtendWith(TestInfrastructure.class)
class DashboardBrowserIT {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChromeDriver browser;
    private Path profile;

    @BeforeEach
    void startBrowser() throws Exception {
        boolean installed = new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute();
        if (!installed && Boolean.getBoolean("browser.required")) {
            throw new IllegalStateException("Chromium is required (-Dbrowser.required=true) but " + CHROMIUM
                    + " or " + CHROMEDRIVER + " is missing: apt-get install chromium chromium-driver");
        }
        Assumptions.assumeTrue(installed, "Chromium not installed: apt-get install chromium chromium-driver");
        profile = Files.createTempDirectory("pulse-chromium");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1400,1250",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void thePopulatedDashboardShowsTheSummaryAndDrawsEveryChart() throws Exception {
        try (Pipeline pipeline = new Pipeline("dashboard")
                .with("analytics.unique-users.enabled", "true")
                .with("generator.enabled", "true")
                .with("generator.seed", "5")
                .with("generator.period", "50")
                .with("generator.events-per-tick", "100")
                .start()) {
            RateMeter generated = pipeline.context().getRegistry().lookupByNameAndType("generatorRate", RateMeter.class);
            await().atMost(Duration.ofSeconds(60)).until(() -> generated.total() >= 6000);
            pipeline.context().getRouteController().stopRoute("generate-interactions");
            long produced = generated.total();
            pipeline.awaitAggregated(produced, Duration.ofSeconds(60));

            browser.get(pipeline.serverUrl());
            await().atMost(Duration.ofSeconds(30)).until(() -> "true".equals(script("return document.body.dataset.loaded || ''")));
            JsonNode summary = JSON.readTree(Http.get(pipeline.serverUrl() + "api/summary").body());
            NumberFormat number = NumberFormat.getIntegerInstance(Locale.ENGLISH);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(text("kpi-events")).isEqualTo(number.format(summary.path("events").asLong()));
                assertThat(text("kpi-users")).isEqualTo(number.format(summary.path("users").asLong()));
                assertThat(text("kpi-items")).isEqualTo(number.format(summary.path("items").asLong()));
                assertThat(text("kpi-avg")).isEqualTo(String.format(Locale.ENGLISH, "%.2f",
                        summary.path("avgInteractionsPerUser").asDouble()));
                assertThat(text("kpi-max")).isEqualTo(summary.path("maxItem").path("itemId").asText() + " ("
                        + number.format(summary.path("maxItem").path("total").asLong()) + ")");
                assertThat(text("kpi-min")).isEqualTo(summary.path("minItem").path("itemId").asText() + " ("
                        + number.format(summary.path("minItem").path("total").asLong()) + ")");
                assertThat(text("kpi-rejected")).isEqualTo("0");
                assertThat(text("kpi-duplicates")).isEqualTo("0");
            });
            assertThat(browser.findElement(By.id("empty")).isDisplayed()).isFalse();
            assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();
            // sessions and funnels are off by default: their panels and KPIs are hidden
            assertThat(browser.findElement(By.id("figure-sessions")).isDisplayed()).isFalse();
            assertThat(browser.findElement(By.id("figure-funnel")).isDisplayed()).isFalse();
            assertThat(browser.findElement(By.id("kpi-sessions")).isDisplayed()).isFalse();
            // unique users: the KPI and the top items' second series are the API's
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode now = JSON.readTree(Http.get(pipeline.serverUrl() + "api/summary").body());
                assertThat(now.path("uniqueUsersLastHour").asLong()).isPositive();
                assertThat(text("kpi-unique-hour")).isEqualTo(number.format(now.path("uniqueUsersLastHour").asLong()));
                JsonNode top = JSON.readTree(Http.get(pipeline.serverUrl() + "api/items/top?n=10&minutes=60").body());
                List<Long> uniqueUsers = new ArrayList<>();
                top.forEach(item -> uniqueUsers.add(item.path("uniqueUsers").asLong()));
                assertThat(script("return Chart.getChart('chart-top').data.datasets[1].data")).isEqualTo(uniqueUsers);
            });
            for (String chart : new String[] {"chart-windows", "chart-top", "chart-mix", "chart-conversion", "chart-unique"}) {
                assertThat(((Number) script("return Chart.getChart('" + chart + "').data.labels.length")).intValue())
                        .as("%s has data", chart).isPositive();
                assertThat(((Number) script(paintedPixels(chart))).intValue()).as("%s is drawn", chart).isGreaterThan(500);
            }
            screenshot("dashboard.png");
        }
    }

    @Test
    void theTrendingSessionsAndFunnelPanelsShowWhatTheirApisAnswer() throws Exception {
        // whole minutes before the one in progress: "rocket" 5 -> 30 and "new" 0 -> 20 in the last 15 minutes against
        // the 15 before; each item's events by its own users, 2 minutes apart, so they make sessions
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        List<AnalyticsApiIT.Sent> events = new ArrayList<>();
        Map<String, int[]> counts = Map.of("rocket", new int[] {5, 30}, "new", new int[] {0, 20});
        for (int period = 0; period < 2; period++) {
            Instant from = minute.minus(Duration.ofMinutes(period == 0 ? 28 : 13));
            for (var item : counts.entrySet()) {
                for (int i = 0; i < item.getValue()[period]; i++) {
                    events.add(new AnalyticsApiIT.Sent(item.getKey() + "-fan-" + i % 5, item.getKey(), "view",
                            from.plus(Duration.ofSeconds(20L * i))));
                }
            }
        }
        events.sort(Comparator.comparing(AnalyticsApiIT.Sent::time)); // in time order: nothing late
        try (Pipeline pipeline = new Pipeline("dashboard-trending").with("analytics.sessions.enabled", "true")
                .with("analytics.funnels.enabled", "true").start()) {
            AnalyticsApiIT.produce(pipeline, events);
            pipeline.awaitAggregated(events.size(), Duration.ofSeconds(60));
            browser.get(pipeline.serverUrl());
            await().atMost(Duration.ofSeconds(30)).until(() -> "true".equals(script("return document.body.dataset.loaded || ''")));

            // trending: growth = current / max(previous, 10): rocket 30 / 10 = 3, new 20 / 10 = 2
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(script("return Chart.getChart('chart-trending').data.labels")).isEqualTo(List.of("rocket", "new"));
                assertThat(script("return Chart.getChart('chart-trending').data.datasets[1].data")).isEqualTo(List.of(30L, 20L));
                assertThat(script("return Chart.getChart('chart-trending').data.datasets[0].data")).isEqualTo(List.of(5L, 0L));
            });
            // sessions: each of the 10 fans acts at most 100 s apart within a period and ~14 minutes apart between
            // them, under the 30 minute gap: one session each
            JsonNode sessions = JSON.readTree(Http.get(pipeline.serverUrl() + "api/sessions?minutes=60").body());
            assertThat(sessions.path("sessionsStarted").asLong()).isEqualTo(10);
            List<Long> started = new ArrayList<>();
            sessions.path("windows").forEach(w -> started.add(w.path("sessionsStarted").asLong()));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(text("kpi-sessions")).isEqualTo("10");
                assertThat(script("return Chart.getChart('chart-sessions').data.datasets[0].data")).isEqualTo(started);
            });
            assertThat(text("kpi-session-length")).endsWith(String.format(Locale.ENGLISH, "%.1f events",
                    sessions.path("meanEventsPerSession").asDouble()));
            // funnel: only views were sent, so each item's users are all at the first step
            JsonNode funnel = JSON.readTree(Http.get(pipeline.serverUrl() + "api/funnel?minutes=60").body());
            List<String> funnelItems = new ArrayList<>();
            List<Long> entered = new ArrayList<>();
            funnel.path("items").forEach(i -> {
                funnelItems.add(i.path("itemId").asText());
                entered.add(i.path("reached").get(0).asLong());
            });
            assertThat(funnelItems).containsExactlyInAnyOrder("rocket", "new");
            assertThat(entered).containsExactly(5L, 5L); // 5 fans each
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(script("return Chart.getChart('chart-funnel').data.labels")).isEqualTo(funnelItems);
                assertThat(script("return Chart.getChart('chart-funnel').data.datasets.map(d => d.label)"))
                        .isEqualTo(List.of("view", "click", "purchase"));
                assertThat(script("return Chart.getChart('chart-funnel').data.datasets[0].data")).isEqualTo(entered);
            });
            for (String chart : new String[] {"chart-trending", "chart-sessions", "chart-funnel"}) {
                assertThat(((Number) script(paintedPixels(chart))).intValue()).as("%s is drawn", chart).isGreaterThan(500);
            }
            assertThat(browser.findElement(By.id("figure-trending")).isDisplayed()).isTrue();
            assertThat(browser.findElement(By.id("figure-sessions")).isDisplayed()).isTrue();
            assertThat(browser.findElement(By.id("figure-funnel")).isDisplayed()).isTrue();
        }
    }

    @Test
    void theChartsFollowTheConfiguredVocabularyAndConversion() {
        // the generator writes the nested shape with display names; the aggregation reads it by the README's mapping
        try (Pipeline pipeline = new Pipeline("dashboard-vocabulary")
                .with("generator.enabled", "true")
                .with("generator.format", "nested")
                .with("generator.type-mix", "view:60,click:20,add_to_cart:15,purchase:5")
                .with("event.types", "view,click,purchase,add_to_cart")
                .with("event.types.aliases", "Product Viewed:view,Product Clicked:click,Order Completed:purchase,"
                        + "Product Added:add_to_cart")
                .with("event.fields.user-id", "/user/id")
                .with("event.fields.item-id", "/properties/product_id")
                .with("event.fields.type", "/event/name")
                .with("event.fields.timestamp", "/event/ts")
                .with("event.fields.event-id", "/event/id")
                .with("analytics.conversion", "purchase/add_to_cart")
                .start()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.summaryEvents() >= 2000);
            browser.get(pipeline.serverUrl());
            await().atMost(Duration.ofSeconds(30)).until(() -> "true".equals(script("return document.body.dataset.loaded || ''")));

            List<String> types = List.of("view", "click", "purchase", "add_to_cart");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(script("return Chart.getChart('chart-windows').data.datasets.map(d => d.label)")).isEqualTo(types);
                assertThat(script("return Chart.getChart('chart-mix').data.labels")).isEqualTo(types);
                assertThat(((Number) script("return Chart.getChart('chart-windows').data.datasets[3].data"
                        + ".reduce((a, b) => a + b, 0)")).longValue()).as("add_to_cart events per minute").isPositive();
            });
            assertThat(text("conversion-caption")).contains("purchase / add_to_cart");
            assertThat(text("kpi-rejected")).isEqualTo("0");
            assertThat(text("kpi-duplicates")).isEqualTo("0");
        }
    }

    @Test
    void beforeAnyEventTheDashboardSaysItIsWaiting() {
        try (Pipeline pipeline = new Pipeline("dashboard-empty").start()) {
            browser.get(pipeline.serverUrl());
            await().atMost(Duration.ofSeconds(30)).until(() -> browser.findElement(By.id("empty")).isDisplayed());
            assertThat(text("kpi-events")).isEqualTo("0");
            assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();
        }
    }

    @Test
    void whenMongoDbIsUnreachableTheDashboardShowsAnError() throws Exception {
        try (Pipeline pipeline = new Pipeline("dashboard-no-mongo").with("mongodb.uri", "mongodb://127.0.0.1:1").start()) {
            browser.get(pipeline.serverUrl());
            await().atMost(Duration.ofSeconds(45)).until(() -> browser.findElement(By.id("error")).isDisplayed());
            assertThat(text("error")).contains("MongoDB is unreachable");
            assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("error");
            screenshot("dashboard-error.png");
        }
    }

    private Object script(String javascript) {
        return ((JavascriptExecutor) browser).executeScript(javascript);
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    /** How many pixels of a canvas are not transparent. */
    private static String paintedPixels(String canvasId) {
        return "const c = document.getElementById('" + canvasId + "');"
                + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + "let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n;";
    }

    private void screenshot(String name) throws Exception {
        Path target = Path.of("target", name);
        Files.createDirectories(target.getParent());
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }
}
