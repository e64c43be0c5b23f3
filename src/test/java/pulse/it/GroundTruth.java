package pulse.it;

import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import pulse.aggregate.FunnelTruth;
import pulse.aggregate.Rollup;
import pulse.aggregate.Rollups;
import pulse.aggregate.SessionTruth;
import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;
import pulse.event.InteractionTypes;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The aggregates a set of valid events must produce, computed independently of the pipeline, and a comparison
 * with what MongoDB holds.
 */
public final class GroundTruth {

    /** Expected totals of one document. */
    public static final class Expected {
        long total;
        final long[] byType;
        Instant firstSeen;
        Instant lastSeen;

        Expected(int types) {
            byType = new long[types];
        }

        void add(InteractionEvent event) {
            total++;
            byType[event.type().index()]++;
            if (firstSeen == null || event.timestamp().isBefore(firstSeen)) {
                firstSeen = event.timestamp();
            }
            if (lastSeen == null || event.timestamp().isAfter(lastSeen)) {
                lastSeen = event.timestamp();
            }
        }
    }

    /** Documents per reply when reading a collection. */
    private static final int READ_BATCH = 5_000;

    private final Rollups rollups;
    private final InteractionTypes types;
    private final Map<Rollup, Map<String, Expected>> expected = new HashMap<>();
    private final long[] byType;
    private long events;
    private long duplicates;
    private final Collection<InteractionEvent> validEvents;
    private boolean uniqueUsers;
    private Map<String, List<long[]>> sessions;
    private Map<String, List<FunnelTruth.Attempt>> funnels;

    /** The truth for the default aggregates (1-minute windows, view/click/purchase). */
    public GroundTruth(Collection<InteractionEvent> validEvents) {
        this(validEvents, Rollups.DEFAULT);
    }

    public GroundTruth(Collection<InteractionEvent> validEvents, Rollups rollups) {
        this(validEvents, rollups, InteractionTypes.DEFAULT);
    }

    /** @param types the vocabulary, whose every type each document counts in byType */
    public GroundTruth(Collection<InteractionEvent> validEvents, Rollups rollups, InteractionTypes types) {
        this.rollups = rollups;
        this.types = types;
        this.byType = new long[types.size()];
        this.validEvents = validEvents;
        for (Rollup rollup : rollups.all()) {
            expected.put(rollup, new TreeMap<>());
        }
        for (InteractionEvent event : validEvents) {
            events++;
            byType[event.type().index()]++;
            for (Rollup rollup : rollups.all()) {
                expected.get(rollup).computeIfAbsent(rollup.keyOf(event), id -> new Expected(types.size())).add(event);
            }
        }
    }

    public long events() {
        return events;
    }

    /** Also expects the summary to count this many events dropped as duplicates. */
    public GroundTruth withDuplicates(long dropped) {
        duplicates = dropped;
        return this;
    }

    /**
     * Also checks {@code uniqueUsers} of every item, window and item window against the distinct users of its events
     * (counted here with sets, late events included): within 1 up to 1,500 users, where the sketch holds every
     * user's hash, and within 3 % above (0.65 % is one standard error at lgK 14; 3 % leaves room for thousands of
     * documents checked at once).
     */
    public GroundTruth withUniqueUsers() {
        uniqueUsers = true;
        return this;
    }

    /**
     * Also checks every user's sessions in {@code user_sessions} against {@link SessionTruth} of the events, in the
     * order given: each user's order on the topic (the order they were produced in, keyed by user).
     */
    public GroundTruth withSessions(Duration gap, Duration lateness) {
        sessions = SessionTruth.of(inOrder(), gap, lateness);
        return this;
    }

    /** Also checks every user's funnel attempts in {@code user_funnels} against {@link FunnelTruth}, as sessions. */
    public GroundTruth withFunnels(List<String> steps, Duration window) {
        funnels = FunnelTruth.of(inOrder(), steps, window);
        return this;
    }

    /** How many sessions {@link #withSessions} expects. */
    public long sessions() {
        return sessions.values().stream().mapToLong(List::size).sum();
    }

    /** How many funnel attempts {@link #withFunnels} expects to have reached at least {@code step} (0: the first). */
    public long funnelAttempts(int step) {
        return funnels.values().stream().flatMap(List::stream).filter(a -> a.reached() >= step).count();
    }

    /** The events as one partition holding them in the order given (the truths read a user's events in order). */
    private List<ConsumedEvent> inOrder() {
        List<ConsumedEvent> consumed = new ArrayList<>(validEvents.size());
        for (InteractionEvent event : validEvents) {
            consumed.add(new ConsumedEvent(event, 0, consumed.size()));
        }
        return consumed;
    }

