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
public final class Rollups {

    /** 1-minute windows only: the default configuration. */
    public static final Rollups DEFAULT = of(List.of(Rollup.DEFAULT_WINDOW_SIZE));

    /** A window size's two rollups. */
    public record WindowSize(Duration size, Rollup windows, Rollup itemWindows) {
    }

    private final List<WindowSize> windowSizes;
    private final List<Rollup> all;

    private Rollups(List<WindowSize> windowSizes) {
        this.windowSizes = List.copyOf(windowSizes);
        List<Rollup> rollups = new ArrayList<>(List.of(Rollup.USERS, Rollup.ITEMS));
        windowSizes.forEach(pair -> {
            rollups.add(pair.windows());
            rollups.add(pair.itemWindows());
        });
        this.all = List.copyOf(rollups);
    }

    /** @param sizes distinct window sizes, the primary first (validated by the configuration) */
    public static Rollups of(List<Duration> sizes) {
        if (sizes.isEmpty() || sizes.stream().distinct().count() != sizes.size()) {
            throw new IllegalArgumentException("window sizes must be distinct and at least one: " + sizes);
        }
        List<WindowSize> pairs = new ArrayList<>();
        for (int i = 0; i < sizes.size(); i++) {
            Duration size = sizes.get(i);
            pairs.add(new WindowSize(size, Rollup.windows(size, i == 0), Rollup.itemWindows(size, i == 0)));
        }
        return new Rollups(pairs);
    }

    /** Users, items, then each size's windows and item windows: the order a batch is written in. */
    public List<Rollup> all() {
        return all;
    }

    public List<WindowSize> windowSizes() {
        return windowSizes;
    }

    public List<Rollup> windowed() {
        return all.stream().filter(Rollup::isWindowed).toList();
    }

    public WindowSize primary() {
        return windowSizes.get(0);
    }

    @Override
    public String toString() {
        return all.toString();
    }
}
