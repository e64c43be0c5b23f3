package pulse.aggregate;

import pulse.event.InteractionEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A rollup: what one collection of aggregate documents counts events by, and which collection that is. Per user,
 * per item, and per event-time window of a given size (overall and per item). The configured set is
 * {@link Rollups}.
 */
public final class Rollup {

    public enum Kind {
        /** {@code _id} = user_id. */
        USERS,
        /** {@code _id} = item_id. */
        ITEMS,
        /** Per tumbling event-time window: {@code _id} = the window start, ISO-8601. */
        WINDOWS,
        /** Per window and item, for "top items in the last hour": {@code _id} = window start + "/" + item_id. */
        ITEM_WINDOWS
    }

    public static final Duration DEFAULT_WINDOW_SIZE = Duration.ofMinutes(1);

    public static final Rollup USERS = new Rollup(Kind.USERS, "users", null);
    public static final Rollup ITEMS = new Rollup(Kind.ITEMS, "items", null);
    /** The default (first) window size's windows, in {@code windows}. */
    public static final Rollup WINDOWS = windows(DEFAULT_WINDOW_SIZE, true);
    /** The default (first) window size's item windows, in {@code item_windows}. */
    public static final Rollup ITEM_WINDOWS = itemWindows(DEFAULT_WINDOW_SIZE, true);

    private final Kind kind;
    private final String collection;
    private final Duration windowSize;

    private Rollup(Kind kind, String collection, Duration windowSize) {
        this.kind = kind;
        this.collection = collection;
        this.windowSize = windowSize;
    }

    /**
     * @param primary the first configured size lives in {@code windows}; any other in {@code windows_<size>}, such as
     *                {@code windows_1h}
     */
    public static Rollup windows(Duration size, boolean primary) {
        return new Rollup(Kind.WINDOWS, primary ? "windows" : "windows_" + label(size), size);
    }

    /** Same naming as {@link #windows}: {@code item_windows} or {@code item_windows_<size>}. */
    public static Rollup itemWindows(Duration size, boolean primary) {
        return new Rollup(Kind.ITEM_WINDOWS, primary ? "item_windows" : "item_windows_" + label(size), size);
    }

    public Kind kind() {
        return kind;
    }

    public String collection() {
        return collection;
    }

    /** Whether documents are per event-time window (and so subject to lateness and retention). */
    public boolean isWindowed() {
        return windowSize != null;
    }

    /** The window size of a windowed rollup. */
    public Duration windowSize() {
        return Objects.requireNonNull(windowSize, () -> collection + " is not windowed");
    }

    /** The document id of the event's aggregate. */
    public String keyOf(InteractionEvent event) {
        return switch (kind) {
            case USERS -> event.userId();
            case ITEMS -> event.itemId();
            case WINDOWS -> windowStart(event.timestamp()).toString();
            case ITEM_WINDOWS -> itemWindowId(windowStart(event.timestamp()).toString(), event.itemId());
        };
    }

    static String itemWindowId(String windowId, String itemId) {
        return windowId + "/" + itemId;
    }

    /** The start of the window holding that time: windows are aligned to the epoch (so 1 h windows to UTC hours). */
    public Instant windowStart(Instant timestamp) {
        return Instant.ofEpochMilli(windowStartMillis(timestamp.toEpochMilli()));
    }

    long windowStartMillis(long epochMillis) {
        long size = windowSize().toMillis();
        return Math.floorDiv(epochMillis, size) * size;
    }

    public Instant windowEnd(Instant windowStart) {
        return windowStart.plus(windowSize());
    }

    /** {@code 1h}, {@code 15m}, {@code 30s}, {@code 1d}: the largest unit that divides the size. */
    static String label(Duration size) {
        long seconds = size.toSeconds();
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3_600 == 0) {
            return seconds / 3_600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Rollup that && kind == that.kind && collection.equals(that.collection)
                && Objects.equals(windowSize, that.windowSize);
    }

    @Override
    public int hashCode() {
        return collection.hashCode();
    }

    @Override
    public String toString() {
        return collection;
    }
}
