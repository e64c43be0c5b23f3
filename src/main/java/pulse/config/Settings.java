package pulse.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Typed, validated access to the application's properties (application.properties, overridden by system
 * properties and environment variables). Every error names the property, so bad configuration fails at
 * start with a message that says what to change.
 */
public final class Settings {

    private final Function<String, Optional<String>> source;

    public Settings(Function<String, Optional<String>> source) {
        this.source = source;
    }

    public Optional<String> optionalString(String key) {
        return source.apply(key).map(String::trim).filter(value -> !value.isEmpty());
    }

    public String string(String key) {
        return optionalString(key).orElseThrow(() -> new InvalidConfigurationException(key, "is required but not set"));
    }

    public boolean bool(String key) {
        String value = string(key);
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw invalid(key, value, "must be true or false");
    }

    public int positiveInt(String key) {
        long value = positiveLong(key);
        if (value > Integer.MAX_VALUE) {
            throw invalid(key, String.valueOf(value), "must be at most " + Integer.MAX_VALUE);
        }
        return (int) value;
    }

    public int intInRange(String key, int min, int max) {
        String value = string(key);
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(key, value, "must be a whole number from " + min + " to " + max);
    }

    public long positiveLong(String key) {
        String value = string(key);
        try {
            long parsed = Long.parseLong(value);
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(key, value, "must be a positive whole number");
    }

    public OptionalLong optionalLong(String key) {
        Optional<String> value = optionalString(key);
        if (value.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(value.get()));
        } catch (NumberFormatException e) {
            throw invalid(key, value.get(), "must be a whole number, or empty");
        }
    }

    public double positiveDouble(String key) {
        String value = string(key);
        try {
            double parsed = Double.parseDouble(value);
            if (parsed > 0 && Double.isFinite(parsed)) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(key, value, "must be a positive number");
    }

    /** A fraction from 0 to 1. */
    public double ratio(String key) {
        String value = string(key);
        try {
            double parsed = Double.parseDouble(value);
            if (parsed >= 0 && parsed <= 1) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(key, value, "must be a number from 0 to 1");
    }

    /** An ISO-8601 duration such as {@code PT5M} or {@code P7D}. */
    public Duration positiveDuration(String key) {
        String value = string(key);
        try {
            Duration parsed = Duration.parse(value);
            if (!parsed.isNegative() && !parsed.isZero()) {
                return parsed;
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        throw invalid(key, value, "must be a positive ISO-8601 duration such as PT5S, PT5M or P7D");
    }

    private static InvalidConfigurationException invalid(String key, String value, String rule) {
        return new InvalidConfigurationException(key, "= '" + value + "' " + rule);
    }
}
