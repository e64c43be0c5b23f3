package pulse.pipeline;

import pulse.aggregate.BatchDelta;
import pulse.kafka.RejectedRecord;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Records folded into a delta, and those rejected on the way (for the dead-letter topic). */
public final class FoldedRecords {

    private final BatchDelta delta;
    private final List<RejectedRecord> rejected;

    public FoldedRecords(BatchDelta delta, List<RejectedRecord> rejected) {
        this.delta = delta;
        this.rejected = new ArrayList<>(rejected);
    }

    public BatchDelta getDelta() {
        return delta;
    }

    public List<RejectedRecord> getRejected() {
        return Collections.unmodifiableList(rejected);
    }

    /** Adds another fold of the same batch. */
    public FoldedRecords merge(FoldedRecords other) {
        delta.merge(other.delta);
        rejected.addAll(other.rejected);
        return this;
    }
}
