package pulse.embedded.mongo;

import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.NumericUtils;
import de.bwaldvogel.mongo.backend.ValueComparator;

import java.util.Map;

/**
 * The update operators {@link SimpleUpdate} applies itself, each to one field, for exactly the values where what
 * mongo-java-server does is plain: a number, string, date or boolean ($set: or binary) that is present or missing. For anything else
 * (null, an array, a value of another type, a mix MongoDB's type order would decide) the operator answers
 * {@link #UNSUPPORTED} and the whole update is left to upstream, which also raises its errors.
 *
 * <p>Numbers use upstream's own arithmetic ({@link NumericUtils#addNumbers}: int+int that overflows becomes a
 * long, anything with a double a double) and comparison ({@link ValueComparator}), so the results are its results.
 */
enum SimpleOperator {

    INC("$inc") {
        @Override
        boolean accepts(Object argument) {
            return PlainValues.isNumber(argument);
        }

        @Override
        Object apply(Object current, Object argument, boolean inserting) {
            if (current instanceof Missing) {
                return NumericUtils.addNumbers(0, (Number) argument); // upstream starts a missing field at int 0
            }
            return PlainValues.isNumber(current) ? NumericUtils.addNumbers((Number) current, (Number) argument) : UNSUPPORTED;
        }
    },

    SET("$set") {
        @Override
        boolean accepts(Object argument) {
            return PlainValues.isValue(argument);
        }

        @Override
        Object apply(Object current, Object argument, boolean inserting) {
            if (current instanceof Missing) {
                return argument;
            }
            boolean currentIsDocument = current instanceof Map;
            if (!currentIsDocument && !PlainValues.isScalar(current) || currentIsDocument && argument instanceof Map) {
                return UNSUPPORTED; // null, arrays, other types; or two documents, which upstream compares deeply
            }
            // upstream leaves an equal value as it is, even of another number type (1 stays an int after $set 1L)
            return PlainValues.equalAfterNormalising(current, argument) ? UNCHANGED : argument;
        }
    },

    SET_ON_INSERT("$setOnInsert") {
        @Override
        boolean accepts(Object argument) {
            return SET.accepts(argument);
        }

        @Override
        Object apply(Object current, Object argument, boolean inserting) {
            return inserting ? SET.apply(current, argument, true) : UNCHANGED;
        }
    },

    MIN("$min") {
        @Override
        boolean accepts(Object argument) {
            return PlainValues.isComparable(argument);
        }

        @Override
        Object apply(Object current, Object argument, boolean inserting) {
            return replaceIf(current, argument, ValueComparator.asc());
        }
    },

    MAX("$max") {
        @Override
        boolean accepts(Object argument) {
            return PlainValues.isComparable(argument);
        }

        @Override
        Object apply(Object current, Object argument, boolean inserting) {
            return replaceIf(current, argument, ValueComparator.desc());
        }
    };

    /** What {@link #apply} answers when the field keeps its value. */
    static final Object UNCHANGED = new Object() {
        @Override
        public String toString() {
            return "UNCHANGED";
        }
    };

    /** What {@link #apply} answers when upstream has to decide (and maybe raise an error). */
    static final Object UNSUPPORTED = new Object() {
        @Override
        public String toString() {
            return "UNSUPPORTED";
        }
    };

    private final String name;

    SimpleOperator(String name) {
        this.name = name;
    }

    /** The operator of that name ({@code $inc}, ...), or null for one this fast path leaves to upstream. */
    static SimpleOperator named(String name) {
        for (SimpleOperator operator : values()) {
            if (operator.name.equals(name)) {
                return operator;
            }
        }
        return null;
    }

    /** Whether the operator's argument is one it applies itself (checked before anything is touched). */
    abstract boolean accepts(Object argument);

    /**
     * @param current   the field's value, or {@link Missing} when the document has no such field
     * @param inserting whether the document is being inserted by an upsert
     * @return the field's new value, {@link #UNCHANGED} or {@link #UNSUPPORTED}
     */
    abstract Object apply(Object current, Object argument, boolean inserting);

    /** $min and $max: a missing field is set; two values of one kind are compared as upstream compares them. */
    private static Object replaceIf(Object current, Object argument, ValueComparator firstWins) {
        if (current instanceof Missing) {
            return argument;
        }
        if (!PlainValues.areComparable(current, argument)) {
            return UNSUPPORTED; // mixed types follow MongoDB's type order: upstream's job
        }
        return firstWins.compare(argument, current) < 0 ? argument : UNCHANGED;
    }
}
