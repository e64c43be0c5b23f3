package pulse.event;

import java.util.Locale;
import java.util.Optional;

/** What a user did with an item, in funnel order: most views never become clicks, most clicks never purchases. */
public enum InteractionType {
    VIEW, CLICK, PURCHASE;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** The lower-case name used in events and in MongoDB documents ({@code byType.view}). */
    public String wireName() {
        return wireName;
    }

    public static Optional<InteractionType> fromWireName(String name) {
        for (InteractionType type : values()) {
            if (type.wireName.equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