    /**
     * Every difference between the database and the truth, one line each; empty when they agree.
     */
    public List<String> mismatches(MongoDatabase database) {
        List<String> problems = new ArrayList<>();
        for (Rollup rollup : rollups.all()) {
            Map<String, Expected> want = expected.get(rollup);
            Map<String, Document> have = new HashMap<>();
            // in batches: the app's embedded server answered a 60M-event run's whole item_windows (134 MB) in one
            // reply without them, over the driver's 48 MB limit
            database.getCollection(rollup.collection()).find().batchSize(READ_BATCH)
                    .forEach(d -> have.put(d.getString("_id"), d));
            if (have.size() != want.size()) {
                problems.add(rollup.collection() + ": " + have.size() + " documents, expected " + want.size());
            }
            want.forEach((id, e) -> {
                Document d = have.get(id);
                if (d == null) {
                    problems.add(rollup.collection() + "/" + id + ": missing");
                    return;
                }
                check(problems, rollup, id, "total", e.total, number(d.get("total")));
                Document byType = d.get("byType", Document.class);
                for (InteractionType type : types.all()) {
                    check(problems, rollup, id, "byType." + type.name(), e.byType[type.index()],
                            byType == null ? -1 : number(byType.get(type.name())));
                }
                if (!rollup.isWindowed()) {
                    check(problems, rollup, id, "firstSeen", e.firstSeen.toEpochMilli(), d.getDate("firstSeen").getTime());
                    check(problems, rollup, id, "lastSeen", e.lastSeen.toEpochMilli(), d.getDate("lastSeen").getTime());
                } else {
                    Instant start = rollup.windowStart(e.firstSeen);
                    check(problems, rollup, id, "windowStart", start.toEpochMilli(), d.getDate("windowStart").getTime());
                    check(problems, rollup, id, "windowEnd", rollup.windowEnd(start).toEpochMilli(),
                            d.getDate("windowEnd").getTime());
                }
            });
        }
        if (uniqueUsers) {
            uniqueUserMismatches(database, problems);
        }
        if (sessions != null) {
            SessionTruth.mismatches(database, sessions).forEach(problem -> problems.add("user_sessions/" + problem));
        }
        if (funnels != null) {
            FunnelTruth.mismatches(database, funnels).forEach(problem -> problems.add("user_funnels/" + problem));
        }
        Document summary = database.getCollection("summary").find(new Document("_id", "global")).first();
        if (summary == null) {
            problems.add(events == 0 ? "" : "summary: missing");
            problems.remove("");
            return problems;
        }
        long users = expected.get(Rollup.USERS).size();
        long items = expected.get(Rollup.ITEMS).size();
        checkSummary(problems, "events", events, number(summary.get("events")));
        checkSummary(problems, "users", users, number(summary.get("users")));
        checkSummary(problems, "items", items, number(summary.get("items")));
        checkSummary(problems, "duplicateEvents", duplicates, number(summary.get("duplicateEvents")));
        Document summaryByType = summary.get("byType", Document.class);
        for (InteractionType type : types.all()) {
            checkSummary(problems, "byType." + type.name(), byType[type.index()],
                    summaryByType == null ? -1 : number(summaryByType.get(type.name())));
        }
        double avg = users == 0 ? 0 : (double) events / users;
        if (Math.abs(avg - summary.get("avgInteractionsPerUser", Number.class).doubleValue()) > 1e-9) {
            problems.add("summary.avgInteractionsPerUser: " + summary.get("avgInteractionsPerUser") + ", expected " + avg);
        }
        Map<String, Expected> byItem = expected.get(Rollup.ITEMS);
        long maxTotal = byItem.values().stream().mapToLong(e -> e.total).max().orElse(0);
        long minTotal = byItem.values().stream().mapToLong(e -> e.total).min().orElse(0);
        String maxItem = byItem.entrySet().stream().filter(e -> e.getValue().total == maxTotal)
                .map(Map.Entry::getKey).min(Comparator.naturalOrder()).orElse(null);
        String minItem = byItem.entrySet().stream().filter(e -> e.getValue().total == minTotal)
                .map(Map.Entry::getKey).min(Comparator.naturalOrder()).orElse(null);
        checkItemRef(problems, "maxItem", summary.get("maxItem", Document.class), maxItem, maxTotal);
        checkItemRef(problems, "minItem", summary.get("minItem", Document.class), minItem, minTotal);
        if (!(summary.get("updatedAt") instanceof Date)) {
            problems.add("summary.updatedAt: not a date");
        }
        return problems;
    }

    private void uniqueUserMismatches(MongoDatabase database, List<String> problems) {
        for (Rollup rollup : rollups.all()) {
            if (rollup.equals(Rollup.USERS)) {
                continue;
            }
            Map<String, Set<String>> users = new HashMap<>();
            for (InteractionEvent event : validEvents) {
                users.computeIfAbsent(rollup.keyOf(event), id -> new HashSet<>()).add(event.userId());
            }
            database.getCollection(rollup.collection()).find().forEach(d -> {
                Set<String> want = users.get(d.getString("_id"));
                if (want == null) {
                    return; // reported above
                }
                long have = number(d.get("uniqueUsers"));
                long allowed = want.size() <= 1_500 ? 1 : Math.round(want.size() * 0.03);
                if (Math.abs(have - want.size()) > allowed) {
                    problems.add(rollup.collection() + "/" + d.getString("_id") + ".uniqueUsers: " + have + ", expected "
                            + want.size() + " (within " + allowed + ")");
                }
            });
        }
    }

    private static void checkItemRef(List<String> problems, String field, Document ref, String itemId, long total) {
        if (ref == null || !itemId.equals(ref.getString("itemId")) || number(ref.get("total")) != total) {
            problems.add("summary." + field + ": " + ref + ", expected {itemId=" + itemId + ", total=" + total + "}");
        }
    }

    private static void check(List<String> problems, Rollup rollup, String id, String field, long want, long have) {
        if (want != have) {
            problems.add(rollup.collection() + "/" + id + "." + field + ": " + have + ", expected " + want);
        }
    }

    private static void checkSummary(List<String> problems, String field, long want, long have) {
        if (want != have) {
            problems.add("summary." + field + ": " + have + ", expected " + want);
        }
    }

    private static long number(Object value) {
        return value == null ? -1 : ((Number) value).longValue();
    }
}
