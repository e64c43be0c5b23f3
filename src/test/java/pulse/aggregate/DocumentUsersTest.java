package pulse.aggregate;

import org.junit.jupiter.api.Test;
import pulse.event.ConsumedEvent;
import pulse.event.InteractionEvent;
import pulse.event.InteractionType;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class DocumentUsersTest {

    private static final Instant T0 = Instant.parse("2026-01-31T12:00:00Z");

    private static ConsumedEvent event(long offset, String user, String item, long secondsAfterT0) {
        return new ConsumedEvent(new InteractionEvent(null, 1, user, item, InteractionType.VIEW,
                T0.plusSeconds(secondsAfterT0)), 0, offset);
    }

    private final BatchDelta batch = new BatchDelta(Rollups.of(List.of(Duration.ofMinutes(1), Duration.ofHours(1))));

    DocumentUsersTest() {
        batch.add(event(0, "alice", "item-1", 5));
        batch.add(event(1, "bob", "item-1", 65));
        batch.add(event(2, "alice", "item-2", 70));
        batch.add(event(3, "alice", "item-1", 10));
        batch.add(event(4, "carol", "item-1", 3_700));
    }

    @Test
    void itemsGetTheUsersOfTheirEvents() {
        assertThat(DocumentUsers.of(batch, Rollup.ITEMS))
                .extracting(DocumentUsers::id, DocumentUsers::windowStart, DocumentUsers::itemId, DocumentUsers::users)
                .containsExactly(
                        tuple("item-1", null, "item-1", List.of("alice", "bob", "carol")),
                        tuple("item-2", null, "item-2", List.of("alice")));
    }

    @Test
    void windowsAndItemWindowsOfEverySizeGetTheUsersOfTheEventsInThem() {
        Rollups.WindowSize minute = batch.rollups().windowSizes().get(0);
        Rollups.WindowSize hour = batch.rollups().windowSizes().get(1);

        assertThat(DocumentUsers.of(batch, minute.windows()))
                .extracting(DocumentUsers::id, DocumentUsers::windowStart, DocumentUsers::users)
                .containsExactly(
                        tuple("2026-01-31T12:00:00Z", T0, List.of("alice")),
                        tuple("2026-01-31T12:01:00Z", T0.plusSeconds(60), List.of("bob", "alice")),
                        tuple("2026-01-31T13:01:00Z", T0.plusSeconds(3_660), List.of("carol")));
        assertThat(DocumentUsers.of(batch, hour.itemWindows()))
                .extracting(DocumentUsers::id, DocumentUsers::itemId, DocumentUsers::users)
                .containsExactly(
                        tuple("2026-01-31T12:00:00Z/item-1", "item-1", List.of("alice", "bob")),
                        tuple("2026-01-31T12:00:00Z/item-2", "item-2", List.of("alice")),
                        tuple("2026-01-31T13:00:00Z/item-1", "item-1", List.of("carol")));
    }

    @Test
    void oneReadingOfTheBatchsUsersServesEveryRollupAsItsOwnReadingWould() {
        // the users are read (and hashed) once per batch and shared by the documents of every rollup
        DocumentUsers.Users users = DocumentUsers.users(batch);
        List<Rollup> rollups = new ArrayList<>(List.of(Rollup.ITEMS));
        rollups.addAll(batch.rollups().windowed());
        for (int round = 0; round < 2; round++) { // and again, in the same order, with the same reading
            for (Rollup rollup : rollups) {
                List<DocumentUsers> shared = DocumentUsers.of(batch, rollup, users);
                List<DocumentUsers> alone = DocumentUsers.of(batch, rollup);
                assertThat(shared).extracting(DocumentUsers::id, DocumentUsers::users)
                        .containsExactlyElementsOf(alone.stream().map(d -> tuple(d.id(), d.users())).toList());
                for (DocumentUsers document : shared) {
                    assertThat(document.keys()).as(document.id())
                            .isDeepEqualTo(document.users().stream().map(UniqueUsers::key).toArray(byte[][]::new));
                }
            }
        }
    }
}
