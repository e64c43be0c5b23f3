package pulse.aggregate;

import pulse.event.InteractionTypes;

/**
 * The conversion ratio the dashboard and API show ({@code analytics.conversion}): events of one type per event of
 * another, {@code purchase/view} by default.
 */
public record Conversion(String numerator, String denominator) {

    public static final Conversion DEFAULT = new Conversion("purchase", "view");

    /**
     * {@code purchase/view}: two types of the vocabulary.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static Conversion parse(String text, InteractionTypes types) {
        String[] parts = text.split("/", -1);
        if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
            throw new IllegalArgumentException("must be two interaction types as numerator/denominator, such as purchase/view");
        }
        String numerator = parts[0].trim();
        String denominator = parts[1].trim();
        for (String type : new String[] {numerator, denominator}) {
            if (!types.contains(type)) {
                throw new IllegalArgumentException("names '" + type + "', which is not one of the types " + types.names()
                        + " (event.types)");
            }
        }
        return new Conversion(types.named(numerator).name(), types.named(denominator).name());
    }

    /** Numerator events per denominator event, or null without any of the latter. */
    public Double of(long numeratorCount, long denominatorCount) {
        return denominatorCount == 0 ? null : (double) numeratorCount / denominatorCount;
    }

    @Override
    public String toString() {
        return numerator + "/" + denominator;
    }
}
