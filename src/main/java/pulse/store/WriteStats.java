package pulse.store;

/**
 * What applying one batch did and cost in MongoDB.
 *
 * @param events           valid events in the batch
 * @param rejected         records of the batch sent to the dead-letter topic
 * @param duplicates       events of the batch dropped as duplicates ({@code dedup.horizon})
 * @param documentsWritten update operations sent (including retries after a replay conflict)
 * @param conflicts        documents found to already hold some of the batch's events (a replay)
 * @param flushNanos       time spent writing to MongoDB
 * @param freshnessMillis  per valid event ({@link FreshnessSample}: a bounded, evenly spaced sample of a large fold's),
 *                         from its timestamp to its aggregates being written (visible)
 */
public record WriteStats(long events, long rejected, long duplicates, long documentsWritten, long conflicts, long flushNanos,
                         long[] freshnessMillis) {

    static final long[] NONE = new long[0];
}
