package pulse.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import pulse.generator.RateMeter;
import pulse.kafka.ConsumerLag;
import pulse.kafka.RejectLog;
import pulse.metrics.AggregationProgress;
import pulse.pipeline.WriteCoalescer;
import pulse.store.FreshnessSample;
import pulse.store.WriteStats;

import java.util.concurrent.TimeUnit;

/**
 * The pipeline's own metrics, next to Camel's route metrics on {@code /observe/metrics} (names as Prometheus
 * shows them): {@code pulse_events_produced_total}, {@code pulse_events_aggregated_total},
 * {@code pulse_events_rejected_total} (label {@code reason}), {@code pulse_events_duplicate_total},
 * {@code pulse_mongodb_writes_total}, {@code pulse_batch_events},
 * {@code pulse_flush_seconds}, {@code pulse_freshness_seconds}, {@code pulse_consumer_lag},
 * {@code pulse_events_held}, {@code pulse_generator_rate}.
 */
public class PipelineMetrics implements MeterBinder {

    private final RateMeter generator;
    private final AggregationProgress progress;
    private final ConsumerLag lag;
    private final WriteCoalescer coalescer;
    private final RejectLog rejects;

    public PipelineMetrics(RateMeter generator, AggregationProgress progress, ConsumerLag lag, WriteCoalescer coalescer,
                           RejectLog rejects) {
        this.generator = generator;
        this.progress = progress;
        this.lag = lag;
        this.coalescer = coalescer;
        this.rejects = rejects;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("pulse.events.produced", generator, RateMeter::total)
                .description("Events the generator produced to Kafka").register(registry);
        FunctionCounter.builder("pulse.events.aggregated", progress, AggregationProgress::events)
                .description("Valid events folded into the aggregates").register(registry);
        // one per reason; sum them for the total
        rejects.reasons(reason -> rejectedCounter(registry, reason)).forEach(reason -> rejectedCounter(registry, reason));
        FunctionCounter.builder("pulse.events.duplicate", progress, AggregationProgress::duplicates)
                .description("Events dropped as duplicates of events already counted (dedup.horizon)").register(registry);
        FunctionCounter.builder("pulse.mongodb.writes", progress, AggregationProgress::documentsWritten)
                .description("MongoDB document updates sent").register(registry);
        Gauge.builder("pulse.consumer.lag", lag, l -> {
                    Long current = l.current();
                    return current == null ? Double.NaN : current;
                })
                .description("Records on the topic not yet committed by the consumer group").register(registry);
        Gauge.builder("pulse.events.held", coalescer, WriteCoalescer::heldEvents)
                .description("Events consumed and folded while a backlog drains, waiting to be written together").register(registry);
        Gauge.builder("pulse.generator.rate", generator, RateMeter::lastRate)
                .description("Events per second the generator achieved over its last interval").register(registry);
        DistributionSummary batchSize = DistributionSummary.builder("pulse.batch.events")
                .description("Records per MongoDB write (several consumed batches while behind)").register(registry);
        Timer flush = Timer.builder("pulse.flush")
                .description("Time to write a fold's aggregates to MongoDB").register(registry);
        Timer freshness = Timer.builder("pulse.freshness")
                .description("From an event's timestamp to its aggregates being written to MongoDB (of a write"
                        + " of more than " + FreshnessSample.MAX_PER_WRITE + " events, an evenly spaced sample)")
                .publishPercentiles(0.5, 0.95, 0.99).register(registry);
        progress.onBatch((WriteStats stats) -> {
            batchSize.record(stats.events() + stats.rejected());
            flush.record(stats.flushNanos(), TimeUnit.NANOSECONDS);
            for (long millis : stats.freshnessMillis()) {
                freshness.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
            }
        });
    }

    private void rejectedCounter(MeterRegistry registry, String reason) {
        FunctionCounter.builder("pulse.events.rejected", rejects, r -> r.total(reason))
                .tag("reason", reason)
                .description("Records sent to the dead-letter topic (acknowledged), by the reason they were rejected")
                .register(registry);
    }
}
