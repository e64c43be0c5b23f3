package pulse.bench;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import pulse.aggregate.Rollups;
import pulse.event.EventMapping;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;
import pulse.generator.EventShape;
import pulse.generator.GeneratedRecord;
import pulse.generator.ShapeProperties;
import pulse.it.GroundTruth;

import java.nio.charset.StandardCharsets;
import java.util.AbstractCollection;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The event shapes the generator writes ({@code generator.format}, {@link EventShape}), each read by the app with
 * the properties README gives for it ({@link ShapeProperties}): what parsing costs per event in each
 * ({@link ShapeCosts}, in this JVM), and the jar end to end on a topic of the same events written in that shape,
 * checked against the ground truth of the ids and types as the shape carries them. The product's own shape
 * ({@code pulse}) runs on the same number of events, so that every shape is compared with it like for like.
 */
final class ShapesPhase {

    static final String TOPIC_PREFIX = "bench-shape-";
    /** Issue 14: no shape's parsing may cost more than this times the product's own shape's. */
    static final double MAX_PARSE_RATIO = 1.5;

    private final Benchmark b;
    private final BenchmarkOptions o;
    private final Report report;
    private final JarPhases jar;

    ShapesPhase(Benchmark benchmark, JarPhases jar) {
        this.b = benchmark;
        this.o = benchmark.options();
        this.report = benchmark.report();
        this.jar = jar;
    }

    /**
     * @param mainRun the default end-to-end run of the jar, taken as the {@code pulse} shape's when it ran on as many
     *                events (null: none; with --jar-events it ran on more, and the pulse shape gets a run of its own)
     */
    void run(BenchEvents events, JarRun mainRun) throws Exception {
        long n = Math.min(o.shapeEvents, events.count());
        BenchEvents prefix = events.prefix(n);
        int parseEvents = (int) Math.min(o.shapeParseEvents, n);
        say("[shapes] parse cost: the app's EventParser on one thread of this JVM, %,d events in each shape, best of %d"
                + " passes after a warm-up pass, the shapes in turn", parseEvents, o.shapeParsePasses);
        Map<EventShape, ShapeCosts.Cost> costs = new EnumMap<>(EventShape.class);
        for (ShapeCosts.Cost cost : ShapeCosts.measure(events.prefix(parseEvents), o.shapeParsePasses)) {
            costs.put(cost.shape(), cost);
        }

        Map<EventShape, JarRun> runs = new EnumMap<>(EventShape.class);
        for (EventShape shape : o.shapes) {
            String key = "shape." + shape.property();
            if (shape == EventShape.PULSE && mainRun != null && mainRun.records() == n) {
                say("[shapes] pulse: the default end-to-end run of the jar (same topic, same %,d events)", n);
                runs.put(shape, mainRun);
                report.value(key + ".sameAs", "jar");
                continue;
            }
            String topic = TOPIC_PREFIX + shape.property();
            b.createTopics(List.of(topic));
            produce(shape, prefix, topic);
            JarPhases.Shape runShape = new JarPhases.Shape(shape.property(), topic, ShapeProperties.of(shape));
            runs.put(shape, jar.endToEnd(runShape, n, () -> truth(shape, prefix), o.jar, key, "", o.appJavaOptions,
                    JarPhases.Rows.COMPACT));
        }

        ShapeCosts.Cost baseCost = costs.get(EventShape.PULSE);
        JarRun base = runs.get(EventShape.PULSE);
        for (EventShape shape : EventShape.values()) { // every shape's parse cost; end to end those of --shapes
            String key = "shape." + shape.property();
            ShapeCosts.Cost cost = costs.get(shape);
            boolean reference = shape == EventShape.PULSE;
            report.row("shape " + shape.property() + ": parse cost per event (EventParser, 1 thread, best of "
                            + o.shapeParsePasses + " passes over " + String.format(Locale.ROOT, "%,d", parseEvents)
                            + " events)", cost.nanosPerEvent(), "ns/event",
                    reference ? "(reference)" : "<= " + MAX_PARSE_RATIO + "x pulse's", Report.ratio(cost.ratio()),
                    reference ? null : cost.ratio() <= MAX_PARSE_RATIO);
            report.value(key + ".parseNanosPerEvent", Report.round(cost.nanosPerEvent(), 1));
            report.value(key + ".parseRatioToPulse", Report.round(cost.ratio(), 3));
            JarRun run = runs.get(shape);
            if (run == null) {
                continue;
            }
            JarRun.Steady steady = JarPhases.steady(run);
            String size = String.format(Locale.ROOT, "%,d", run.records());
            long mainEvents = mainRun == null ? events.count() : mainRun.records();
            String fewer = n < mainEvents ? String.format(Locale.ROOT, "; the main row has %,d", mainEvents) : "";
            report.row("  end to end, the jar (" + size + " events" + fewer + (run == mainRun ? "; the main row's run" : "")
                            + "): launch -> all in MongoDB",
                    run.launchRate(), "events/s", "(info)", reference ? "" : Report.ratio(run.launchRate() / base.launchRate()),
                    null);
            report.row("  from the join / in steady state / app CPU per event", String.format(Locale.ROOT,
                            "%,.0f / %s / %.2f us", run.joinRate(), steady == null ? "-" : String.format(Locale.ROOT,
                                    "%,.0f", steady.rate()), run.appCpuMicrosPerRecord()), "events/s",
                    "(info)", reference ? "" : Report.ratio(run.joinRate() / base.joinRate()) + " (join)", null);
            if (!reference && base != null) {
                report.value(key + ".launchRatioToPulse", Report.round(run.launchRate() / base.launchRate(), 3));
                report.value(key + ".joinRatioToPulse", Report.round(run.joinRate() / base.joinRate(), 3));
            }
        }
    }

