package pulse.api;

import org.apache.camel.Header;
import pulse.aggregate.Rollups;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.stream.Collectors;

/** The API's {@code size} parameter: which configured window size, and so which collections, a query reads. */
public class WindowCollections {

    private final Rollups rollups;

    public WindowCollections(Rollups rollups) {
        this.rollups = rollups;
    }

    /** The windows collection of {@code size} (an ISO-8601 duration such as PT1H); the primary one without it. */
    public String windows(@Header("size") String size) {
        return pair(size).windows().collection();
    }

    /** The item windows collection of {@code size}; the primary one without it. */
    public String itemWindows(@Header("size") String size) {
        return pair(size).itemWindows().collection();
    }

    Rollups.WindowSize pair(String size) {
        if (size == null || size.isBlank()) {
            return rollups.primary();
        }
        try {
            Duration wanted = Duration.parse(size.trim());
            for (Rollups.WindowSize pair : rollups.windowSizes()) {
                if (pair.size().equals(wanted)) {
                    return pair;
                }
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        throw new ApiParameterException("Query parameter 'size' must be one of the configured window sizes ("
                + rollups.windowSizes().stream().map(pair -> pair.size().toString()).collect(Collectors.joining(", "))
                + ", see aggregation.window.sizes), got '" + ApiParameters.abbreviate(size) + "'");
    }
}
