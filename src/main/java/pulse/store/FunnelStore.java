package pulse.store;

import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import pulse.aggregate.Rollup;
import pulse.aggregate.UserFunnels;
import pulse.event.ConsumedEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * Keeps every user's funnel attempts ({@link UserFunnels}) in one {@code user_funnels} document per user, read,
 * applied and written back under its version as {@link UserDocumentStore} does. Each attempt carries the start of its
 * window (of {@code windows}, the primary size), for {@code GET /api/funnel}. A document is ~100 bytes plus ~90 per
 * kept attempt.
 */
public class FunnelStore extends UserDocumentStore<UserFunnels> {

    public static final String COLLECTION = "user_funnels";

    private final Rollup windows;
    private final List<String> steps;
    private final Duration window;
    private final Duration retention;

    /**
     * @param windows   the windows the per-window figures use (the primary size)
     * @param steps     {@code analytics.funnel.steps}: type names, in order
     * @param window    {@code analytics.funnel.window}: how long an attempt stays open after its first step
     * @param retention how long an attempt stays kept after its start (event time; the windows' retention)
     */
    public FunnelStore(MongoDatabase database, Rollup windows, List<String> steps, Duration window, Duration retention) {
        super(database, COLLECTION, "attempts");
        this.windows = windows;
        this.steps = List.copyOf(steps);
        this.window = window;
        this.retention = retention;
    }

    @Override
    protected UserFunnels read(Document document) {
        if (document == null) {
            return new UserFunnels();
        }
        List<UserFunnels.Attempt> attempts = new ArrayList<>();
        for (Document attempt : document.getList("attempts", Document.class, List.of())) {
            attempts.add(new UserFunnels.Attempt(attempt.getString("itemId"), attempt.getDate("start").toInstant(),
                    ((Number) attempt.get("reached")).intValue(), attempt.getDate("reachedAt").toInstant()));
        }
        return new UserFunnels(offsets(document), attempts, instant(document, "newest"));
    }

    @Override
    protected boolean apply(UserFunnels funnels, List<ConsumedEvent> events) {
        return funnels.apply(events, steps, window, retention);
    }

    @Override
    protected Document fields(UserFunnels funnels) {
        List<Document> attempts = new ArrayList<>(funnels.attempts().size());
        for (UserFunnels.Attempt attempt : funnels.attempts()) {
            attempts.add(new Document("itemId", attempt.itemId()).append("start", Date.from(attempt.start()))
                    .append("reached", attempt.reached()).append("reachedAt", Date.from(attempt.reachedAt()))
                    .append("windowStart", Date.from(windows.windowStart(attempt.start()))));
        }
        return new Document("newest", date(funnels.newest()))
                .append("offsets", offsetsField(funnels.offsets()))
                .append("attempts", attempts);
    }
}
