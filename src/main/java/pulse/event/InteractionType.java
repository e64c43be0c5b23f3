package pulse.event;

/**
 * One interaction type of the configured vocabulary ({@code event.types}): its name, which is also its field in
 * {@code byType}, and its place in the vocabulary.
 *
 * @param name  as configured; events may spell it in any case, or by an alias
 * @param index its place in the vocabulary, from 0
 */
public record InteractionType(String name, int index) {

    /** The default vocabulary's types ({@link InteractionTypes#DEFAULT}), in funnel order. */
    public static final InteractionType VIEW = new InteractionType("view", 0);
    public static final InteractionType CLICK = new InteractionType("click", 1);
    public static final InteractionType PURCHASE = new InteractionType("purchase", 2);

    @Override
    public String toString() {
        return name;
    }
}
