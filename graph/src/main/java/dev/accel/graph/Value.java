package dev.accel.graph;

import dev.accel.hal.InvalidArgumentException;
import java.util.Objects;

/**
 * A named tensor of a graph: a graph input, a constant (initializer or folded result), or the
 * output of exactly one node. Values are identified by name within their graph.
 *
 * @param name unique within the graph, non-empty
 * @param type its element type and (possibly symbolic or unknown) shape
 * @param constant the data when the value is a constant, else null
 */
public record Value(String name, ValueType type, Constant constant) {
    public Value {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.isEmpty()) {
            throw new InvalidArgumentException("a value's name must not be empty");
        }
        if (constant != null && !type.equals(ValueType.of(constant.type()))) {
            throw new InvalidArgumentException("value '" + name + "' is declared " + type + " but its constant is "
                    + constant.type());
        }
    }

    /** A constant value, its type taken from the data. */
    public static Value constant(String name, Constant c) {
        return new Value(name, ValueType.of(c.type()), c);
    }

    /** True for a constant. */
    public boolean isConstant() {
        return constant != null;
    }

    @Override
    public String toString() {
        return name + ": " + type + (constant != null ? (constant.isSplat() ? " = splat " + constant.splatValue() : " = const") : "");
    }
}
