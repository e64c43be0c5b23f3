package pulse.store;

import org.bson.Document;
import pulse.aggregate.BatchDelta;
import pulse.aggregate.DocumentDelta;
import pulse.aggregate.RecordPosition;
import pulse.aggregate.Rollup;
import pulse.aggregate.SummaryDelta;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the upserts of one fold stand while the {@code upsert-aggregates} route sends them: the bulk writes still
 * to send per collection, the documents each created, the summary's next update, and what it all cost.
 */
public final class FoldUpserts {

    /** One unordered bulk write: some of a rollup's deltas, sent again (refolded) while replays conflict. */
    static final class Slice {
        final Rollup rollup;
        Collection<DocumentDelta> pending;
        /** The deltas in the order of the bulk write last sent, to read its results and errors by index. */
        List<DocumentDelta> sent = List.of();
        int rounds;

        Slice(Rollup rollup, Collection<DocumentDelta> pending) {
            this.rollup = rollup;
            this.pending = pending;
        }
    }

    final BatchDelta batch;
    final long startNanos;
    final Deque<Slice> slices = new ArrayDeque<>();
    /** The origins of the documents this fold created, per rollup (users and items count as new in the summary). */
    final Map<Rollup, Set<RecordPosition>> created;
    long writes;
    long conflicts;
    /** The summary's next update, computed by the route's loop condition; null when there is none. */
    SummaryDelta summaryDelta;
    Map<Integer, Long> summaryApplied = Map.of();
    int summaryRounds;
    boolean summaryDone;
    /** The summary's counters once this fold is in them, from which its derived fields are computed. */
    Document summaryCounters;

    FoldUpserts(BatchDelta batch, long startNanos) {
        this.batch = batch;
        this.startNanos = startNanos;
        this.created = Map.of(Rollup.USERS, new HashSet<>(), Rollup.ITEMS, new HashSet<>());
    }

    void addSlices(Rollup rollup, List<DocumentDelta> deltas, int perSlice) {
        for (int from = 0; from < deltas.size(); from += perSlice) {
            slices.add(new Slice(rollup, new ArrayList<>(deltas.subList(from, Math.min(deltas.size(), from + perSlice)))));
        }
    }

    void created(Rollup rollup, RecordPosition origin) {
        Set<RecordPosition> origins = created.get(rollup);
        if (origins != null) {
            origins.add(origin);
        }
    }

    public BatchDelta batch() {
        return batch;
    }
}
