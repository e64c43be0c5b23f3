package pulse.generator;

/** A record the generator produces: the user id as key, the encoded event (or a deliberately broken one). */
public record GeneratedRecord(String key, byte[] value) {
}
