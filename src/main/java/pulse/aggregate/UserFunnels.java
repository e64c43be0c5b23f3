package pulse.aggregate;

import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One user's funnels over the ordered steps {@code analytics.funnel.steps} (event types), per item. A first-step event
 * on an item with no attempt open on it starts an attempt at its time; the attempt stays open for
 * {@code analytics.funnel.window} after its start. An event of the next step on the same item, inside the open
 * attempt and not earlier (event time) than the step it follows, advances the attempt by one step. Events are taken
 * in the order the user's partition holds them (offset order): a step arriving before the step it follows does not
 * count. Other types, and steps out of order, change nothing.
 *
 * <p>Attempts are kept until they started {@code retention} before the user's newest event, and at most
 * {@value #MAX_ATTEMPTS} (a new one past that drops the one that started first, which can then no longer advance),
 * ~60 bytes each. Exactly once: each partition's last applied offset is kept, an event at or below it is skipped.
 */
public final class UserFunnels {

    public static final int MAX_ATTEMPTS = 500;

    /**
     * An attempt: on which item, when its first step happened, the index of the last step reached (0: the first) and
     * when.
     */
    public record Attempt(String itemId, Instant start, int reached, Instant reachedAt) {
    }

    private final OffsetGuard guard;
    private final List<Attempt> attempts;
    private Instant newest;

    public UserFunnels() {
        this(Map.of(), List.of(), null);
    }

    /** @param attempts in start order */
    public UserFunnels(Map<Integer, Long> offsets, List<Attempt> attempts, Instant newest) {
        this.guard = new OffsetGuard(offsets);
        this.attempts = new ArrayList<>(attempts);
        this.newest = newest;
    }

    /**
     * @param steps the step types' names, in order
     * @return whether any event was applied (false: a replay, nothing to write)
     */
    public boolean apply(List<ConsumedEvent> events, List<String> steps, Duration window, Duration retention) {
        boolean applied = false;
        for (ConsumedEvent consumed : events) {
            if (!guard.admit(consumed)) {
                continue;
            }
            applied = true;
            InteractionEvent event = consumed.event();
            if (newest == null || event.timestamp().isAfter(newest)) {
                newest = event.timestamp();
            }
            int step = steps.indexOf(event.type().name());
            if (step < 0) {
                continue;
            }
            int open = openAttempt(event.itemId(), event.timestamp(), window);
            if (step == 0) {
                if (open < 0) {
                    insert(new Attempt(event.itemId(), event.timestamp(), 0, event.timestamp()));
                }
            } else if (open >= 0) {
                Attempt attempt = attempts.get(open);
                if (attempt.reached() == step - 1 && !event.timestamp().isBefore(attempt.reachedAt())) {
                    attempts.set(open, new Attempt(attempt.itemId(), attempt.start(), step, event.timestamp()));
                }
            }
        }
        if (applied && newest != null) {
            Instant keepFrom = newest.minus(retention);
            attempts.removeIf(attempt -> attempt.start().isBefore(keepFrom));
        }
        return applied;
    }

    /** The latest attempt on the item open at {@code time} (started at or before it, at most a window before), or -1. */
    private int openAttempt(String itemId, Instant time, Duration window) {
        for (int i = attempts.size() - 1; i >= 0; i--) {
            Attempt attempt = attempts.get(i);
            if (attempt.itemId().equals(itemId) && !attempt.start().isAfter(time)
                    && !time.isAfter(attempt.start().plus(window))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Adds the attempt in start order; one over {@value #MAX_ATTEMPTS} drops the one that started first. Per attempt,
     * not per batch, so that which attempts are kept (and can advance) does not depend on the batch boundaries.
     */
    private void insert(Attempt attempt) {
        int index = attempts.size();
        while (index > 0 && attempts.get(index - 1).start().isAfter(attempt.start())) {
            index--;
        }
        attempts.add(index, attempt);
        if (attempts.size() > MAX_ATTEMPTS) {
            attempts.remove(0);
        }
    }

    public Map<Integer, Long> offsets() {
        return guard.offsets();
    }

    public List<Attempt> attempts() {
        return attempts;
    }

    public Instant newest() {
        return newest;
    }
}
