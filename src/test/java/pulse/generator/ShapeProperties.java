package pulse.generator;

import pulse.config.PulseOptions;
import pulse.config.Settings;
import pulse.event.EventMapping;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The {@code event.*} properties that read each shape the generator writes: the ones README's "Bring your own
 * events" gives, in one place for the tests and the benchmark.
 */
public final class ShapeProperties {

    /** The nested and CloudEvents examples' display names, and a fourth type. */
    public static final String TYPES = "view,click,purchase,add_to_cart";
    public static final String ALIASES = "Product Viewed:view,Product Clicked:click,Order Completed:purchase,"
            + "Product Added:add_to_cart";
    public static final String TYPE_MIX = "view:60,click:20,add_to_cart:15,purchase:5";

    private ShapeProperties() {
    }

    /** The properties for the shape, {@code generator.format} included. */
    public static Map<String, String> of(EventShape shape) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("generator.format", shape.property());
        switch (shape) {
            case PULSE, MINIMAL -> { }
            case NESTED -> {
                properties.put("event.fields.user-id", "/user/id");
                properties.put("event.fields.item-id", "/properties/product_id");
                properties.put("event.fields.type", "/event/name");
                properties.put("event.fields.timestamp", "/event/ts");
                properties.put("event.fields.event-id", "/event/id");
                properties.put("event.timestamp.format", "epoch-millis");
                fourTypes(properties);
            }
            case CLOUDEVENTS, CLOUDEVENTS_BINARY -> {
                properties.put("event.format", "cloudevents");
                fourTypes(properties);
            }
        }
        return properties;
    }

    private static void fourTypes(Map<String, String> properties) {
        properties.put("event.types", TYPES);
        properties.put("event.types.aliases", ALIASES);
        properties.put("generator.type-mix", TYPE_MIX);
    }

    /** The mapping the app reads the shape with: application.properties with {@link #of}. */
    public static EventMapping mapping(EventShape shape) {
        Map<String, String> overrides = of(shape);
        Properties defaults = new Properties();
        try (InputStream in = ShapeProperties.class.getResourceAsStream("/application.properties")) {
            defaults.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return PulseOptions.events(new Settings(key -> Optional.ofNullable(
                overrides.containsKey(key) ? overrides.get(key) : defaults.getProperty(key))));
    }
}
