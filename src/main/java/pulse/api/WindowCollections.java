package pulse.api;

import org.apache.camel.Header;
import pulse.aggregate.Dimensions;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.stream.Collectors;

/** The API's {@code size} parameter: which configured window size, and so which collections, a query reads. */
public class WindowCollections {

    private final Dimensions dimensions;

    public WindowCollections(Dimensions dimensions) {
        this.dimensions = dimensions;
    }

    /** The windows collection of {@code size} (an ISO-8601 duration such as PT1H); the primary one without it. */
    public String windows(@Header("size") String size) {
        return pair(size).windows().collection();
    }

    /** The item windows collection of {@code size}; the primary one without it. */
    public String itemWindows(@Header("size") String size) {
        return pair(size).itemWindows().collection();
    }

    private Dimensions.WindowPair pair(String size) {
        if (size == null || size.isBlank()) {
            return dimensions.primary();
        }
        try {
            Duration wanted = Duration.parse(size.trim());
            for (Dimensions.WindowPair pair : dimensions.windowSizes()) {
                if (pair.size().equals(wanted)) {
                    return pair;
                }
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        throw new ApiParameterException("Query parameter 'size' must be one of the configured window sizes ("
                + dimensions.windowSizes().stream().map(pair -> pair.size().toString()).collect(Collectors.joining(", "))
                + ", see aggregation.window.sizes), got '" + ApiParameters.abbreviate(size) + "'");
    }
}
