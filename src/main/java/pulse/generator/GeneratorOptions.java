package pulse.generator;

import java.util.OptionalLong;

/**
 * How the generator shapes its traffic.
 *
 * @param periodMs           timer period ({@code generator.period})
 * @param eventsPerTick      events produced per tick ({@code generator.events-per-tick})
 * @param users              number of distinct users ({@code generator.users})
 * @param items              number of distinct items ({@code generator.items})
 * @param itemZipfExponent   popularity skew of items; higher means a few items get most interactions
 * @param userZipfExponent   activity skew of users; higher means a few users are far more active
 * @param typeWeights        relative weights of view, click, purchase (the funnel)
 * @param seed               fixed seed for a reproducible run, or empty for a random one
 */
public record GeneratorOptions(long periodMs, int eventsPerTick, int users, int items,
                               double itemZipfExponent, double userZipfExponent,
                               double[] typeWeights, OptionalLong seed) {

    /** The rate these options ask for, in events per second. */
    public double configuredRate() {
        return eventsPerTick * 1000.0 / periodMs;
    }
}
