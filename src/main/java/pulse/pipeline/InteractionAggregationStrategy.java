package pulse.pipeline;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import pulse.pipeline.FoldedRecords;

/**
 * Folds the per-partition folds of one consumed batch into the batch's: events, per-document deltas and the
 * records rejected to the dead-letter topic. The first fold becomes the result; the others are merged into it.
 */
public class InteractionAggregationStrategy implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        if (oldExchange == null) {
            return newExchange;
        }
        FoldedRecords folded = oldExchange.getMessage().getBody(FoldedRecords.class);
        folded.merge(newExchange.getMessage().getBody(FoldedRecords.class));
        return oldExchange;
    }
}
