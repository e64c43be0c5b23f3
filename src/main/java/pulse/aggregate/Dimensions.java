package pulse.aggregate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The aggregates the pipeline keeps: users, items, and for every configured window size
 * ({@code aggregation.window.sizes}) its windows and item windows. The first size is the primary one: its
 * documents are in {@code windows} / {@code item_windows}, the dashboard shows them and {@code summary.lateEvents}
 * counts lateness against them.
 */
public final class Dimensions {

    /** 1-minute windows only: the default configuration. */
    public static final Dimensions DEFAULT = of(List.of(Dimension.DEFAULT_WINDOW_SIZE));

    /** A window size's two dimensions. */
    public record WindowPair(Duration size, Dimension windows, Dimension itemWindows) {
    }

    private final List<WindowPair> windowSizes;
    private final List<Dimension> all;

    private Dimensions(List<WindowPair> windowSizes) {
        this.windowSizes = List.copyOf(windowSizes);
        List<Dimension> dimensions = new ArrayList<>(List.of(Dimension.USERS, Dimension.ITEMS));
        windowSizes.forEach(pair -> {
            dimensions.add(pair.windows());
            dimensions.add(pair.itemWindows());
        });
        this.all = List.copyOf(dimensions);
    }

    /** @param sizes distinct window sizes, the primary first (validated by the configuration) */
    public static Dimensions of(List<Duration> sizes) {
        if (sizes.isEmpty() || sizes.stream().distinct().count() != sizes.size()) {
            throw new IllegalArgumentException("window sizes must be distinct and at least one: " + sizes);
        }
        List<WindowPair> pairs = new ArrayList<>();
        for (int i = 0; i < sizes.size(); i++) {
            Duration size = sizes.get(i);
            pairs.add(new WindowPair(size, Dimension.windows(size, i == 0), Dimension.itemWindows(size, i == 0)));
        }
        return new Dimensions(pairs);
    }

    /** Users, items, then each size's windows and item windows: the order a batch is written in. */
    public List<Dimension> all() {
        return all;
    }

    public List<WindowPair> windowSizes() {
        return windowSizes;
    }

    public List<Dimension> windowed() {
        return all.stream().filter(Dimension::isWindowed).toList();
    }

    public WindowPair primary() {
        return windowSizes.get(0);
    }

    @Override
    public String toString() {
        return all.toString();
    }
}
