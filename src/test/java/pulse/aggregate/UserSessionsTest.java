package pulse.aggregate;

import org.junit.jupiter.api.Test;
import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class UserSessionsTest {

    private static final Duration GAP = Duration.ofMinutes(30);
    private static final Duration LATENESS = Duration.ofMinutes(5);
    private static final Duration RETENTION = Duration.ofDays(7);
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

    @Test
    void aLateEventWithinTheGapOfTwoSessionsMergesThem() {
        UserSessions sessions = new UserSessions();
        // 10:00 and 10:31 are 31 minutes apart: two sessions; 10:33 is newest
        sessions.apply(List.of(at(0, 0), at(1, 31), at(2, 33)), GAP, LATENESS, RETENTION);
        assertThat(sessions.sessions()).isEqualTo(2);

        // 10:29 arrives late (4 minutes before the newest, within the lateness): within 30 minutes of both
        sessions.apply(List.of(at(3, 29)), GAP, LATENESS, RETENTION);

        assertThat(sessions.sessions()).isEqualTo(1);
        assertThat(sessions.kept()).containsExactly(
                new UserSessions.Session(T0, T0.plus(Duration.ofMinutes(33)), 4));
        assertThat(sessions.lastSessionStart()).isEqualTo(T0);
    }

    @Test
    void anEventFurtherBehindTheUsersNewestThanTheLatenessIsIgnored() {
        UserSessions sessions = new UserSessions();
        sessions.apply(List.of(at(0, 0), at(1, 40)), GAP, LATENESS, RETENTION);
        sessions.apply(List.of(at(2, 20)), GAP, LATENESS, RETENTION); // 20 minutes behind 10:40: would merge, but too late

        assertThat(sessions.sessions()).isEqualTo(2);
        assertThat(sessions.tooLate()).isEqualTo(1);
    }

    @Test
    void exactlyTheGapApartIsOneSessionOneMillisecondMoreIsTwo() {
        UserSessions one = new UserSessions();
        one.apply(List.of(at(0, 0), new ConsumedEvent(event(T0.plus(GAP)), 0, 1)), GAP, LATENESS, RETENTION);
        UserSessions two = new UserSessions();
        two.apply(List.of(at(0, 0), new ConsumedEvent(event(T0.plus(GAP).plusMillis(1)), 0, 1)), GAP, LATENESS, RETENTION);

        assertThat(one.sessions()).isEqualTo(1);
        assertThat(two.sessions()).isEqualTo(2);
    }

    @Test
    void anyBatchBoundariesAndReplaysGiveThePlainSessionsOfTheEvents() {
        Random random = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            List<ConsumedEvent> stream = new ArrayList<>();
            long time = 0;
            for (int i = 0; i < 60; i++) {
                time += random.nextInt(random.nextInt(4) == 0 ? 50 : 12) * 60_000L; // sometimes a long pause
                // out of order: up to 7 minutes back, so some events are within the lateness and some beyond it
                long jitter = random.nextInt(3) == 0 ? random.nextInt(7 * 60_000) : 0;
                stream.add(new ConsumedEvent(event(T0.plusMillis(time - jitter)), 0, i));
            }
            List<long[]> truth = SessionTruth.of(stream, GAP, LATENESS).get("user");

            UserSessions sessions = new UserSessions();
            int from = 0;
            while (from < stream.size()) {
                int to = Math.min(stream.size(), from + 1 + random.nextInt(10));
                sessions.apply(stream.subList(from, to), GAP, LATENESS, RETENTION);
                if (random.nextBoolean()) { // a replay from an earlier offset changes nothing
                    assertThat(sessions.apply(stream.subList(random.nextInt(to), to), GAP, LATENESS, RETENTION)).isFalse();
                }
                from = to;
            }

            assertThat(sessions.kept()).as("trial %d", trial).hasSameSizeAs(truth);
            for (int i = 0; i < truth.size(); i++) {
                UserSessions.Session session = sessions.kept().get(i);
                assertThat(new long[] {session.start().toEpochMilli() - T0.toEpochMilli(),
                        session.end().toEpochMilli() - T0.toEpochMilli(), session.events()})
                        .as("trial %d session %d", trial, i)
                        .containsExactly(truth.get(i)[0] - T0.toEpochMilli(), truth.get(i)[1] - T0.toEpochMilli(), truth.get(i)[2]);
            }
        }
    }

    @Test
    void sessionsPastTheRetentionAreCountedButNotKept() {
        UserSessions sessions = new UserSessions();
        List<ConsumedEvent> daily = new ArrayList<>();
        for (int day = 0; day < 30; day++) {
            daily.add(new ConsumedEvent(event(T0.plus(Duration.ofDays(day))), 0, day));
        }
        sessions.apply(daily, GAP, LATENESS, RETENTION);

        assertThat(sessions.sessions()).isEqualTo(30);
        assertThat(sessions.kept()).hasSize(8); // days 22 to 29: started at most 7 days before the newest
        assertThat(sessions.lastSessionStart()).isEqualTo(T0.plus(Duration.ofDays(29)));
    }

    private static ConsumedEvent at(long offset, int minutes) {
        return new ConsumedEvent(event(T0.plus(Duration.ofMinutes(minutes))), 0, offset);
    }

    private static InteractionEvent event(Instant time) {
        return new InteractionEvent(null, 1, "user", "item", InteractionType.VIEW, time);
    }
}
