package pulse.aggregate;


import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The distinct users a batch's events bring to one aggregate document (an item, a window, an item window), for its
 * unique users sketch. Every event counts, late ones included: a user acting in a window is one of its users whenever
 * the event arrives, and so the sketch depends on nothing but the events (not on the stream time a replay starts
 * from).
 *
 * <p>A batch's users are read once ({@link Users}): each distinct user id is encoded once per batch, not once per
 * event and document it counts in (an item, a window and an item window for every window size); and each document
 * gets each of its users once, however many of its events they brought, so a sketch hashes every user of a batch once.
 */
public final class DocumentUsers {

    private final String id;
    private final Instant windowStart;
    private final String itemId;
    private final Users users;
    /** Indexes into {@link #users}, distinct, in the order of the events that first brought them. */
    private final int[] distinct;

    private DocumentUsers(String id, Instant windowStart, String itemId, Users users, int[] distinct) {
        this.id = id;
        this.windowStart = windowStart;
        this.itemId = itemId;
        this.users = users;
        this.distinct = distinct;
    }

    public String id() {
        return id;
    }

    /** The window of a windowed document, else null. */
    public Instant windowStart() {
        return windowStart;
    }

    /** The item of an item or item window document, else null. */
    public String itemId() {
        return itemId;
    }

    /** The document's distinct user ids, in the order of the events that first brought them. */
    public List<String> users() {
        return new AbstractList<>() {
            @Override
            public String get(int index) {
                return users.ids[distinct[index]];
            }

            @Override
            public int size() {
                return distinct.length;
            }
        };
    }

    /** The {@linkplain UniqueUsers#key keys} of {@link #users()}, in the same order: what the sketch takes. */
    public byte[][] keys() {
        byte[][] keys = new byte[distinct.length][];
        for (int i = 0; i < distinct.length; i++) {
            keys[i] = users.keys[distinct[i]];
        }
        return keys;
    }

    /**
     * The distinct users of a batch's events, each with its {@linkplain UniqueUsers#key key}, and which of them
     * brought each event: read once per batch, shared by the documents of all its rollups.
     */
    public static final class Users {
        private final String[] ids;
        private final byte[][] keys;
        /** Per event (by its index in the batch), its user's index. */
        private final int[] ofEvent;
        /** Per user, the last document that took it ({@link #documents}): deduplicates without clearing. */
        private final int[] takenBy;
        private int documents;

        private Users(BatchDelta batch) {
            Map<String, Integer> index = new HashMap<>();
            List<String> ids = new ArrayList<>();
            ofEvent = new int[batch.events().size()];
            for (int i = 0; i < ofEvent.length; i++) {
                String user = batch.userIdOf(i);
                Integer known = index.get(user);
                if (known == null) {
                    known = ids.size();
                    index.put(user, known);
                    ids.add(user);
                }
                ofEvent[i] = known;
            }
            this.ids = ids.toArray(String[]::new);
            keys = new byte[this.ids.length][];
            for (int user = 0; user < keys.length; user++) {
                keys[user] = UniqueUsers.key(this.ids[user]);
            }
            takenBy = new int[this.ids.length];
            Arrays.fill(takenBy, -1);
        }

        /** The distinct users of the events at these indexes, in the order of the events that first brought them. */
        private int[] distinctOf(IntList events) {
            int document = documents++;
            IntList distinct = new IntList();
            for (int i = 0; i < events.size; i++) {
                int user = ofEvent[events.values[i]];
                if (takenBy[user] != document) {
                    takenBy[user] = document;
                    distinct.add(user);
                }
            }
            return distinct.toArray();
        }
    }

    /** The users of a batch's events, for {@link #of(BatchDelta, Rollup, Users)}. */
    public static Users users(BatchDelta batch) {
        return new Users(batch);
    }

    /** {@link #of(BatchDelta, Rollup, Users)}, reading the batch's users for this rollup alone. */
    public static List<DocumentUsers> of(BatchDelta batch, Rollup rollup) {
        return of(batch, rollup, users(batch));
    }

    /**
     * The batch's events grouped by the documents of {@code rollup}, in {@code _id} order. While grouping, one index
     * per event; then, per document, one per distinct user.
     *
     * @param users {@link #users(BatchDelta)} of this batch, shared by all its rollups
     */
    public static List<DocumentUsers> of(BatchDelta batch, Rollup rollup, Users users) {
        int events = batch.events().size();
        if (users.ofEvent.length != events) {
            throw new IllegalArgumentException("the users of " + users.ofEvent.length + " events for a batch of "
                    + events);
        }
        List<DocumentUsers> documents = new ArrayList<>();
        switch (rollup.kind()) {
            case ITEMS -> {
                Map<String, IntList> byItem = new HashMap<>();
                for (int i = 0; i < events; i++) {
                    byItem.computeIfAbsent(batch.itemIdOf(i), item -> new IntList()).add(i);
                }
                byItem.forEach((item, indexes) -> documents.add(
                        new DocumentUsers(item, null, item, users, users.distinctOf(indexes))));
            }
            case WINDOWS -> {
                Map<Long, IntList> byWindow = new HashMap<>();
                // events mostly arrive in time order: most share the previous event's window
                long previousStart = Long.MIN_VALUE;
                IntList previous = null;
                for (int i = 0; i < events; i++) {
                    long start = rollup.windowStartMillis(batch.epochMillisOf(i));
                    if (previous == null || start != previousStart) {
                        previous = byWindow.computeIfAbsent(start, s -> new IntList());
                        previousStart = start;
                    }
                    previous.add(i);
                }
                byWindow.forEach((start, indexes) -> {
                    Instant windowStart = Instant.ofEpochMilli(start);
                    documents.add(new DocumentUsers(windowStart.toString(), windowStart, null, users,
                            users.distinctOf(indexes)));
                });
            }
            case ITEM_WINDOWS -> {
                Map<Long, Map<String, IntList>> byWindow = new HashMap<>();
                long previousStart = Long.MIN_VALUE;
                Map<String, IntList> previous = null;
                for (int i = 0; i < events; i++) {
                    long start = rollup.windowStartMillis(batch.epochMillisOf(i));
                    if (previous == null || start != previousStart) {
                        previous = byWindow.computeIfAbsent(start, s -> new HashMap<>());
                        previousStart = start;
                    }
                    previous.computeIfAbsent(batch.itemIdOf(i), item -> new IntList()).add(i);
                }
                byWindow.forEach((start, items) -> {
                    Instant windowStart = Instant.ofEpochMilli(start);
                    String windowId = windowStart.toString();
                    items.forEach((item, indexes) -> documents.add(new DocumentUsers(
                            Rollup.itemWindowId(windowId, item), windowStart, item, users, users.distinctOf(indexes))));
                });
            }
            case USERS -> throw new IllegalArgumentException("users have no unique users");
        }
        documents.sort(Comparator.comparing(DocumentUsers::id));
        return documents;
    }

    @Override
    public String toString() {
        return "DocumentUsers[" + id + ", " + distinct.length + " users]";
    }

    /** A growable list of indexes. */
    private static final class IntList {
        private int[] values = new int[4];
        private int size;

        void add(int value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
