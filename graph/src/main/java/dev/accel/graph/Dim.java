package dev.accel.graph;

import dev.accel.hal.InvalidArgumentException;
import java.util.Objects;

/**
 * One dimension of a {@link SymShape}: either a fixed size, or a named symbol bound later (a batch
 * size "N", a sequence length "S"). A symbol whose name starts with {@code '?'} is an unnamed
 * derived dimension that shape inference could not express in the input symbols; it becomes known
 * once the graph is bound.
 *
 * @param value the size, or -1 for a symbol
 * @param symbol the symbol's name, or null for a fixed size
 */
public record Dim(int value, String symbol) {
    public Dim {
        if (symbol == null && value < 0) {
            throw new InvalidArgumentException("dimension " + value + " is negative, must be >= 0");
        }
        if (symbol != null && (symbol.isEmpty() || value != -1)) {
            throw new InvalidArgumentException("symbolic dimension needs a non-empty name and value -1, got '" + symbol
                    + "' and " + value);
        }
    }

    /** A fixed size. */
    public static Dim of(int value) {
        return new Dim(value, null);
    }

    /** A named symbol. */
    public static Dim sym(String name) {
        Objects.requireNonNull(name, "name");
        return new Dim(-1, name);
    }

    /** True for a symbol, false for a fixed size. */
    public boolean isSymbolic() {
        return symbol != null;
    }

    /** The fixed size; throws for a symbol. */
    public int fixed() {
        if (symbol != null) {
            throw new InvalidArgumentException("dimension '" + symbol + "' is symbolic; bind it first");
        }
        return value;
    }

    @Override
    public String toString() {
        return symbol != null ? symbol : String.valueOf(value);
    }
}