    /** The prefix of the benchmark's events, written in {@code shape} as the generator writes it, onto {@code topic}. */
    private void produce(EventShape shape, BenchEvents events, String topic) throws Exception {
        Map<InteractionType, String> spellings = ShapeProperties.mapping(shape).types().spellings();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Callback callback = (metadata, exception) -> {
            if (exception != null) {
                failure.compareAndSet(null, exception);
            }
        };
        long start = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(b.producerProperties())) {
            for (InteractionEvent event : events) {
                GeneratedRecord record = shape.write(event, spellings, EventShape.Fault.NONE);
                RecordHeaders headers = new RecordHeaders();
                record.headers().forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
                producer.send(new ProducerRecord<>(topic, null, record.key(), record.value(), headers), callback);
                if (failure.get() != null) {
                    throw failure.get();
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        say("[shapes] %,d events written in shape %s onto %s in %.1f s (not measured)", events.count(),
                shape.property(), topic, (System.nanoTime() - start) / 1e9);
    }

    /**
     * What the app must aggregate from {@code events} written in {@code shape}: the ids as the shape carries them
     * (integer-id shapes write the generator's rank, {@code user-42} -> {@code 42}, which the app stores as its
     * decimal text), and the shape's type vocabulary.
     */
    static GroundTruth truth(EventShape shape, BenchEvents events) {
        EventMapping mapping = ShapeProperties.mapping(shape);
        UnaryOperator<String> user = shape == EventShape.MINIMAL || shape == EventShape.NESTED ? ShapesPhase::rank
                : UnaryOperator.identity();
        UnaryOperator<String> item = shape == EventShape.MINIMAL ? ShapesPhase::rank : UnaryOperator.identity();
        Collection<InteractionEvent> asRead = new AbstractCollection<>() {
            @Override
            public Iterator<InteractionEvent> iterator() {
                Iterator<InteractionEvent> it = events.iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public InteractionEvent next() {
                        InteractionEvent e = it.next();
                        return new InteractionEvent(e.eventId(), e.schemaVersion(), user.apply(e.userId()),
                                item.apply(e.itemId()), e.type(), e.timestamp());
                    }
                };
            }

            @Override
            public int size() {
                return events.size();
            }
        };
        return new GroundTruth(asRead, Rollups.DEFAULT, mapping.types());
    }

    /** {@code user-42} -> {@code 42}: the generator's rank, as the integer-id shapes write it. */
    static String rank(String id) {
        return id.substring(id.indexOf('-') + 1);
    }

    private static void say(String format, Object... args) {
        Benchmark.say(format, args);
    }
}
