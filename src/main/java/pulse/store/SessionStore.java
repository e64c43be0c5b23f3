package pulse.store;

import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import pulse.aggregate.Rollup;
import pulse.aggregate.UserSessions;
import pulse.event.ConsumedEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * Keeps every user's sessions ({@link UserSessions}) in one {@code user_sessions} document per user, read, applied and
 * written back under its version as {@link UserDocumentStore} does. Each kept session carries the start of its window
 * (of {@code windows}, the primary size), for the per-window figures of {@code GET /api/sessions}. A document is
 * ~100 bytes plus ~70 per kept session.
 */
public class SessionStore extends UserDocumentStore<UserSessions> {

    public static final String COLLECTION = "user_sessions";

    private final Rollup windows;
    private final Duration gap;
    private final Duration lateness;
    private final Duration retention;

    /**
     * @param windows   the windows the per-window figures use (the primary size)
     * @param gap       {@code analytics.session.gap}
     * @param lateness  how much older than a user's newest event an event may be and still count (the window grace)
     * @param retention how long a session stays kept after its start (event time; the windows' retention)
     */
    public SessionStore(MongoDatabase database, Rollup windows, Duration gap, Duration lateness, Duration retention) {
        super(database, COLLECTION, "kept");
        this.windows = windows;
        this.gap = gap;
        this.lateness = lateness;
        this.retention = retention;
    }

    @Override
    protected UserSessions read(Document document) {
        if (document == null) {
            return new UserSessions();
        }
        List<UserSessions.Session> kept = new ArrayList<>();
        for (Document session : document.getList("kept", Document.class, List.of())) {
            kept.add(new UserSessions.Session(session.getDate("start").toInstant(), session.getDate("end").toInstant(),
                    ((Number) session.get("events")).longValue()));
        }
        return new UserSessions(offsets(document), kept, instant(document, "newest"),
                ((Number) document.get("pruned", 0L)).longValue(), ((Number) document.get("tooLate", 0L)).longValue());
    }

    @Override
    protected boolean apply(UserSessions sessions, List<ConsumedEvent> events) {
        return sessions.apply(events, gap, lateness, retention);
    }

    @Override
    protected Document fields(UserSessions sessions) {
        List<Document> kept = new ArrayList<>(sessions.kept().size());
        for (UserSessions.Session session : sessions.kept()) {
            kept.add(new Document("start", Date.from(session.start())).append("end", Date.from(session.end()))
                    .append("events", session.events()).append("lengthMs", session.length().toMillis())
                    .append("windowStart", Date.from(windows.windowStart(session.start()))));
        }
        return new Document("sessions", sessions.sessions())
                .append("lastSessionStart", date(sessions.lastSessionStart()))
                .append("newest", date(sessions.newest()))
                .append("pruned", sessions.pruned())
                .append("tooLate", sessions.tooLate())
                .append("offsets", offsetsField(sessions.offsets()))
                .append("kept", kept);
    }
}
