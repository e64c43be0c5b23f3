package pulse.aggregate;

import pulse.event.ConsumedEvent;

import java.util.HashMap;
import java.util.Map;

/**
 * The replay guard of a per-user state ({@link UserSessions}, {@link UserFunnels}): each partition's last applied
 * offset. An event at or below it was applied already and is skipped, so a replay with any batch boundaries changes
 * nothing.
 */
public final class OffsetGuard {

    private final Map<Integer, Long> last;

    /** @param last the last applied offset per partition, as stored */
    public OffsetGuard(Map<Integer, Long> last) {
        this.last = new HashMap<>(last);
    }

    /** Whether the event is new (above its partition's last applied offset); if so, it becomes the last applied. */
    public boolean admit(ConsumedEvent consumed) {
        Long applied = last.get(consumed.partition());
        if (applied != null && consumed.offset() <= applied) {
            return false;
        }
        last.put(consumed.partition(), consumed.offset());
        return true;
    }

    /** The last applied offset per partition. */
    public Map<Integer, Long> offsets() {
        return last;
    }
}
