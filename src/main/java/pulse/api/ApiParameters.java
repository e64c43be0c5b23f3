package pulse.api;

import com.mongodb.client.model.Filters;
import org.apache.camel.Header;
import org.bson.conversions.Bson;

import java.time.Clock;
import java.time.Duration;
import java.util.Date;

/** Validates the dashboard API's query parameters and turns them into query values. */
public final class ApiParameters {

    public static final int MAX_TOP_ITEMS = 100;
    /** A week: the default window retention. */
    public static final int MAX_WINDOW_MINUTES = 7 * 24 * 60;

    private ApiParameters() {
    }

    /** {@code n}: how many items, 1 to 100, default 10. */
    public static int topItems(@Header("n") String n) {
        return intParameter("n", n, 10, 1, MAX_TOP_ITEMS);
    }

    /** {@code minutes}: how far back, 1 to 10080, default 60; the windows that start since then. */
    public static Bson windowsSince(@Header("minutes") String minutes) {
        int value = intParameter("minutes", minutes, 60, 1, MAX_WINDOW_MINUTES);
        return Filters.gte("windowStart", Date.from(Clock.systemUTC().instant().minus(Duration.ofMinutes(value))));
    }

    static int intParameter(String name, String value, int defaultValue, int min, int max) {
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ApiParameterException("Query parameter '" + name + "' must be a whole number from " + min + " to "
                + max + " (got '" + abbreviate(value) + "')");
    }

    /** A parameter value short enough to quote in an error. */
    static String abbreviate(String value) {
        return value.length() <= 40 ? value : value.substring(0, 37) + "...";
    }
}
