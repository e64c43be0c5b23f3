package pulse.kafka;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class RejectLogTest {

    private long nanos = 1_000_000_000L;
    private final List<String> lines = new ArrayList<>();
    private final List<String> newReasons = new ArrayList<>();
    private final RejectLog log = new RejectLog(Duration.ofSeconds(5), 5, List.of("MALFORMED_JSON", "MISSING_FIELD"),
            () -> nanos, lines::add);

    private static List<RejectedRecord> rejected(String reason, int count, int firstOffset) {
        return IntStream.range(firstOffset, firstOffset + count)
                .mapToObj(offset -> new RejectedRecord(new KafkaRecord("interactions", 1, offset, "k", new byte[0]),
                        reason, "why " + offset))
                .toList();
    }

    private void advance(Duration duration) {
        nanos += duration.toNanos();
    }

    @Test
    void logsTheFirstFivePerReasonThenOneLinePerReasonWithTheCountOnceTheIntervalIsOver() {
        log.sent(rejected("MISSING_FIELD", 1_000, 0));
        log.sent(rejected("MALFORMED_JSON", 3, 5_000));

        assertThat(lines).containsExactly(
                "Rejected record interactions-1@0 to the dead-letter topic: MISSING_FIELD (why 0)",
                "Rejected record interactions-1@1 to the dead-letter topic: MISSING_FIELD (why 1)",
                "Rejected record interactions-1@2 to the dead-letter topic: MISSING_FIELD (why 2)",
                "Rejected record interactions-1@3 to the dead-letter topic: MISSING_FIELD (why 3)",
                "Rejected record interactions-1@4 to the dead-letter topic: MISSING_FIELD (why 4)",
                "Rejected record interactions-1@5000 to the dead-letter topic: MALFORMED_JSON (why 5000)",
                "Rejected record interactions-1@5001 to the dead-letter topic: MALFORMED_JSON (why 5001)",
                "Rejected record interactions-1@5002 to the dead-letter topic: MALFORMED_JSON (why 5002)");

        lines.clear();
        advance(Duration.ofMillis(4_999));
        log.flushIfDue();
        assertThat(lines).as("within the interval").isEmpty();

        advance(Duration.ofMillis(1));
        log.flushIfDue();
        assertThat(lines).containsExactly("995 more records rejected as MISSING_FIELD in the last 5.0 s were not logged"
                + " one by one (the first 5 were); they are on the dead-letter topic");
    }

    @Test
    void aNewIntervalLogsTheFirstFiveAgain() {
        log.sent(rejected("MISSING_FIELD", 7, 0));
        advance(Duration.ofSeconds(6));
        lines.clear();

        log.sent(rejected("MISSING_FIELD", 7, 100));

        assertThat(lines).hasSize(1 + 5);
        assertThat(lines.get(0)).startsWith("2 more records rejected as MISSING_FIELD in the last 6.0 s");
        assertThat(lines.get(1)).contains("interactions-1@100 ");
        assertThat(lines.get(5)).contains("interactions-1@104 ");
    }

    @Test
    void countsEveryRecordPerReasonAndTellsOfANewReasonOnce() {
        assertThat(log.reasons(newReasons::add)).containsExactly("MALFORMED_JSON", "MISSING_FIELD");

        log.sent(rejected("MISSING_FIELD", 1_000, 0));
        log.sent(rejected("PROCESSING_ERROR", 2, 0));
        log.sent(rejected("PROCESSING_ERROR", 1, 2));

        assertThat(log.total("MISSING_FIELD")).isEqualTo(1_000);
        assertThat(log.total("MALFORMED_JSON")).isZero();
        assertThat(log.total("PROCESSING_ERROR")).isEqualTo(3);
        assertThat(newReasons).containsExactly("PROCESSING_ERROR");
    }
}
