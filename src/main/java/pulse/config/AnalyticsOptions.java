package pulse.config;

import pulse.aggregate.UniqueUsers;

import pulse.event.InteractionTypes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The analytics beyond counts ({@code analytics.*}), read and validated once at start.
 *
 * @param uniqueUsers       the unique users sketches, or null when {@code analytics.unique-users.enabled=false}
 * @param trendingMinCount the fewest interactions in the current period for an item to be trending
 * @param sessionsEnabled   {@code analytics.sessions.enabled}
 * @param sessionGap        {@code analytics.session.gap}: events further apart start a new session (event time)
 * @param funnelsEnabled    {@code analytics.funnels.enabled}
 * @param funnelSteps       {@code analytics.funnel.steps}: types of the vocabulary, in order
 * @param funnelWindow      {@code analytics.funnel.window}: how long after its first step a funnel attempt stays open
 */
public record AnalyticsOptions(UniqueUsers uniqueUsers, long trendingMinCount, boolean sessionsEnabled,
                               Duration sessionGap, boolean funnelsEnabled, List<String> funnelSteps,
                               Duration funnelWindow) {

    /** @param types the configured vocabulary ({@code event.types}), which the funnel's steps must be part of */
    public static AnalyticsOptions from(Settings settings, InteractionTypes types) {
        boolean uniqueUsersOn = settings.bool("analytics.unique-users.enabled");
        int lgK = settings.intInRange("analytics.unique-users.lg-k", UniqueUsers.MIN_LG_K, UniqueUsers.MAX_LG_K);
        return new AnalyticsOptions(uniqueUsersOn ? new UniqueUsers(lgK) : null,
                settings.positiveLong("analytics.trending.min-count"), settings.bool("analytics.sessions.enabled"),
                settings.positiveDuration("analytics.session.gap"), settings.bool("analytics.funnels.enabled"),
                funnelSteps(settings, types), settings.positiveDuration("analytics.funnel.window"));
    }

    static List<String> funnelSteps(Settings settings, InteractionTypes types) {
        String key = "analytics.funnel.steps";
        String value = settings.string(key);
        List<String> steps = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String written = part.trim();
            if (!types.contains(written)) {
                throw new InvalidConfigurationException(key, "= '" + value + "': '" + written + "' is not one of the types "
                        + types.names() + " (event.types)");
            }
            String step = types.named(written).name(); // as configured in event.types
            if (steps.contains(step)) {
                throw new InvalidConfigurationException(key, "= '" + value + "' names '" + step + "' twice");
            }
            steps.add(step);
        }
        return List.copyOf(steps);
    }

    public boolean uniqueUsersEnabled() {
        return uniqueUsers != null;
    }
}
