package pulse.event;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * One parser guesses each member's name from the order of the documents it read before; whatever order, escapes and
 * unmapped members come next, every document is read as its own text says.
 */
class EventParserMemberOrderTest {

    private static final Instant NOW = Instant.parse("2026-01-31T12:00:00Z");
    private final EventParser parser = new EventParser(ValidationOptions.defaults(), Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void documentsInChangingMemberOrdersAreEachReadAsWritten() throws Exception {
        Random random = new Random(5);
        for (int i = 0; i < 3_000; i++) {
            String user = "user-" + i;
            String item = "item-" + (i * 7);
            List<String> members = new ArrayList<>(List.of("\"event_id\":\"e-" + i + "\"", "\"schema_version\":1",
                    "\"" + (random.nextInt(10) == 0 ? "\\u0075ser_id" : "user_id") + "\":\"" + user + "\"",
                    "\"item_id\":\"" + item + "\"", "\"interaction_type\":\"view\"",
                    "\"timestamp\":\"2026-01-31T11:59:" + (10 + i % 50) + "Z\""));
            if (random.nextInt(3) == 0) {
                Collections.shuffle(members, random);
            }
            if (random.nextInt(3) == 0) {
                members.add(random.nextInt(members.size() + 1), "\"user\":{\"user_id\":\"not this one\"}");
            }
            boolean duplicate = random.nextInt(20) == 0;
            if (duplicate) {
                members.add(random.nextInt(members.size() + 1), "\"item_id\":\"again\"");
            }
            byte[] json = ("{" + String.join(",", members) + "}").getBytes(StandardCharsets.UTF_8);

            if (duplicate) {
                InvalidEventException e = catchThrowableOfType(InvalidEventException.class, () -> parser.parse(json));
                assertThat(e.detail()).isEqualTo("Duplicate field 'item_id'");
            } else {
                assertThat(parser.parse(json)).as(new String(json, StandardCharsets.UTF_8)).isEqualTo(new InteractionEvent(
                        "e-" + i, 1, user, item, InteractionType.VIEW, Instant.parse("2026-01-31T11:59:" + (10 + i % 50) + "Z")));
            }
        }
    }
}
