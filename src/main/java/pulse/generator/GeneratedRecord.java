package pulse.generator;

import java.util.Map;

/**
 * A record the generator produces: the user id as key, the encoded event (or a deliberately broken one), and the
 * headers its format carries (CloudEvents attributes in binary mode), or none.
 */
public record GeneratedRecord(String key, byte[] value, Map<String, String> headers) {

    public GeneratedRecord(String key, byte[] value) {
        this(key, value, Map.of());
    }
}
