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
            // the fold numbers its users in the order of their first event, and each event's user: nothing to hash
            ofEvent = new int[batch.events().size()];
            for (int i = 0; i < ofEvent.length; i++) {
                ofEvent[i] = batch.userIndexOf(i);
            }
            ids = new String[batch.userCount()];
            keys = new byte[ids.length][];
            for (int user = 0; user < ids.length; user++) {
                ids[user] = batch.userIdAt(user);
                keys[user] = UniqueUsers.key(ids[user]);
            }
            takenBy = new int[ids.length];
            Arrays.fill(takenBy, -1);
        }

        /**
         * The distinct users of the events {@code events[from..to)}, in the order of the events that first brought
         * them.
         */
        private int[] distinctOf(int[] events, int from, int to) {
            int document = documents++;
            int[] distinct = new int[Math.min(to - from, ids.length)];
            int size = 0;
            for (int i = from; i < to; i++) {
                int user = ofEvent[events[i]];
                if (takenBy[user] != document) {
                    takenBy[user] = document;
                    distinct[size++] = user;
                }
            }
            return size == distinct.length ? distinct : Arrays.copyOf(distinct, size);
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
                int[] all = new int[events];
                for (int i = 0; i < events; i++) {
                    all[i] = i;
                }
                new ByItem(batch).group(all, events, (item, sorted, from, to) -> documents.add(
                        new DocumentUsers(item, null, item, users, users.distinctOf(sorted, from, to))));
            }
            case WINDOWS -> byWindow(batch, rollup).forEach((start, indexes) -> {
                Instant windowStart = Instant.ofEpochMilli(start);
                documents.add(new DocumentUsers(windowStart.toString(), windowStart, null, users,
                        users.distinctOf(indexes.values, 0, indexes.size)));
            });
            case ITEM_WINDOWS -> {
                ByItem byItem = new ByItem(batch);
                byWindow(batch, rollup).forEach((start, indexes) -> {
                    Instant windowStart = Instant.ofEpochMilli(start);
                    String windowId = windowStart.toString();
                    byItem.group(indexes.values, indexes.size, (item, sorted, from, to) -> documents.add(
                            new DocumentUsers(Rollup.itemWindowId(windowId, item), windowStart, item, users,
                                    users.distinctOf(sorted, from, to))));
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

    /** The batch's events by the start of their window of that rollup's size, each window's in event order. */
    private static Map<Long, IntList> byWindow(BatchDelta batch, Rollup rollup) {
        Map<Long, IntList> byWindow = new HashMap<>();
        int events = batch.events().size();
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
        return byWindow;
    }

    /** What {@link ByItem#group} hands over: an item's events, {@code sorted[from..to)}, in event order. */
    private interface ItemEvents {
        void accept(String item, int[] sorted, int from, int to);
    }

    /**
     * Groups events by their item with the fold's item numbers (a counting sort, stable): no id hashed, no list
     * grown per item. Its counts are reset after each group, so one serves every window of a rollup.
     */
    private static final class ByItem {
        private final BatchDelta batch;
        private final int[] counts;
        private final int[] next;

        ByItem(BatchDelta batch) {
            this.batch = batch;
            counts = new int[batch.itemCount()];
            next = new int[batch.itemCount()];
        }

        void group(int[] events, int size, ItemEvents consumer) {
            IntList items = new IntList(); // in the order of their first event
            for (int i = 0; i < size; i++) {
                if (counts[batch.itemIndexOf(events[i])]++ == 0) {
                    items.add(batch.itemIndexOf(events[i]));
                }
            }
            int start = 0;
            for (int i = 0; i < items.size; i++) {
                next[items.values[i]] = start;
                start += counts[items.values[i]];
            }
            int[] sorted = new int[size];
            for (int i = 0; i < size; i++) {
                sorted[next[batch.itemIndexOf(events[i])]++] = events[i];
            }
            for (int i = 0; i < items.size; i++) {
                int item = items.values[i];
                int to = next[item];
                int from = to - counts[item];
                counts[item] = 0;
                consumer.accept(batch.itemIdOf(sorted[from]), sorted, from, to);
            }
        }
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
    }
}
