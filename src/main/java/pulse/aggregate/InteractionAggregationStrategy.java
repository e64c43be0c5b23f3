package pulse.aggregate;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import pulse.event.ConsumedEvent;
import pulse.kafka.DeadLetters;

/**
 * Folds the records of one consumed batch into a {@link BatchDelta}: valid events are added, anything else
 * (a record that went to the dead-letter topic, whose headers say where it came from) is counted as rejected.
 */
public class InteractionAggregationStrategy implements AggregationStrategy {

    private final Dimensions dimensions;

    public InteractionAggregationStrategy(Dimensions dimensions) {
        this.dimensions = dimensions;
    }

    /** Folds into the default aggregates (1-minute windows). */
    public InteractionAggregationStrategy() {
        this(Dimensions.DEFAULT);
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        Exchange result = oldExchange != null ? oldExchange : newExchange;
        BatchDelta delta = oldExchange != null ? oldExchange.getMessage().getBody(BatchDelta.class) : new BatchDelta(dimensions);
        if (newExchange.getMessage().getBody() instanceof ConsumedEvent event) {
            delta.add(event);
        } else {
            delta.reject(new Position(
                    newExchange.getMessage().getHeader(DeadLetters.SOURCE_PARTITION, Integer.class),
                    newExchange.getMessage().getHeader(DeadLetters.SOURCE_OFFSET, Long.class)));
        }
        result.getMessage().setBody(delta);
        return result;
    }
}
