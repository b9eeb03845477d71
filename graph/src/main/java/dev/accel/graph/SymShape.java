package dev.accel.graph;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tensor shape whose dimensions may be symbolic ({@link Dim}), or whose rank may be unknown
 * altogether (before shape inference could run). Immutable. {@link #toShape()} gives the hal-api
 * {@link Shape} once every dimension is fixed; {@link #bind} fixes the named symbols.
 */
public final class SymShape {
    private static final SymShape UNKNOWN = new SymShape(null);

    private final List<Dim> dims;

    private SymShape(List<Dim> dims) {
        this.dims = dims;
    }

    /** A shape of these dimensions. */
    public static SymShape of(List<Dim> dims) {
        return new SymShape(List.copyOf(dims));
    }

    /** A fixed shape. */
    public static SymShape of(int... dims) {
        List<Dim> d = new ArrayList<>();
        for (int v : dims) {
            d.add(Dim.of(v));
        }
        return new SymShape(List.copyOf(d));
    }

    /** The fixed shape equal to a hal-api shape. */
    public static SymShape of(Shape shape) {
        return of(shape.dims());
    }

    /**
     * Parses dimensions given as numbers or symbol names, for example {@code ("N", 3, 224, 224)}.
     *
     * @throws InvalidArgumentException for anything but Integer and non-empty String
     */
    public static SymShape parse(Object... dims) {
        List<Dim> d = new ArrayList<>();
        for (Object o : dims) {
            if (o instanceof Integer i) {
                d.add(Dim.of(i));
            } else if (o instanceof String s) {
                d.add(Dim.sym(s));
            } else {
                throw new InvalidArgumentException("dimension " + o + " is neither an int nor a symbol name");
            }
        }
        return of(d);
    }

    /** A shape of unknown rank. */
    public static SymShape unknown() {
        return UNKNOWN;
    }

    /** True when the rank is known. */
    public boolean isKnown() {
        return dims != null;
    }

    /** True when the rank is known and every dimension is fixed. */
    public boolean isStatic() {
        if (dims == null) {
            return false;
        }
        for (Dim d : dims) {
            if (d.isSymbolic()) {
                return false;
            }
        }
        return true;
    }

    /** The rank; throws when unknown. */
    public int rank() {
        return known().size();
    }

    /** The dimensions; throws when the rank is unknown. */
    public List<Dim> dims() {
        return known();
    }

    /** Dimension {@code i}; negative counts from the end. */
    public Dim dim(int i) {
        List<Dim> d = known();
        return d.get(Shape.normalizeAxis(i, d.size()));
    }

    /** The names of the symbols in this shape, in order of first appearance. */
    public Set<String> symbols() {
        Set<String> s = new LinkedHashSet<>();
        if (dims != null) {
            for (Dim d : dims) {
                if (d.isSymbolic()) {
                    s.add(d.symbol());
                }
            }
        }
        return s;
    }

    /**
     * The hal-api shape.
     *
     * @throws InvalidArgumentException when the rank is unknown or a dimension is symbolic
     */
    public Shape toShape() {
        List<Dim> d = known();
        int[] out = new int[d.size()];
        for (int i = 0; i < out.length; i++) {
            if (d.get(i).isSymbolic()) {
                throw new InvalidArgumentException("shape " + this + " has the symbolic dimension '" + d.get(i).symbol()
                        + "' at " + i + "; bind it to a size first");
            }
            out[i] = d.get(i).value();
        }
        return Shape.of(out);
    }

    /** This shape with the symbols in {@code bindings} replaced by their sizes; others stay symbolic. */
    public SymShape bind(Map<String, Integer> bindings) {
        if (dims == null) {
            return this;
        }
        List<Dim> out = new ArrayList<>();
        for (Dim d : dims) {
            Integer v = d.isSymbolic() ? bindings.get(d.symbol()) : null;
            out.add(v != null ? Dim.of(v) : d);
        }
        return new SymShape(List.copyOf(out));
    }

    private List<Dim> known() {
        if (dims == null) {
            throw new InvalidArgumentException("the shape is unknown (shape inference could not determine its rank)");
        }
        return dims;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SymShape s && java.util.Objects.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(dims);
    }

    /** Formats as {@code [N, 3, 224, 224]}, or {@code [?]} when the rank is unknown. */
    @Override
    public String toString() {
        return dims == null ? "[?]" : dims.toString();
    }
}
