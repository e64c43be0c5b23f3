package pulse.event;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where an event's fields are in a record and how to read them ({@code event.*} properties): the format of the
 * value, a JSON Pointer (RFC 6901) or CloudEvents attribute per field, how timestamps are written and which
 * interaction types there are.
 *
 * @param format          plain JSON objects, or CloudEvents 1.0 (structured or binary mode)
 * @param fields          where each field is; every {@link Field} has an entry (null for a field that is not read)
 * @param timestampFormat how the timestamp field is written
 * @param timestampSource the timestamp field, the Kafka record's timestamp, or the field falling back to it
 * @param timeZone        the zone of ISO times written without one
 * @param types           the interaction vocabulary
 */
public record EventMapping(Format format, Map<Field, FieldRef> fields, TimestampFormat timestampFormat,
                           TimestampSource timestampSource, ZoneId timeZone, InteractionTypes types) {

    /** The product's own shape: top-level snake_case fields, any ISO or epoch-millisecond time, UTC. */
    public static final EventMapping DEFAULT = of(Format.JSON, Map.of(), TimestampFormat.AUTO, TimestampSource.FIELD,
            ZoneOffset.UTC, InteractionTypes.DEFAULT);

    public enum Format {
        /** One JSON object per record value. */
        JSON,
        /**
         * CloudEvents 1.0: structured mode (the value is the event as JSON, the mapping's pointers apply inside its
         * {@code data}) or binary mode ({@code ce_} headers, the value is the data).
         */
        CLOUDEVENTS;

        public static Format parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "json" -> JSON;
                case "cloudevents" -> CLOUDEVENTS;
                default -> throw new IllegalArgumentException("must be json or cloudevents");
            };
        }
    }

    public enum TimestampFormat {
        /** ISO-8601 with Z, an offset or no zone (read in {@code event.time-zone}), or epoch milliseconds. */
        AUTO,
        /** ISO-8601 only. */
        ISO,
        /** Epoch milliseconds, as a number or a string of digits. */
        EPOCH_MILLIS,
        /** Epoch seconds, as a number (fractions allowed) or a numeric string. */
        EPOCH_SECONDS;

        public static TimestampFormat parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "auto" -> AUTO;
                case "iso" -> ISO;
                case "epoch-millis" -> EPOCH_MILLIS;
                case "epoch-seconds" -> EPOCH_SECONDS;
                default -> throw new IllegalArgumentException("must be auto, iso, epoch-millis or epoch-seconds");
            };
        }
    }

    public enum TimestampSource {
        FIELD, RECORD, FIELD_OR_RECORD;

        public static TimestampSource parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "field" -> FIELD;
                case "record" -> RECORD;
                case "field-or-record" -> FIELD_OR_RECORD;
                default -> throw new IllegalArgumentException("must be field, record or field-or-record");
            };
        }
    }

    /** The fields of an event, in the order they are judged; {@link #key()} names the {@code event.fields.*} property. */
    public enum Field {
        SCHEMA_VERSION("schema-version", "/schema_version", "/schema_version"),
        EVENT_ID("event-id", "/event_id", "ce:id"),
        USER_ID("user-id", "/user_id", "/user_id"),
        ITEM_ID("item-id", "/item_id", "/item_id"),
        TYPE("type", "/interaction_type", "ce:type"),
        TIMESTAMP("timestamp", "/timestamp", "ce:time");

        private final String key;
        private final String jsonDefault;
        private final String cloudEventsDefault;

        Field(String key, String jsonDefault, String cloudEventsDefault) {
            this.key = key;
            this.jsonDefault = jsonDefault;
            this.cloudEventsDefault = cloudEventsDefault;
        }

        /** {@code event.fields.<key>}. */
        public String key() {
            return key;
        }

        public String defaultFor(Format format) {
            return format == Format.JSON ? jsonDefault : cloudEventsDefault;
        }
    }

    /**
     * Where a field is: a JSON Pointer into the event (inside {@code data} for CloudEvents), or, written
     * {@code ce:<name>}, a CloudEvents attribute such as {@code ce:subject}.
     *
     * @param text      as configured
     * @param pointer   the pointer's reference tokens, unescaped; null for an attribute
     * @param attribute the CloudEvents attribute; null for a pointer
     */
    public record FieldRef(String text, List<String> pointer, String attribute) {

        public static FieldRef parse(String text) {
            if (text.startsWith("ce:")) {
                String attribute = text.substring(3);
                if (!attribute.matches("[a-z0-9]{1,20}")) {
                    throw new IllegalArgumentException("names CloudEvents attribute '" + attribute + "': attribute"
                            + " names are 1 to 20 lower-case letters or digits, such as ce:subject");
                }
                return new FieldRef(text, null, attribute);
            }
            if (!text.startsWith("/")) {
                throw new IllegalArgumentException("must be a JSON Pointer starting with '/', such as /" + text
                        + " or /properties/product_id (or ce:<attribute> with event.format=cloudevents)");
            }
            List<String> tokens = new ArrayList<>();
            for (String raw : text.substring(1).split("/", -1)) {
                StringBuilder token = new StringBuilder(raw.length());
                for (int i = 0; i < raw.length(); i++) {
                    char c = raw.charAt(i);
                    if (c != '~') {
                        token.append(c);
                    } else if (i + 1 < raw.length() && (raw.charAt(i + 1) == '0' || raw.charAt(i + 1) == '1')) {
                        token.append(raw.charAt(++i) == '0' ? '~' : '/');
                    } else {
                        throw new IllegalArgumentException("is not a valid JSON Pointer: '~' must be followed by 0 or 1"
                                + " (~0 is '~', ~1 is '/')");
                    }
                }
                tokens.add(token.toString());
            }
            return new FieldRef(text, Collections.unmodifiableList(tokens), null);
        }

        public boolean isAttribute() {
            return attribute != null;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    public EventMapping {
        Map<Field, FieldRef> copy = new EnumMap<>(Field.class);
        copy.putAll(fields);
        fields = Collections.unmodifiableMap(copy);
        for (Field field : Field.values()) {
            if (!fields.containsKey(field)) {
                throw new IllegalArgumentException("no mapping for " + field);
            }
            FieldRef ref = fields.get(field);
            if (ref != null && ref.isAttribute() && format != Format.CLOUDEVENTS) {
                throw new IllegalArgumentException(ref + " names a CloudEvents attribute, which needs event.format=cloudevents");
            }
        }
    }

    /**
     * @param configured where the configured fields are; the others are at the format's defaults
     */
    public static EventMapping of(Format format, Map<Field, FieldRef> configured, TimestampFormat timestampFormat,
                                  TimestampSource timestampSource, ZoneId timeZone, InteractionTypes types) {
        Map<Field, FieldRef> fields = new EnumMap<>(Field.class);
        for (Field field : Field.values()) {
            fields.put(field, configured.containsKey(field) ? configured.get(field) : FieldRef.parse(field.defaultFor(format)));
        }
        return new EventMapping(format, fields, timestampFormat, timestampSource, timeZone, types);
    }

    /** The product's own shape with another vocabulary. */
    public static EventMapping withTypes(InteractionTypes types) {
        return of(Format.JSON, Map.of(), TimestampFormat.AUTO, TimestampSource.FIELD, ZoneOffset.UTC, types);
    }

    public FieldRef field(Field field) {
        return fields.get(field);
    }
}
