package dev.accel.conformance.reference;

import dev.accel.hal.InvalidArgumentException;
import java.util.Arrays;

/** Row-major index arithmetic for the reference: strides, element counts and numpy broadcasting. */
final class Index {
    private Index() {
    }

    /** Element count of a shape (1 for rank 0). */
    static int numel(int[] dims) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new InvalidArgumentException("reference: shape " + Arrays.toString(dims) + " has " + n
                    + " elements, more than the reference handles (" + Integer.MAX_VALUE + ")");
        }
        return (int) n;
    }

    /** Row-major strides in elements. */
    static int[] strides(int[] dims) {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /** Product of {@code dims[from, to)}. */
    static int product(int[] dims, int from, int to) {
        int n = 1;
        for (int i = from; i < to; i++) {
            n *= dims[i];
        }
        return n;
    }

    /** The numpy broadcast of two shapes (right-aligned; each pair equal or one of them 1). */
    static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new InvalidArgumentException("reference: shapes " + Arrays.toString(a) + " and "
                        + Arrays.toString(b) + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * For every element of a tensor of shape {@code out}, in row-major order, the flat index of the
     * element of a tensor of shape {@code in} that broadcasting maps to it.
     */
    static int[] broadcastMap(int[] in, int[] out) {
        if (in.length > out.length) {
            throw new InvalidArgumentException("reference: cannot broadcast " + Arrays.toString(in) + " to lower rank "
                    + Arrays.toString(out));
        }
        int off = out.length - in.length;
        int[] inStrides = strides(in);
        int[] s = new int[out.length];
        for (int i = 0; i < out.length; i++) {
            if (i < off) {
                continue;
            }
            int d = in[i - off];
            if (d == out[i]) {
                s[i] = inStrides[i - off];
            } else if (d != 1) {
                throw new InvalidArgumentException("reference: cannot broadcast " + Arrays.toString(in) + " to "
                        + Arrays.toString(out));
            }
        }
        int n = numel(out);
        int[] map = new int[n];
        int[] idx = new int[out.length];
        int flat = 0;
        for (int e = 0; e < n; e++) {
            map[e] = flat;
            for (int i = out.length - 1; i >= 0; i--) {
                idx[i]++;
                flat += s[i];
                if (idx[i] < out[i]) {
                    break;
                }
                flat -= s[i] * idx[i];
                idx[i] = 0;
            }
        }
        return map;
    }

    /** Splits a flat row-major index into coordinates. */
    static void unflatten(int flat, int[] dims, int[] coords) {
        for (int i = dims.length - 1; i >= 0; i--) {
            int d = dims[i];
            coords[i] = d == 0 ? 0 : flat % d;
            flat = d == 0 ? 0 : flat / d;
        }
    }

    /** Normalises a possibly negative axis into {@code [0, rank)}. */
    static int axis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new InvalidArgumentException("reference: axis " + axis + " out of range for rank " + rank);
        }
        return a;
    }
}
