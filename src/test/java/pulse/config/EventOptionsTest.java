package pulse.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import pulse.event.EventMapping;
import pulse.event.EventMapping.Field;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code event.*}, {@code analytics.*}, {@code dedup.*} and {@code generator.format} properties. */
class EventOptionsTest {

    /** The shipped application.properties, with overrides. */
    private static PulseOptions options(String... keyValues) throws IOException {
        Properties defaults = new Properties();
        try (InputStream in = EventOptionsTest.class.getResourceAsStream("/application.properties")) {
            defaults.load(in);
        }
        Map<String, String> overrides = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            overrides.put(keyValues[i], keyValues[i + 1]);
        }
        return PulseOptions.from(new Settings(key -> Optional.ofNullable(
                overrides.containsKey(key) ? overrides.get(key) : defaults.getProperty(key))));
    }

    @Test
    void theDefaultsReadTheProductsOwnShapeTolerantly() throws Exception {
        PulseOptions options = options();

        assertThat(options.events()).isEqualTo(EventMapping.DEFAULT);
        assertThat(options.events().timeZone()).isEqualTo(ZoneOffset.UTC);
        assertThat(options.conversion().toString()).isEqualTo("purchase/view");
        assertThat(options.dedup().isOn()).isFalse();
    }

    @Test
    void cloudEventsDefaultsReadAttributesAndDataFields() throws Exception {
        EventMapping events = options("event.format", "cloudevents").events();

        assertThat(events.field(Field.TYPE).toString()).isEqualTo("ce:type");
        assertThat(events.field(Field.TIMESTAMP).toString()).isEqualTo("ce:time");
        assertThat(events.field(Field.EVENT_ID).toString()).isEqualTo("ce:id");
        assertThat(events.field(Field.USER_ID).toString()).isEqualTo("/user_id");
    }

    @Test
    void aMappedShapeWithAFourthTypeThroughAliases() throws Exception {
        PulseOptions options = options("event.fields.user-id", "/user/id", "event.fields.item-id", "/properties/product_id",
                "event.types", "view,click,purchase,add_to_cart",
                "event.types.aliases", "Product Viewed:view, Product Added:add_to_cart,Order Completed:purchase",
                "generator.type-mix", "view:70,click:15,add_to_cart:10,purchase:5",
                "analytics.conversion", "purchase/add_to_cart", "dedup.horizon", "PT10M", "event.time-zone", "Europe/Paris");

        assertThat(options.events().field(Field.ITEM_ID).pointer()).containsExactly("properties", "product_id");
        assertThat(options.events().types().resolve("product added")).hasValueSatisfying(t -> assertThat(t.name()).isEqualTo("add_to_cart"));
        assertThat(options.generator().typeWeights()).containsExactly(70, 15, 5, 10);
        assertThat(options.conversion().denominator()).isEqualTo("add_to_cart");
        assertThat(options.dedup().horizon()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void theSchemaVersionCanBeLeftUnread() throws Exception {
        assertThat(options("event.fields.schema-version", "none").events().field(Field.SCHEMA_VERSION)).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "event.format           | avro                          | must be json or cloudevents",
            "event.fields.user-id   | user_id                       | must be a JSON Pointer starting with '/'",
            "event.fields.item-id   | /a/~2                         | '~' must be followed by 0 or 1",
            "event.fields.item-id   | ce:subject                    | needs event.format=cloudevents",
            "event.timestamp.format | unix                          | must be auto, iso, epoch-millis or epoch-seconds",
            "event.timestamp.source | header                        | must be field, record or field-or-record",
            "event.time-zone        | Mars/Olympus                  | is not a time zone",
            "event.types            | ' , '                         | at least one",
            "event.types            | view,view                     | twice",
            "event.types            | view,by.type                  | becomes a field name",
            "event.types.aliases    | Order Completed:purchased     | not one of the types",
            "event.types.aliases    | Order Completed               | is not alias:type",
            "event.types.unknown    | ignore                        | must be reject or other",
            "analytics.conversion   | purchase                      | numerator/denominator",
            "analytics.conversion   | purchase/like                 | 'like', which is not one of the types",
            "generator.format       | xml                           | must be one of",
            "generator.type-mix     | view:80,like:20               | type:weight pairs of the types",
            "dedup.horizon          | 10 minutes                    | ISO-8601 duration",
            "dedup.max-ids          | 0                             | positive whole number"})
    void badConfigurationFailsNamingTheProperty(String key, String value, String problem) {
        assertThatThrownBy(() -> options(key, value))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("Invalid configuration: " + key + " = '")
                .hasMessageContaining(problem);
    }

    @Test
    void theConversionMustNameTypesOfTheVocabulary() {
        assertThatThrownBy(() -> options("event.types", "signup,order"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("Invalid configuration: generator.type-mix");
        assertThatThrownBy(() -> options("event.types", "signup,order", "generator.type-mix", "signup:1"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("Invalid configuration: analytics.conversion = 'purchase/view'");
    }
}
