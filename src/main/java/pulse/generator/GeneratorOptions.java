package pulse.generator;

import pulse.event.InteractionTypes;

import java.time.Duration;
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
 * @param typeWeights        relative weight of each type of the vocabulary, by its index (the funnel)
 * @param seed               fixed seed for a reproducible run, or empty for a random one
 * @param faults             deliberate bad data, to watch the pipeline cope
 * @param types              the interaction vocabulary, with the aliases the display-name shapes write
 * @param shape              the shape events are written in ({@code generator.format})
 */
public record GeneratorOptions(long periodMs, int eventsPerTick, int users, int items,
                               double itemZipfExponent, double userZipfExponent,
                               double[] typeWeights, OptionalLong seed, Faults faults, InteractionTypes types,
                               EventShape shape) {

    /**
     * Fault injection, all 0 by default.
     *
     * @param malformedRatio  share of records made invalid (they end in the dead-letter topic)
     * @param lateRatio       share of events stamped older than the window grace (they end in the late counters)
     * @param outOfOrderRatio share of events stamped up to half the grace in the past (still counted in their window)
     * @param grace           the aggregation's window grace, which "late" has to exceed
     * @param windowSize      the primary window size: late events are late for those windows
     */
    public record Faults(double malformedRatio, double lateRatio, double outOfOrderRatio, Duration grace,
                         Duration windowSize) {
        public static final Faults NONE = new Faults(0, 0, 0, Duration.ofMinutes(5), Duration.ofMinutes(1));
    }

    public GeneratorOptions(long periodMs, int eventsPerTick, int users, int items, double itemZipfExponent,
                            double userZipfExponent, double[] typeWeights, OptionalLong seed) {
        this(periodMs, eventsPerTick, users, items, itemZipfExponent, userZipfExponent, typeWeights, seed, Faults.NONE,
                InteractionTypes.DEFAULT, EventShape.PULSE);
    }

    /** These options writing another shape. */
    public GeneratorOptions withShape(EventShape shape, InteractionTypes types) {
        return new GeneratorOptions(periodMs, eventsPerTick, users, items, itemZipfExponent, userZipfExponent,
                typeWeights, seed, faults, types, shape);
    }

    /** These options with fault injection. */
    public GeneratorOptions withFaults(Faults faults) {
        return new GeneratorOptions(periodMs, eventsPerTick, users, items, itemZipfExponent, userZipfExponent,
                typeWeights, seed, faults, types, shape);
    }

    /** The rate these options ask for, in events per second. */
    public double configuredRate() {
        return eventsPerTick * 1000.0 / periodMs;
    }
}
