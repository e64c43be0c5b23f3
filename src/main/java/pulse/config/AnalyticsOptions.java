package pulse.config;

import pulse.aggregate.UniqueUsers;

import java.time.Duration;

/**
 * The analytics beyond counts ({@code analytics.*}), read and validated once at start.
 *
 * @param uniqueUsers       the unique users sketches, or null when {@code analytics.unique-users.enabled=false}
 * @param trendingMinCount the fewest interactions in the current period for an item to be trending
 * @param sessionsEnabled   {@code analytics.sessions.enabled}
 * @param sessionGap        {@code analytics.session.gap}: events further apart start a new session (event time)
 */
public record AnalyticsOptions(UniqueUsers uniqueUsers, long trendingMinCount, boolean sessionsEnabled,
                               Duration sessionGap) {

    public static AnalyticsOptions from(Settings settings) {
        boolean uniqueUsersOn = settings.bool("analytics.unique-users.enabled");
        int lgK = settings.intInRange("analytics.unique-users.lg-k", UniqueUsers.MIN_LG_K, UniqueUsers.MAX_LG_K);
        return new AnalyticsOptions(uniqueUsersOn ? new UniqueUsers(lgK) : null,
                settings.positiveLong("analytics.trending.min-count"), settings.bool("analytics.sessions.enabled"),
                settings.positiveDuration("analytics.session.gap"));
    }

    public boolean uniqueUsersEnabled() {
        return uniqueUsers != null;
    }
}
