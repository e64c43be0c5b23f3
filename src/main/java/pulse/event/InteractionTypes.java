package pulse.event;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The interaction vocabulary ({@code event.types}): the types events are counted under, each a field of
 * {@code byType} in every collection. An event's type is matched case-insensitively against the names and the
 * aliases ({@code event.types.aliases}, e.g. {@code Product Viewed:view}); an unknown one is rejected, or, with
 * {@code event.types.unknown=other}, counted under {@code other}.
 */
public final class InteractionTypes {

    /** What a type is called where it becomes a MongoDB field name and a metric label. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    public static final String OTHER = "other";

    public static final InteractionTypes DEFAULT = of(List.of("view", "click", "purchase"), Map.of(), false);

    private final List<InteractionType> all;
    /** Names and aliases as configured: the common case, an exact spelling, costs one lookup and no copy. */
    private final Map<String, InteractionType> exact = new HashMap<>();
    /** Names and aliases in lower case. */
    private final Map<String, InteractionType> folded = new HashMap<>();
    /** Aliases in their configured order. */
    private final Map<String, InteractionType> aliases;
    private final InteractionType other;
    /**
     * The aliases that are not also a name, as configured, with their types: what {@link #resolve} finds by
     * {@code exact} after the names, for {@link #spelledAsConfigured} to match in a parser's buffer.
     */
    private final String[] exactAliases;
    private final InteractionType[] exactAliasTypes;

    private InteractionTypes(List<InteractionType> all, Map<String, InteractionType> aliases, InteractionType other) {
        this.all = List.copyOf(all);
        this.aliases = Collections.unmodifiableMap(new LinkedHashMap<>(aliases));
        this.other = other;
        for (InteractionType type : all) {
            exact.put(type.name(), type);
            folded.put(fold(type.name()), type);
        }
        aliases.forEach((alias, type) -> {
            exact.put(alias, type);
            folded.put(fold(alias), type);
        });
        List<String> aliasTexts = new ArrayList<>();
        List<InteractionType> aliasTypes = new ArrayList<>();
        aliases.forEach((alias, type) -> {
            if (all.stream().noneMatch(name -> name.name().equals(alias))) { // a name spelled so wins, as in resolve
                aliasTexts.add(alias);
                aliasTypes.add(type);
            }
        });
        this.exactAliases = aliasTexts.toArray(String[]::new);
        this.exactAliasTypes = aliasTypes.toArray(InteractionType[]::new);
    }

