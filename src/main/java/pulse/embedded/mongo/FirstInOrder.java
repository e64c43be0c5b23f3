package pulse.embedded.mongo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * The first few elements of a sequence in an order, as {@code sorted(order).limit(count)} would give them (ties
 * keep their encounter order), without sorting the rest: one comparison per element for the first of a thousand
 * instead of about ten. A sorted query with a small limit ("the item with the highest total") is answered this way.
 */
final class FirstInOrder {

    private FirstInOrder() {
    }

    static <T> List<T> first(Iterator<T> elements, Comparator<? super T> order, int count) {
        if (count <= 0) {
            throw new IllegalArgumentException("count must be positive: " + count);
        }
        List<T> first = new ArrayList<>(Math.min(count, 64) + 1);
        while (elements.hasNext()) {
            T element = elements.next();
            if (first.size() == count && order.compare(element, first.get(count - 1)) >= 0) {
                continue; // not before the last kept one (a tie comes after it, as in a stable sort)
            }
            first.add(insertionPoint(first, element, order), element);
            if (first.size() > count) {
                first.remove(count);
            }
        }
        return first;
    }

    /** The index of the first kept element that comes after {@code element} (after its equals: stable). */
    private static <T> int insertionPoint(List<T> sorted, T element, Comparator<? super T> order) {
        int low = 0;
        int high = sorted.size();
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (order.compare(sorted.get(middle), element) > 0) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        return low;
    }
}
