package pulse.generator;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.AliasMethodDiscreteSampler;
import org.apache.commons.rng.sampling.distribution.DiscreteSampler;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;
import org.apache.commons.rng.simple.RandomSource;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Builds realistic interaction events: item popularity follows a Zipf law, a few users are far more
 * active than the rest (also Zipf), and the type mix follows a funnel (views >> clicks >> purchases).
 * With a seed, the sequence of ids, users, items and types is reproducible; timestamps come from the clock.
 */
public class InteractionGenerator {

    private final UniformRandomProvider random;
    private final DiscreteSampler items;
    private final DiscreteSampler users;
    private final DiscreteSampler types;
    private final List<InteractionType> vocabulary;
    private final Map<InteractionType, String> spellings;
    private final EventShape shape;
    private final int eventsPerTick;
    private final GeneratorOptions.Faults faults;
    private final Clock clock;

    public InteractionGenerator(GeneratorOptions options, Clock clock) {
        this.random = options.seed().isPresent()
                ? RandomSource.XO_RO_SHI_RO_128_PP.create(options.seed().getAsLong())
                : RandomSource.XO_RO_SHI_RO_128_PP.create();
        this.items = RejectionInversionZipfSampler.of(random, options.items(), options.itemZipfExponent());
        this.users = RejectionInversionZipfSampler.of(random, options.users(), options.userZipfExponent());
        this.types = AliasMethodDiscreteSampler.of(random, options.typeWeights());
        this.vocabulary = options.types().all();
        this.spellings = options.types().spellings();
        this.shape = options.shape();
        this.eventsPerTick = options.eventsPerTick();
        this.faults = options.faults();
        this.clock = clock;
    }

    /** One tick's worth of events. */
    public List<InteractionEvent> nextBatch() {
        return next(eventsPerTick);
    }

    public List<InteractionEvent> next(int count) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        List<InteractionEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(next(now));
        }
        return events;
    }

    private InteractionEvent next(Instant now) {
        return new InteractionEvent(uuid(), InteractionEvent.CURRENT_SCHEMA_VERSION,
                userId(users.sample()), itemId(items.sample()), vocabulary.get(types.sample()), timestamp(now));
    }

    /** Now, or, when fault injection asks for it, a late or out-of-order time. */
    private Instant timestamp(Instant now) {
        if (faults.lateRatio() > 0 && random.nextDouble() < faults.lateRatio()) {
            // older than window + grace: its window has closed on any partition that has seen "now"
            long lateMillis = faults.windowSize().plus(faults.grace()).toMillis() + 60_000 + random.nextLong(60_000);
            return now.minusMillis(lateMillis);
        }
        if (faults.outOfOrderRatio() > 0 && random.nextDouble() < faults.outOfOrderRatio()) {
            return now.minusMillis(random.nextLong(Math.max(1, faults.grace().toMillis() / 2)));
        }
        return now;
    }

    /**
     * One tick's worth of records in the configured shape, keyed by user. A share ({@code generator.malformed-ratio})
     * is broken, in turn: truncated JSON, an unknown interaction type, a missing user id, an item id with '$'.
     */
    public List<GeneratedRecord> nextRecords() {
        List<InteractionEvent> events = nextBatch();
        List<GeneratedRecord> records = new ArrayList<>(events.size());
        for (InteractionEvent event : events) {
            EventShape.Fault fault = EventShape.Fault.NONE;
            if (faults.malformedRatio() > 0 && random.nextDouble() < faults.malformedRatio()) {
                fault = EventShape.Fault.values()[1 + random.nextInt(EventShape.Fault.values().length - 1)];
            }
            records.add(shape.write(event, spellings, fault));
        }
        return records;
    }

    /** A version-4 UUID drawn from the generator's own random source, so that a seed reproduces it. */
    private String uuid() {
        long most = (random.nextLong() & ~0xF000L) | 0x4000L;
        long least = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(most, least).toString();
    }

    /** Rank 1 is the most active user. */
    public static String userId(int rank) {
        return "user-" + rank;
    }

    /** Rank 1 is the most popular item. */
    public static String itemId(int rank) {
        return "item-" + rank;
    }
}
