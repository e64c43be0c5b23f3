package pulse.event;

import java.io.IOException;
import java.util.Arrays;

/**
 * The member names of every object open while a document is read, to find a duplicated key at any depth, as
 * Jackson's {@code STRICT_DUPLICATE_DETECTION} did and with its message. One stack of names for all open
 * objects: an object's names start where its parent's end and are dropped when it closes, so keys repeated across
 * sibling objects are not duplicates. Objects have a few members, so a linear search beats hashing; Jackson
 * returns one canonical String per name, so a repeated key is usually found by identity.
 */
final class MemberNames {
    private String[] names = new String[16];
    private int size;
    /** Where each open object's names start in {@code names}. */
    private int[] starts = new int[8];
    private int depth;

    void enterObject() {
        if (depth == starts.length) {
            starts = Arrays.copyOf(starts, depth * 2);
        }
        starts[depth++] = size;
    }

    void exitObject() {
        size = starts[--depth];
    }

    /** Adds a member name of the innermost open object, or throws if it already has it. */
    void add(String name) throws DuplicateMemberException {
        String[] known = names;
        for (int i = starts[depth - 1]; i < size; i++) {
            if (known[i].equals(name)) { // String.equals compares identity first
                throw new DuplicateMemberException(name);
            }
        }
        if (size == known.length) {
            names = known = Arrays.copyOf(known, size * 2);
        }
        known[size++] = name;
    }

    /** A key repeated in one object: thrown while reading, turned into a MALFORMED_JSON rejection. */
    static final class DuplicateMemberException extends IOException {
        final String name;

        DuplicateMemberException(String name) {
            super(name, null);
            this.name = name;
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // a rejection, not a bug: no stack needed
        }
    }
}
