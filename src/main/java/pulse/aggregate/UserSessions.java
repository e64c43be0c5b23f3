package pulse.aggregate;

import pulse.event.ConsumedEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One user's sessions (event time): events separated by more than {@code gap} belong to different sessions, so a
 * user's sessions are their accepted events sorted by time and split wherever two neighbours are more than
 * {@code gap} apart, whatever order the events arrive in. An event arriving late that falls within {@code gap} of
 * two sessions therefore merges them into one (and one within {@code gap} before a session's start moves the start).
 *
 * <p>An event is accepted when it is at most {@code lateness} older than the newest event of the user accepted
 * before it (in offset order); an older one is ignored ({@link #tooLate}). A session whose end is more than
 * {@code lateness + gap} before the newest event can no longer change; it is kept until its start is
 * {@code retention} before the newest event, then only counted ({@link #sessions}). So the state is bounded:
 * at most about {@code retention / gap} sessions of ~60 bytes each.
 *
 * <p>Exactly once: each partition's last applied offset is kept, and an event at or below it is skipped, so a
 * replay (with any batch boundaries) changes nothing.
 */
public final class UserSessions {

    /** One session: its first and last event time and how many events it holds. */
    public record Session(Instant start, Instant end, long events) {
        public Duration length() {
            return Duration.between(start, end);
        }
    }

    private final OffsetGuard guard;
    private final List<Session> sessions;
    private Instant newest;
    private long pruned;
    private long tooLate;

    /** A user without sessions yet. */
    public UserSessions() {
        this(Map.of(), List.of(), null, 0, 0);
    }

    /**
     * The state as stored.
     *
     * @param sessions in start order, disjoint
     * @param pruned   sessions no longer kept, counted
     */
    public UserSessions(Map<Integer, Long> offsets, List<Session> sessions, Instant newest, long pruned, long tooLate) {
        this.guard = new OffsetGuard(offsets);
        this.sessions = new ArrayList<>(sessions);
        this.newest = newest;
        this.pruned = pruned;
        this.tooLate = tooLate;
    }

    /**
     * Adds the events not applied yet (offset above the partition's last applied offset), in the order given (offset
     * order per partition), then prunes.
     *
     * @return whether any event was applied (false: a replay, nothing to write)
     */
    public boolean apply(List<ConsumedEvent> events, Duration gap, Duration lateness, Duration retention) {
        boolean applied = false;
        for (ConsumedEvent consumed : events) {
            if (!guard.admit(consumed)) {
                continue;
            }
            applied = true;
            Instant time = consumed.event().timestamp();
            if (newest != null && time.isBefore(newest.minus(lateness))) {
                tooLate++;
                continue;
            }
            add(time, gap);
            if (newest == null || time.isAfter(newest)) {
                newest = time;
            }
        }
        if (applied) {
            Instant keepFrom = newest == null ? null : newest.minus(retention);
            Instant changeableFrom = newest == null ? null : newest.minus(lateness).minus(gap);
            while (keepFrom != null && !sessions.isEmpty() && sessions.get(0).start().isBefore(keepFrom)
                    && sessions.get(0).end().isBefore(changeableFrom)) {
                sessions.remove(0);
                pruned++;
            }
        }
        return applied;
    }

    /** The event joins every session it is within {@code gap} of (at most two: they are more than gap apart). */
    private void add(Instant time, Duration gap) {
        int index = 0;
        while (index < sessions.size() && sessions.get(index).end().plus(gap).isBefore(time)) {
            index++;
        }
        Instant start = time;
        Instant end = time;
        long events = 1;
        while (index < sessions.size() && !sessions.get(index).start().minus(gap).isAfter(time)) {
            Session joined = sessions.remove(index);
            start = joined.start().isBefore(start) ? joined.start() : start;
            end = joined.end().isAfter(end) ? joined.end() : end;
            events += joined.events();
        }
        sessions.add(index, new Session(start, end, events));
    }

    public Map<Integer, Long> offsets() {
        return guard.offsets();
    }

    /** The sessions kept, in start order. */
    public List<Session> kept() {
        return sessions;
    }

    public Instant newest() {
        return newest;
    }

    public long pruned() {
        return pruned;
    }

    public long tooLate() {
        return tooLate;
    }

    /** How many sessions the user has had. */
    public long sessions() {
        return pruned + sessions.size();
    }

    /** When the user's latest session started, or null. */
    public Instant lastSessionStart() {
        return sessions.isEmpty() ? null : sessions.get(sessions.size() - 1).start();
    }
}
