package pulse.config;

import org.junit.jupiter.api.Test;
import pulse.event.InteractionTypes;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AnalyticsOptionsTest {

    /** application.properties with some values replaced. */
    private static AnalyticsOptions options(Map<String, String> overrides) throws java.io.IOException {
        Properties defaults = new Properties();
        try (InputStream in = AnalyticsOptionsTest.class.getResourceAsStream("/application.properties")) {
            defaults.load(in);
        }
        return AnalyticsOptions.from(new Settings(key -> Optional.ofNullable(
                overrides.containsKey(key) ? overrides.get(key) : defaults.getProperty(key))),
                InteractionTypes.of(List.of("view", "click", "purchase", "add_to_cart"), Map.of(), false));
    }

    @Test
    void defaultsAreUniqueUsersOnSessionsAndFunnelsOffWithAThirtyMinuteGapAndAnHourWindow() throws Exception {
        AnalyticsOptions options = options(Map.of());
        assertThat(options.sessionsEnabled()).isFalse();
        assertThat(options.funnelsEnabled()).isFalse();
        assertThat(options.sessionGap()).isEqualTo(Duration.ofMinutes(30));
        assertThat(options.uniqueUsersEnabled()).isTrue();
        assertThat(options.uniqueUsers().lgK()).isEqualTo(14);
        assertThat(options(Map.of("analytics.unique-users.enabled", "false")).uniqueUsersEnabled()).isFalse();
        assertThat(options.trendingMinCount()).isEqualTo(10);
        assertThat(options.funnelSteps()).containsExactly("view", "click", "purchase");
        assertThat(options.funnelWindow()).isEqualTo(Duration.ofHours(1));
        assertThat(options(Map.of("analytics.funnel.steps", " VIEW, add_to_cart ,purchase")).funnelSteps())
                .containsExactly("view", "add_to_cart", "purchase");
    }

    @Test
    void funnelStepsOutsideTheVocabularyOrTwiceFailNamingTheProperty() {
        assertThatThrownBy(() -> options(Map.of("analytics.funnel.steps", "view,checkout,purchase")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("Invalid configuration: analytics.funnel.steps = 'view,checkout,purchase': 'checkout' is not"
                        + " one of the types [view, click, purchase, add_to_cart] (event.types)");
        assertThatThrownBy(() -> options(Map.of("analytics.funnel.steps", "view,click,view")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("analytics.funnel.steps")
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> options(Map.of("analytics.funnel.steps", "view,,purchase")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("analytics.funnel.steps");
        assertThatThrownBy(() -> options(Map.of("analytics.funnel.window", "1h")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("analytics.funnel.window");
    }

    @Test
    void aBadSessionGapOrTrendingMinimumFailsNamingTheProperty() {
        for (String gap : new String[] {"30m", "PT0S", "-PT5M", ""}) {
            assertThatThrownBy(() -> options(Map.of("analytics.session.gap", gap)))
                    .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("analytics.session.gap");
        }
        assertThatThrownBy(() -> options(Map.of("analytics.trending.min-count", "0")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("analytics.trending.min-count");
        assertThatThrownBy(() -> options(Map.of("analytics.sessions.enabled", "yes")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("analytics.sessions.enabled");
    }
}
