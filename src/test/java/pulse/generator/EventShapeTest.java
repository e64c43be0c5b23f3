package pulse.generator;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import pulse.event.EventMapping;
import pulse.event.EventMapping.Field;
import pulse.event.EventMapping.FieldRef;
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
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Every shape the generator writes reads back, through the properties README gives for it, as the event it was. */
class EventShapeTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T02:00:00.123Z"), ZoneOffset.UTC);
    /** A fourth type and display names, as the nested and CloudEvents examples in README configure them. */
    static final InteractionTypes FOUR_TYPES = InteractionTypes.of(List.of("view", "click", "purchase", "add_to_cart"),
            aliases(), false);

    private static Map<String, String> aliases() {
        Map<String, String> aliases = new LinkedHashMap<>();
        aliases.put("Product Viewed", "view");
        aliases.put("Product Clicked", "click");
        aliases.put("Order Completed", "purchase");
        aliases.put("Product Added", "add_to_cart");
        return aliases;
    }

    /** The mapping README's "Bring your own events" gives for the shape. */
    static EventMapping readerOf(EventShape shape) {
        Map<Field, FieldRef> fields = new EnumMap<>(Field.class);
        EventMapping.Format format = EventMapping.Format.JSON;
        InteractionTypes types = InteractionTypes.DEFAULT;
        EventMapping.TimestampFormat timestamps = EventMapping.TimestampFormat.AUTO;
        switch (shape) {
            case PULSE, MINIMAL -> { }
            case NESTED -> {
                fields.put(Field.USER_ID, FieldRef.parse("/user/id"));
                fields.put(Field.ITEM_ID, FieldRef.parse("/properties/product_id"));
                fields.put(Field.TYPE, FieldRef.parse("/event/name"));
                fields.put(Field.TIMESTAMP, FieldRef.parse("/event/ts"));
                fields.put(Field.EVENT_ID, FieldRef.parse("/event/id"));
                timestamps = EventMapping.TimestampFormat.EPOCH_MILLIS;
                types = FOUR_TYPES;
            }
            case CLOUDEVENTS, CLOUDEVENTS_BINARY -> {
                format = EventMapping.Format.CLOUDEVENTS;
                types = FOUR_TYPES;
            }
        }
        return EventMapping.of(format, fields, timestamps, EventMapping.TimestampSource.FIELD, ZoneOffset.UTC, types);
    }

    private static InteractionGenerator generator(EventShape shape, double malformed) {
        InteractionTypes types = readerOf(shape).types();
        double[] weights = types.size() == 4 ? new double[] {70, 15, 5, 10} : new double[] {80, 17, 3};
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
