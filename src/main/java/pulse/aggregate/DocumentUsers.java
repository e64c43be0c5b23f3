package pulse.aggregate;

import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The users a batch's events bring to one aggregate document (an item, a window, an item window), for its unique
 * users sketch. Every event counts, late ones included: a user acting in a window is one of its users whenever the
 * event arrives, and so the sketch depends on nothing but the events (not on the stream time a replay starts from).
 *
 * @param windowStart the window of a windowed document, else null
 * @param itemId      the item of an item or item window document, else null
 * @param users       one user id per event (repeats included: the sketch ignores them)
 */
public record DocumentUsers(String id, Instant windowStart, String itemId, List<String> users) {

    /**
     * The batch's events grouped by the documents of {@code rollup}, in {@code _id} order; one reference per event, so
     * a fold of a million events costs a few MB while one rollup is written.
     */
    public static List<DocumentUsers> of(BatchDelta batch, Rollup rollup) {
        List<DocumentUsers> documents = new ArrayList<>();
        switch (rollup.kind()) {
            case ITEMS -> {
                Map<String, List<String>> byItem = new HashMap<>();
                for (ConsumedEvent consumed : batch.events()) {
                    InteractionEvent event = consumed.event();
                    byItem.computeIfAbsent(event.itemId(), item -> new ArrayList<>()).add(event.userId());
                }
                byItem.forEach((item, users) -> documents.add(new DocumentUsers(item, null, item, users)));
            }
            case WINDOWS -> {
                Map<Long, List<String>> byWindow = new HashMap<>();
                for (ConsumedEvent consumed : batch.events()) {
                    InteractionEvent event = consumed.event();
                    byWindow.computeIfAbsent(rollup.windowStartMillis(event.timestamp().toEpochMilli()),
                            start -> new ArrayList<>()).add(event.userId());
                }
                byWindow.forEach((start, users) -> {
                    Instant windowStart = Instant.ofEpochMilli(start);
                    documents.add(new DocumentUsers(windowStart.toString(), windowStart, null, users));
                });
            }
            case ITEM_WINDOWS -> {
                Map<Long, Map<String, List<String>>> byWindow = new HashMap<>();
                for (ConsumedEvent consumed : batch.events()) {
                    InteractionEvent event = consumed.event();
                    byWindow.computeIfAbsent(rollup.windowStartMillis(event.timestamp().toEpochMilli()),
                                    start -> new HashMap<>())
                            .computeIfAbsent(event.itemId(), item -> new ArrayList<>()).add(event.userId());
                }
                byWindow.forEach((start, items) -> {
                    Instant windowStart = Instant.ofEpochMilli(start);
                    String windowId = windowStart.toString();
                    items.forEach((item, users) -> documents.add(
                            new DocumentUsers(Rollup.itemWindowId(windowId, item), windowStart, item, users)));
                });
            }
            case USERS -> throw new IllegalArgumentException("users have no unique users");
        }
        documents.sort(Comparator.comparing(DocumentUsers::id));
        return documents;
    }
}
