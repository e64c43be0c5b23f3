package pulse.generator;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import pulse.event.EventMapping;
import pulse.event.EventParser;
import pulse.event.InteractionEvent;
import pulse.event.InteractionTypes;
import pulse.event.InvalidEventException;
import pulse.event.RejectionReason;
import pulse.event.ValidationOptions;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Every shape the generator writes reads back, through the properties README gives for it, as the event it was. */
class EventShapeTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T02:00:00.123Z"), ZoneOffset.UTC);
    /** The mapping README's "Bring your own events" gives for the shape. */
    static EventMapping readerOf(EventShape shape) {
        return ShapeProperties.mapping(shape);
    }

    private static InteractionGenerator generator(EventShape shape, double malformed) {
        InteractionTypes types = readerOf(shape).types();
        double[] weights = types.size() == 4 ? new double[] {60, 20, 5, 15} : new double[] {80, 17, 3};
        GeneratorOptions options = new GeneratorOptions(100, 2_000, 500, 100, 1.1, 0.8, weights, OptionalLong.of(3))
                .withShape(shape, types)
                .withFaults(new GeneratorOptions.Faults(malformed, 0, 0, Duration.ofMinutes(5), Duration.ofMinutes(1)));
        return new InteractionGenerator(options, CLOCK);
    }

    private static InteractionEvent parse(EventParser parser, GeneratedRecord record) throws InvalidEventException {
        return parser.parse(record.value(), EventParser.NO_RECORD_TIMESTAMP,
                name -> record.headers().containsKey(name) ? record.headers().get(name).getBytes(StandardCharsets.UTF_8) : null);
    }

    @ParameterizedTest
    @EnumSource(EventShape.class)
    void everyRecordReadsBackAsTheEventItWrites(EventShape shape) throws Exception {
        EventParser parser = new EventParser(ValidationOptions.defaults(), readerOf(shape), CLOCK);
        InteractionGenerator writer = generator(shape, 0);
        InteractionGenerator same = generator(shape, 0); // the same seed: the same events, as events
        List<GeneratedRecord> records = writer.nextRecords();
        List<InteractionEvent> events = same.nextBatch();
        Set<String> types = new HashSet<>();

        for (int i = 0; i < records.size(); i++) {
            InteractionEvent expected = events.get(i);
            InteractionEvent read = parse(parser, records.get(i));
            boolean integerIds = shape == EventShape.MINIMAL || shape == EventShape.NESTED;
            String user = integerIds ? expected.userId().substring("user-".length()) : expected.userId();
            String item = shape == EventShape.MINIMAL ? expected.itemId().substring("item-".length()) : expected.itemId();
            assertThat(read).isEqualTo(new InteractionEvent(shape == EventShape.MINIMAL ? null : expected.eventId(), 1,
                    user, item, expected.type(), expected.timestamp()));
            assertThat(records.get(i).key()).as("keyed by the user id as written").isEqualTo(user);
            types.add(read.type().name());
        }
        assertThat(types).as("every type of the vocabulary is generated").hasSize(readerOf(shape).types().size());
    }

    @ParameterizedTest
    @EnumSource(EventShape.class)
    void malformedRecordsOfEveryShapeAreRejectedForEachReason(EventShape shape) {
        EventParser parser = new EventParser(ValidationOptions.defaults(), readerOf(shape), CLOCK);
        Set<RejectionReason> reasons = new HashSet<>();

        for (GeneratedRecord record : generator(shape, 1).nextRecords()) {
            InvalidEventException e = catchThrowableOfType(InvalidEventException.class, () -> parse(parser, record));
            assertThat(e).as("a broken %s record is rejected", shape).isNotNull();
            reasons.add(e.reason());
        }
        assertThat(reasons).contains(RejectionReason.UNKNOWN_TYPE, RejectionReason.MISSING_FIELD, RejectionReason.INVALID_ID);
    }
}
