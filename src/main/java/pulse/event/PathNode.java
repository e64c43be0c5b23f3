package pulse.event;

import com.fasterxml.jackson.core.io.SerializedString;

import java.util.Arrays;

/** The paths to read in a JSON document: a tree of member names (or array indexes), slots at their ends. */
final class PathNode {
    private static final PathNode[] NO_NODES = new PathNode[0];
    /** Enough for the attributes of a CloudEvent or a tracking plan's envelope; more are read by name. */
    private static final int MAX_UNMAPPED = 16;
    /** The member name (or array index) that leads here, interned like the names Jackson reads; null at the root. */
    final String name;
    /** The name as a JSON string's bytes, to be matched in the document without decoding it. */
    final SerializedString quotedName;
    /** Member names (or array indexes) and the nodes they lead to; a few at most, so searched in order. */
    String[] names = new String[0];
    PathNode[] children = new PathNode[0];
    int[] slots = new int[0];
    /**
     * The mapped member that came first in this object in the last document that had another first, and the one
     * that came after this one in its parent: producers write members in one order, so the next name is
     * guessed and matched as bytes. Written by any thread that reads another order; a stale guess costs only a
     * miss, so plain fields do.
     */
    PathNode firstMember;
    PathNode nextMember;
    /** False for a member the mapping does not name, learned only to keep the order guess going past it. */
    final boolean mapped;
    /**
     * Unmapped member names this object had (at most {@link #MAX_UNMAPPED}), so that the order guess can match
     * them as bytes too (CloudEvents' {@code source} between {@code id} and {@code type}). Copied on write by
     * whichever thread reads a new one; volatile so that the array's elements are seen with it.
     */
    private volatile PathNode[] unmapped = NO_NODES;

    PathNode(String name) {
        this(name, true);
    }

    private PathNode(String name, boolean mapped) {
        this.mapped = mapped;
        this.name = name;
        this.quotedName = name == null ? null : new SerializedString(name);
        if (quotedName != null) {
            quotedName.asQuotedUTF8(); // computed once, here
        }
    }

    PathNode child(String token) {
        PathNode child = find(token);
        if (child == null) {
            // interned like the member names Jackson reads, so a lookup finds its name by identity first
            String interned = token.intern();
            names = Arrays.copyOf(names, names.length + 1);
            names[names.length - 1] = interned;
            children = Arrays.copyOf(children, children.length + 1);
            child = children[children.length - 1] = new PathNode(interned);
        }
        return child;
    }

    /** The node a member name leads to, or null. */
    PathNode find(String name) {
        String[] known = names;
        for (int i = 0; i < known.length; i++) {
            if (known[i].equals(name)) { // String.equals compares identity first
                return children[i];
            }
        }
        return null;
    }

    /**
     * The unmapped member of that name learned in this object, learning it if there is room, or null: unmapped
     * nodes hold no slots and no children (their values are skipped), so only their names matter.
     */
    PathNode unmappedMember(String name) {
        PathNode[] known = unmapped;
        for (PathNode member : known) {
            if (member.name.equals(name)) {
                return member;
            }
        }
        if (known.length == MAX_UNMAPPED) {
            return null;
        }
        PathNode member = new PathNode(name, false);
        PathNode[] more = Arrays.copyOf(known, known.length + 1);
        more[known.length] = member;
        unmapped = more; // two threads may each add one: a duplicate node costs only a miss
        return member;
    }

    boolean hasChildren() {
        return names.length > 0;
    }

    void addSlot(int slot) {
        int[] more = Arrays.copyOf(slots, slots.length + 1);
        more[slots.length] = slot;
        slots = more;
    }
}
