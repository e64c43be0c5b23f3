package pulse.config;

import pulse.aggregate.UniqueUsers;

/**
 * The analytics beyond counts ({@code analytics.*}), read and validated once at start.
 *
 * @param uniqueUsers       the unique users sketches, or null when {@code analytics.unique-users.enabled=false}
 * @param trendingMinCount the fewest interactions in the current period for an item to be trending
 */
public record AnalyticsOptions(UniqueUsers uniqueUsers, long trendingMinCount) {

    public static AnalyticsOptions from(Settings settings) {
        boolean uniqueUsersOn = settings.bool("analytics.unique-users.enabled");
        int lgK = settings.intInRange("analytics.unique-users.lg-k", UniqueUsers.MIN_LG_K, UniqueUsers.MAX_LG_K);
        return new AnalyticsOptions(uniqueUsersOn ? new UniqueUsers(lgK) : null,
                settings.positiveLong("analytics.trending.min-count"));
    }

    public boolean uniqueUsersEnabled() {
        return uniqueUsers != null;
    }
}
