package pulse.api;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import pulse.aggregate.Rollups;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrendingItemsTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T10:17:42Z"), ZoneOffset.UTC);
    private final TrendingItems trending = new TrendingItems(
            Rollups.of(List.of(Duration.ofMinutes(1), Duration.ofHours(1))), 10, CLOCK);

    @Test
    void comparesTheLastWholeWindowsBeforeTheOneInProgressWithThoseBefore() {
        TrendingItems.Periods minutes = trending.periods("15", null);
        assertThat(minutes.until()).isEqualTo(Instant.parse("2026-12-02T10:17:00Z"));
        assertThat(minutes.currentFrom()).isEqualTo(Instant.parse("2026-12-02T10:02:00Z"));
        assertThat(minutes.previousFrom()).isEqualTo(Instant.parse("2026-12-02T09:47:00Z"));

        TrendingItems.Periods hours = trending.periods("120", "PT1H");
        assertThat(hours.until()).isEqualTo(Instant.parse("2026-12-02T10:00:00Z"));
        assertThat(hours.currentFrom()).isEqualTo(Instant.parse("2026-12-02T08:00:00Z"));
        assertThat(hours.previousFrom()).isEqualTo(Instant.parse("2026-12-02T06:00:00Z"));
        assertThat(trending.periods(null, null).minutes()).isEqualTo(60);
    }

    @Test
    void badParametersSayWhatIsWrong() {
        for (String minutes : List.of("0", "-5", "5041", "ten", "1.5")) {
            assertThatThrownBy(() -> trending.periods(minutes, null)).isInstanceOf(ApiParameterException.class)
                    .hasMessageContaining("'minutes' must be a whole number from 1 to 5040");
        }
        assertThatThrownBy(() -> trending.periods("90", "PT1H")).isInstanceOf(ApiParameterException.class)
                .hasMessageContaining("whole number of windows of PT1H");
        assertThatThrownBy(() -> trending.periods("60", "PT5M")).isInstanceOf(ApiParameterException.class)
                .hasMessageContaining("'size' must be one of the configured window sizes");
    }

    @Test
    void theViewGivesCountsChangeRatioAndGrowthWithTheFlooredBase() {
        TrendingItems.Periods periods = trending.periods("15", null);
        Map<String, Object> view = trending.view(List.of(
                new Document("_id", "new").append("current", 30L).append("previous", 0L),
                new Document("_id", "grown").append("current", 250L).append("previous", 100L)), periods);

        assertThat(view).containsEntry("minutes", 15).containsEntry("minCount", 10L)
                .containsEntry("currentFrom", "2026-12-02T10:02:00Z").containsEntry("until", "2026-12-02T10:17:00Z");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> items = (List<Map<String, Object>>) view.get("items");
        assertThat(items.get(0)).containsEntry("itemId", "new").containsEntry("change", 30L)
                .containsEntry("ratio", null).containsEntry("growth", 3.0);
        assertThat(items.get(1)).containsEntry("itemId", "grown").containsEntry("change", 150L)
                .containsEntry("ratio", 2.5).containsEntry("growth", 2.5);
    }
}
