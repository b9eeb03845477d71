package dev.accel.backend.cuda;

import dev.accel.hal.Shape;
import dev.accel.hal.UnsupportedOpException;
import java.util.ArrayList;
import java.util.List;

/**
 * Index arithmetic for the strided kernels: row-major strides, and merging of dimensions so that
 * an index space fits the kernels' {@code MAXR} = 8 dimensions and costs fewer divisions.
 */
final class CudaStrides {
    /** The strided kernels' largest rank (MAXR in common.cuh). */
    static final int MAX_RANK = 8;

    /** An index space after merging: its dims, and each stride set over them. */
    record Merged(long[] dims, long[][] strides) {
        int rank() {
            return dims.length;
        }

        long[] strides(int i) {
            return strides[i];
        }
    }

    private CudaStrides() {
    }

    static long[] dims(Shape s) {
        long[] d = new long[s.rank()];
        for (int i = 0; i < d.length; i++) {
            d[i] = s.dim(i);
        }
        return d;
    }

    static long[] rowMajor(long[] dims) {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    static long product(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /**
     * Drops dimensions of size 1 and merges neighbours {@code d, d + 1} wherever every stride set
     * has {@code s[d] == s[d + 1] * dims[d + 1]}, which leaves the row-major enumeration of the
     * index space and every offset unchanged.
     */
    static Merged merge(long[] dims, long[]... strides) {
        List<Long> md = new ArrayList<>();
        List<long[]> ms = new ArrayList<>();
        for (int d = 0; d < dims.length; d++) {
            if (dims[d] == 1) {
                continue;
            }
            long[] col = new long[strides.length];
            for (int k = 0; k < strides.length; k++) {
                col[k] = strides[k][d];
            }
            if (!md.isEmpty()) {
                int last = md.size() - 1;
                long[] prev = ms.get(last);
                boolean mergeable = true;
                for (int k = 0; k < strides.length; k++) {
                    mergeable &= prev[k] == col[k] * dims[d];
                }
                if (mergeable) {
                    md.set(last, md.get(last) * dims[d]);
                    ms.set(last, col);
                    continue;
                }
            }
            md.add(dims[d]);
            ms.add(col);
        }
        long[] outDims = md.stream().mapToLong(Long::longValue).toArray();
        long[][] out = new long[strides.length][outDims.length];
        for (int d = 0; d < outDims.length; d++) {
            for (int k = 0; k < strides.length; k++) {
                out[k][d] = ms.get(d)[k];
            }
        }
        return new Merged(outDims, out);
    }

    /** As {@link #merge}, failing when the result still has more than {@code max} dimensions. */
    static Merged mergeWithin(int max, String what, long[] dims, long[]... strides) {
        Merged m = merge(dims, strides);
        if (m.rank() > max) {
            throw new UnsupportedOpException(what + ": the index space has " + m.rank() + " dimensions after merging,"
                    + " the CUDA kernels index at most " + max);
        }
        return m;
    }

    /** {@code v} as an int, or an unsupported-op failure naming {@code what}. */
    static int toInt(long v, String what) {
        if (v > Integer.MAX_VALUE) {
            throw new UnsupportedOpException(what + " is " + v + ", more than the CUDA kernels index (" + Integer.MAX_VALUE + ")");
        }
        return (int) v;
    }
}