    /**
     * @param names          the vocabulary, in funnel order
     * @param aliases        other spellings, each naming one of {@code names} (or {@code other} when unknown types
     *                       are counted)
     * @param countUnknownAsOther count events of any other type under {@code other} instead of rejecting them
     * @throws IllegalArgumentException saying what is wrong with the vocabulary
     */
    public static InteractionTypes of(List<String> names, Map<String, String> aliases, boolean countUnknownAsOther) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("must name at least one interaction type");
        }
        List<InteractionType> types = new ArrayList<>();
        Map<String, InteractionType> byFoldedName = new LinkedHashMap<>();
        for (String name : names) {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("has '" + name + "': a type is 1 to 64 letters, digits, '_' or '-'"
                        + " (it becomes a field name, byType." + name + ")");
            }
            if (byFoldedName.containsKey(fold(name))) {
                throw new IllegalArgumentException("lists '" + name + "' twice (types are matched case-insensitively)");
            }
            InteractionType type = new InteractionType(name, types.size());
            types.add(type);
            byFoldedName.put(fold(name), type);
        }
        InteractionType other = null;
        if (countUnknownAsOther) {
            other = byFoldedName.get(OTHER);
            if (other == null) {
                other = new InteractionType(OTHER, types.size());
                types.add(other);
                byFoldedName.put(OTHER, other);
            }
        }
        Map<String, InteractionType> resolvedAliases = new LinkedHashMap<>();
        aliases.forEach((alias, target) -> {
            InteractionType type = byFoldedName.get(fold(target));
            if (type == null) {
                throw new IllegalArgumentException("maps '" + alias + "' to '" + target + "', which is not one of the"
                        + " types " + names);
            }
            resolvedAliases.put(alias, type);
        });
        return new InteractionTypes(types, resolvedAliases, other);
    }

    /** The type an event's text names, by name or alias in any case; {@code other} or empty when unknown. */
    public Optional<InteractionType> resolve(String text) {
        // a few names spelled as configured, the common case: comparing them costs less than hashing the text
        for (InteractionType candidate : all) {
            if (candidate.name().equals(text)) {
                return Optional.of(candidate);
            }
        }
        InteractionType type = exact.get(text);
        if (type == null) {
            type = folded.get(fold(text));
        }
        return Optional.ofNullable(type != null ? type : other);
    }

    /**
     * The type whose name or alias, as configured, is exactly the text in {@code chars} from {@code offset}, or null:
     * the first steps of {@link #resolve(String)} (names, then exact aliases), for a parser that has the text in its
     * buffer and need not make a String of it.
     */
    InteractionType spelledAsConfigured(char[] chars, int offset, int length) {
        for (InteractionType candidate : all) {
            String name = candidate.name();
            if (name.length() == length && sameChars(name, chars, offset)) {
                return candidate;
            }
        }
        String[] aliasTexts = exactAliases;
        for (int i = 0; i < aliasTexts.length; i++) {
            if (aliasTexts[i].length() == length && sameChars(aliasTexts[i], chars, offset)) {
                return exactAliasTypes[i];
            }
        }
        return null;
    }

    /**
     * {@link #spelledAsConfigured(char[], int, int)} for UTF-8 bytes (a header's value): only names and aliases that
     * are ASCII can match, byte for byte; null for anything else, which is then resolved from its text.
     */
    InteractionType spelledAsConfigured(byte[] bytes) {
        for (InteractionType candidate : all) {
            if (sameAscii(candidate.name(), bytes)) {
                return candidate;
            }
        }
        String[] aliasTexts = exactAliases;
        for (int i = 0; i < aliasTexts.length; i++) {
            if (sameAscii(aliasTexts[i], bytes)) {
                return exactAliasTypes[i];
            }
        }
        return null;
    }

    private static boolean sameAscii(String text, byte[] bytes) {
        if (text.length() != bytes.length) {
            return false;
        }
        for (int i = 0; i < bytes.length; i++) {
            char c = text.charAt(i);
            if (c >= 0x80 || bytes[i] != (byte) c) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameChars(String name, char[] chars, int offset) {
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) != chars[offset + i]) {
                return false;
            }
        }
        return true;
    }

    /** The type of that exact name (as configured); for configuration and tests. */
    public InteractionType named(String name) {
        InteractionType type = folded.get(fold(name));
        if (type == null || !all.contains(type)) {
            throw new IllegalArgumentException("'" + name + "' is not one of the types " + names());
        }
        return type;
    }

    public boolean contains(String name) {
        InteractionType type = folded.get(fold(name));
        return type != null && type.name().equalsIgnoreCase(name);
    }

    /** Every type events are counted under, in vocabulary order ({@code other} last when unknown types count). */
    public List<InteractionType> all() {
        return all;
    }

    public List<String> names() {
        return all.stream().map(InteractionType::name).toList();
    }

    public int size() {
        return all.size();
    }

    /** The aliases as configured, in their order: alias, then the name of its type. */
    public Map<String, String> aliases() {
        Map<String, String> names = new LinkedHashMap<>();
        aliases.forEach((alias, type) -> names.put(alias, type.name()));
        return names;
    }

    /** Per type, the first alias that names it: how a producer of that shape spells it. */
    public Map<InteractionType, String> spellings() {
        Map<InteractionType, String> spellings = new HashMap<>();
        aliases.forEach((alias, type) -> spellings.putIfAbsent(type, alias));
        return Collections.unmodifiableMap(spellings);
    }

    private static String fold(String text) {
        return text.toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof InteractionTypes that && all.equals(that.all) && aliases.equals(that.aliases)
                && Objects.equals(this.other, that.other);
    }

    @Override
    public int hashCode() {
        return all.hashCode();
    }

    @Override
    public String toString() {
        return names().toString();
    }
}
