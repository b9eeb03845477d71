package dev.accel.hal;

import java.util.Arrays;

/**
 * An immutable tensor shape: a list of non-negative dimensions, row-major (the last dimension
 * varies fastest). A rank-0 shape is a scalar with one element; a shape with a zero dimension is
 * empty and has no elements.
 */
public final class Shape {
    private static final Shape SCALAR = new Shape(new int[0]);

    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    /**
     * A shape of the given dimensions.
     *
     * @throws InvalidArgumentException if a dimension is negative or the element count overflows a long
     */
    public static Shape of(int... dims) {
        if (dims.length == 0) {
            return SCALAR;
        }
        long n = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new InvalidArgumentException(
                        "dimension " + i + " of " + Arrays.toString(dims) + " is " + dims[i] + ", must be >= 0");
            }
            n = Math.multiplyExact(n, (long) dims[i]);
        }
        return new Shape(dims.clone());
    }

    /** The rank-0 shape. */
    public static Shape scalar() {
        return SCALAR;
    }

    public int rank() {
        return dims.length;
    }

    /** Dimension {@code i}; a negative {@code i} counts from the end, as in numpy. */
    public int dim(int i) {
        return dims[normalizeAxis(i)];
    }

    /** A copy of the dimensions. */
    public int[] dims() {
        return dims.clone();
    }

    /** Number of elements: the product of the dimensions (1 for a scalar). */
    public long numel() {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    /** Row-major strides in elements. */
    public long[] strides() {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /** Product of dimensions {@code [from, to)}. */
    public long product(int from, int to) {
        long n = 1;
        for (int i = from; i < to; i++) {
            n *= dims[i];
        }
        return n;
    }

    /**
     * Maps an axis that may be negative (counting from the end) to {@code [0, rank)}.
     *
     * @throws InvalidArgumentException when the axis is outside {@code [-rank, rank)}
     */
    public int normalizeAxis(int axis) {
        return normalizeAxis(axis, dims.length);
    }

    /** As {@link #normalizeAxis(int)}, for a given rank. */
    public static int normalizeAxis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new InvalidArgumentException("axis " + axis + " is out of range for rank " + rank
                    + " (allowed " + (-rank) + " to " + (rank - 1) + ")");
        }
        return a;
    }

    /** This shape with dimension {@code axis} replaced by {@code value}. */
    public Shape withDim(int axis, int value) {
        int[] d = dims.clone();
        d[normalizeAxis(axis)] = value;
        return of(d);
    }

    /**
     * The numpy broadcast of two shapes: right-aligned, each pair of dimensions equal or one of
     * them 1.
     *
     * @throws InvalidArgumentException when the shapes do not broadcast
     */
    public static Shape broadcast(Shape a, Shape b) {
        int rank = Math.max(a.rank(), b.rank());
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.rank() ? 1 : a.dims[i - (rank - a.rank())];
            int db = i < rank - b.rank() ? 1 : b.dims[i - (rank - b.rank())];
            if (da != db && da != 1 && db != 1) {
                throw new InvalidArgumentException("shapes " + a + " and " + b
                        + " do not broadcast: dimension " + i + " of the result is " + da + " in one and " + db
                        + " in the other; each pair must be equal or one of them 1");
            }
            out[i] = da == 1 ? db : da;
        }
        return of(out);
    }

    /**
     * Strides, in elements, for reading a tensor of this shape broadcast to {@code target}:
     * right-aligned, 0 where this shape has 1 (or no dimension) and the target does not.
     */
    public long[] broadcastStrides(Shape target) {
        long[] own = strides();
        long[] s = new long[target.rank()];
        int off = target.rank() - rank();
        if (off < 0) {
            throw new InvalidArgumentException("cannot broadcast " + this + " to lower rank " + target);
        }
        for (int i = 0; i < target.rank(); i++) {
            if (i < off) {
                s[i] = 0;
            } else {
                int d = dims[i - off];
                if (d == target.dims[i]) {
                    s[i] = own[i - off];
                } else if (d == 1) {
                    s[i] = 0;
                } else {
                    throw new InvalidArgumentException("cannot broadcast " + this + " to " + target);
                }
            }
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** Formats as {@code [2, 3, 4]}. */
    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
