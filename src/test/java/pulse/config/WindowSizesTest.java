package pulse.config;

import org.junit.jupiter.api.Test;
import pulse.aggregate.Dimensions;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WindowSizesTest {

    private static List<Duration> sizes(String value) {
        Map<String, String> properties = Map.of("aggregation.window.sizes", value);
        return PulseOptions.windowSizes(new Settings(key -> Optional.ofNullable(properties.get(key))),
                "aggregation.window.sizes");
    }

    @Test
    void aListOfRoundSizesThePrimaryFirst() {
        assertThat(sizes("PT1M")).containsExactly(Duration.ofMinutes(1));
        assertThat(sizes("PT1M, PT1H,P1D")).containsExactly(Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofDays(1));
        assertThat(Dimensions.of(sizes("PT5M,PT1H,PT30S")).all()).extracting(d -> d.collection()).containsExactly(
                "users", "items", "windows", "item_windows", "windows_1h", "item_windows_1h",
                "windows_30s", "item_windows_30s");
    }

    @Test
    void refusesSizesThatDoNotDivideADayAndNamesTheProperty() {
        assertThatThrownBy(() -> sizes("PT7M")).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("aggregation.window.sizes").hasMessageContaining("divide a day");
        assertThatThrownBy(() -> sizes("PT0.5S")).hasMessageContaining("whole seconds");
        assertThatThrownBy(() -> sizes("PT1M,PT60S")).hasMessageContaining("twice");
        assertThatThrownBy(() -> sizes("1 hour")).hasMessageContaining("not an ISO-8601 duration");
        assertThatThrownBy(() -> sizes("PT1M,")).isInstanceOf(InvalidConfigurationException.class);
    }
}
