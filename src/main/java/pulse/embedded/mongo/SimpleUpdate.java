package pulse.embedded.mongo;

import de.bwaldvogel.mongo.backend.EmptyIndex;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.bson.Document;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An update document that {@link EmbeddedMongoBackend} applies itself instead of mongo-java-server's general
 * update code, which splits every path with regular expressions, deep-copies the document twice and encodes it
 * twice to count its size; that was most of the server's time for the pipeline's upserts.
 *
 * <p><b>Fast-pathed</b>: only {@code $inc}, {@code $set}, {@code $setOnInsert}, {@code $min} and {@code $max} (see
 * {@link SimpleOperator} for the values each takes), on plain or dotted field paths whose every step is a
 * sub-document or missing (missing ones are created), no path the prefix of another, none touching {@code _id}.
 * The document is copied only along the changed paths; unchanged sub-documents are shared with the stored
 * version, which nothing changes in place. Fields keep their order; new ones are appended in the update's order.
 *
 * <p><b>Left to upstream</b> ({@link #parse} or {@link #applyTo} answer null, before anything is changed): any other
 * operator, replacement documents, positional or {@code $}-prefixed paths, arrays, nulls or other types in the
 * update or along its paths, conflicting paths, values whose comparison needs MongoDB's type order, and stored
 * documents with field names upstream would reject. Upstream then does what it always did, errors included.
 */
final class SimpleUpdate {

    private static final String ID = "_id";

    private record FieldUpdate(SimpleOperator operator, String path, String[] steps, Object argument) {
    }

    /** The stored document after an update, and what upstream would report about it. */
    record Applied(Document document, boolean changed, boolean modified, int sizeDelta) {
    }

    private final List<FieldUpdate> fields;

    private SimpleUpdate(List<FieldUpdate> fields) {
        this.fields = fields;
    }

    /** The update, or null when upstream has to apply it. */
    static SimpleUpdate parse(Document update) {
        if (update.isEmpty()) {
            return null;
        }
        List<FieldUpdate> fields = new ArrayList<>();
        for (Map.Entry<String, Object> entry : update.entrySet()) {
            SimpleOperator operator = SimpleOperator.named(entry.getKey());
            if (operator == null || !(entry.getValue() instanceof Document change) || change.isEmpty()) {
                return null;
            }
            for (Map.Entry<String, Object> field : change.entrySet()) {
                String[] steps = steps(field.getKey());
                if (steps == null || ID.equals(steps[0]) || !operator.accepts(field.getValue())) {
                    return null;
                }
                fields.add(new FieldUpdate(operator, field.getKey(), steps, field.getValue()));
            }
        }
        return conflicting(fields) ? null : new SimpleUpdate(fields);
    }

    /** The steps of a path, or null unless each is a plain field name (not empty, not $-prefixed). */
    private static String[] steps(String path) {
        List<String> steps = new ArrayList<>(3);
        int start = 0;
        while (true) {
            int dot = path.indexOf('.', start);
            String step = dot < 0 ? path.substring(start) : path.substring(start, dot);
            if (step.isEmpty() || step.charAt(0) == '$') {
                return null;
            }
            steps.add(step);
            if (dot < 0) {
                return steps.toArray(new String[0]);
            }
            start = dot + 1;
        }
    }

    /** Two paths of which one is the other or leads into it: upstream answers ConflictingUpdateOperators. */
    private static boolean conflicting(List<FieldUpdate> fields) {
        for (int i = 0; i < fields.size(); i++) {
            for (int j = i + 1; j < fields.size(); j++) {
                if (related(fields.get(i).path, fields.get(j).path)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean related(String a, String b) {
        return a.equals(b) || isAncestor(a, b) || isAncestor(b, a);
    }

    private static boolean isAncestor(String ancestor, String path) {
        return path.length() > ancestor.length() && path.startsWith(ancestor) && path.charAt(ancestor.length()) == '.';
    }

    /**
     * Whether no unique index can see the change, so that upstream's index checks, which compare the indexed
     * values before and after, would find nothing to do. Secondary indexes ({@link EmptyIndex}) never do anything.
     */
    boolean leavesKeysOf(List<? extends Index<?>> indexes) {
        for (Index<?> index : indexes) {
            if (index instanceof EmptyIndex) {
                continue;
            }
            for (IndexKey key : index.getKeys()) {
                for (FieldUpdate field : fields) {
                    if (related(key.getKey(), field.path)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * Applies the update to a stored document without changing it.
     *
     * @return the new version, or null when upstream has to apply the update
     */
    Applied applyTo(Document stored) {
        for (Map.Entry<String, Object> field : stored.entrySet()) {
            if (field.getKey().startsWith("$") || field.getKey().indexOf('.') >= 0
                    || field.getValue() instanceof Collection) {
                return null; // upstream validates such names, and the documents in arrays, after an update
            }
        }
        Document updated = stored.clone();
        Set<Document> copies = Collections.newSetFromMap(new IdentityHashMap<>());
        copies.add(updated);
        boolean changed = false;
        boolean modified = false;
        List<String> changedFields = new ArrayList<>(fields.size());
        for (FieldUpdate field : fields) {
            Object current = read(updated, field.steps);
            if (current == SimpleOperator.UNSUPPORTED) {
                return null;
            }
            Object value = field.operator.apply(current, field.argument, false);
            if (value == SimpleOperator.UNSUPPORTED) {
                return null;
            }
            if (value == SimpleOperator.UNCHANGED) {
                continue;
            }
            write(updated, field.steps, value, copies);
            boolean missing = current instanceof Missing;
            // upstream writes a document that differs (Document.equals), and reports it modified only when it
            // differs after normalising numbers: an $inc by 0L of an int rewrites the field as a long, unmodified
            changed |= missing || !Objects.equals(current, value);
            modified |= missing || !PlainValues.equalAfterNormalising(current, value);
            if (!changedFields.contains(field.steps[0])) {
                changedFields.add(field.steps[0]);
            }
        }
        if (!changed) {
            return new Applied(stored, false, false, 0);
        }
        int sizeDelta = 0;
        for (String field : changedFields) {
            sizeDelta += BsonSizes.field(field, updated.getOrMissing(field)) - BsonSizes.field(field, stored.getOrMissing(field));
        }
        return new Applied(updated, true, modified, sizeDelta);
    }

    /**
     * The document an upsert inserts when nothing matched a filter that contributes only its {@code _id}.
     *
     * @return the new document, or null when upstream has to build it
     */
    Document insert(Object id) {
        Document inserted = new Document(ID, id);
        Set<Document> copies = Collections.newSetFromMap(new IdentityHashMap<>());
        copies.add(inserted);
        for (FieldUpdate field : fields) {
            Object current = read(inserted, field.steps);
            Object value = current == SimpleOperator.UNSUPPORTED ? current : field.operator.apply(current, field.argument, true);
            if (value == SimpleOperator.UNSUPPORTED) {
                return null;
            }
            if (value != SimpleOperator.UNCHANGED) {
                write(inserted, field.steps, value, copies);
            }
        }
        return inserted;
    }

    /**
     * Whether an upsert with this filter inserts only its {@code _id}: every other condition is an operator
     * expression ({@code {$not: ...}}, {@code {$gte: ...}}, ...) that upstream does not copy into the new document.
     * {@code $eq} is copied by upstream, and top-level {@code $and}/{@code $or} may be: both are left to it.
     */
    static boolean insertsOnlyTheId(Document filter) {
        for (Map.Entry<String, Object> condition : filter.entrySet()) {
            if (ID.equals(condition.getKey())) {
                continue;
            }
            if (condition.getKey().startsWith("$") || !(condition.getValue() instanceof Document expression)
                    || expression.isEmpty()) {
                return false;
            }
            for (String operator : expression.keySet()) {
                if (!operator.startsWith("$") || operator.equals("$eq")) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The value at a path: Missing when a step is missing, UNSUPPORTED when a step is not a document. */
    private static Object read(Document document, String[] steps) {
        Document parent = document;
        for (int i = 0; i < steps.length - 1; i++) {
            Object child = parent.getOrMissing(steps[i]);
            if (child instanceof Missing) {
                return child;
            }
            if (!(child instanceof Document childDocument)) {
                return SimpleOperator.UNSUPPORTED;
            }
            parent = childDocument;
        }
        return parent.getOrMissing(steps[steps.length - 1]);
    }

    /**
     * Sets the value at a path, creating missing sub-documents and copying stored ones before changing them
     * ({@code copies} are this update's own, changed in place).
     */
    private static void write(Document document, String[] steps, Object value, Set<Document> copies) {
        Document parent = document;
        for (int i = 0; i < steps.length - 1; i++) {
            Object child = parent.get(steps[i]);
            Document own;
            if (child instanceof Document childDocument && copies.contains(childDocument)) {
                own = childDocument;
            } else {
                own = child instanceof Document childDocument ? childDocument.clone() : new Document();
                copies.add(own);
                parent.put(steps[i], own); // an existing field keeps its place
            }
            parent = own;
        }
        parent.put(steps[steps.length - 1], value);
    }
}
