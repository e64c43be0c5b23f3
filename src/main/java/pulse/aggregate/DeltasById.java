package pulse.aggregate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A fold's deltas by document id, in the order they were added (each delta's {@code foldIndex} is its place in that
 * order). Open addressing with linear probing over a power-of-two table, at most half full, with each id's
 * {@code hashCode} kept beside its delta and spread by Fibonacci hashing (times 2^32 / phi, the high bits as the
 * slot). Not a {@code HashMap}: ids such as "user-N" (sequential numbers in strings) crowd {@code String.hashCode}'s
 * low bits, which {@code HashMap} indexes by, so a growing map chained them into lists and red-black trees, and its
 * lookups by id (two per event, one per merged delta) were ~10 % of the consumers' CPU samples in steady state
 * (docs/benchmark.md). A probe here compares kept hashes, and an id's characters only where they are equal.
 */
final class DeltasById {

    private static final int INITIAL_CAPACITY = 64;

    private int[] slotHashes = new int[INITIAL_CAPACITY];
    /** Null where a slot is free: a free slot ends a probe. */
    private DocumentDelta[] slotDeltas = new DocumentDelta[INITIAL_CAPACITY];
    /** By foldIndex. */
    private final List<DocumentDelta> inOrder = new ArrayList<>();
    /** The same, read-only, for the fold's readers (as an ArrayList's, which their copies and sorts take fastest). */
    private final List<DocumentDelta> readOnly = Collections.unmodifiableList(inOrder);

    /** The delta of {@code id}, added (empty, with the next foldIndex) if there is none yet: one probe either way. */
    DocumentDelta getOrAdd(String id) {
        int hash = id.hashCode();
        int slot = slotOf(id, hash);
        DocumentDelta delta = slotDeltas[slot];
        if (delta != null) {
            return delta;
        }
        delta = new DocumentDelta(id);
        delta.foldIndex = inOrder.size();
        slotHashes[slot] = hash;
        slotDeltas[slot] = delta;
        inOrder.add(delta);
        if (inOrder.size() * 2 > slotDeltas.length) {
            rehash(slotDeltas.length * 2);
        }
        return delta;
    }

    /** The delta of {@code id}, or null. */
    DocumentDelta get(String id) {
        return slotDeltas[slotOf(id, id.hashCode())];
    }

    /** The slot holding {@code id}'s delta, or the free slot that ends its probe. */
    private int slotOf(String id, int hash) {
        int mask = slotDeltas.length - 1;
        int slot = homeSlot(hash, mask);
        DocumentDelta delta;
        while ((delta = slotDeltas[slot]) != null && !(slotHashes[slot] == hash && delta.id().equals(id))) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    int size() {
        return inOrder.size();
    }

    /** The delta whose foldIndex is {@code index}. */
    DocumentDelta at(int index) {
        return inOrder.get(index);
    }

    /** The deltas in the order they were added, as a read-only view. */
    List<DocumentDelta> inOrder() {
        return readOnly;
    }

    /**
     * The home slot of a hash in a table of {@code mask + 1} (a power of two) slots: Fibonacci hashing, the product's
     * high bits (times 2^32 / phi), so that hashes differing only in their low bits still spread.
     */
    static int homeSlot(int hash, int mask) {
        return (hash * 0x9E3779B9) >>> Integer.numberOfLeadingZeros(mask);
    }

    private void rehash(int capacity) {
        int[] oldHashes = slotHashes;
        DocumentDelta[] oldDeltas = slotDeltas;
        slotHashes = new int[capacity];
        slotDeltas = new DocumentDelta[capacity];
        int mask = capacity - 1;
        for (int i = 0; i < oldDeltas.length; i++) {
            if (oldDeltas[i] != null) {
                int slot = homeSlot(oldHashes[i], mask);
                while (slotDeltas[slot] != null) {
                    slot = (slot + 1) & mask;
                }
                slotHashes[slot] = oldHashes[i];
                slotDeltas[slot] = oldDeltas[i];
            }
        }
    }
}
