package dev.accel.backend.vulkan;

import dev.accel.hal.Shape;
import java.util.ArrayList;
import java.util.List;

/** Index arithmetic shared by the op planners: strides and coalescing of dimensions. */
final class VulkanShapes {
    private VulkanShapes() {
    }

    /** Dimensions and one stride array per operand, after {@link #coalesce}. */
    record Strided(long[] dims, long[][] strides) {
        int rank() {
            return dims.length;
        }

        long total() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }
    }

    static long[] dims(Shape s) {
        int[] d = s.dims();
        long[] r = new long[d.length];
        for (int i = 0; i < d.length; i++) {
            r[i] = d[i];
        }
        return r;
    }

    /** Row-major element strides of {@code dims}. */
    static long[] contiguous(long[] dims) {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    static long product(long[] dims, int from, int to) {
        long n = 1;
        for (int i = from; i < to; i++) {
            n *= dims[i];
        }
        return n;
    }

    /**
     * Drops dimensions of size 1 and merges neighbours {@code j, j + 1} wherever every operand has
     * {@code stride[j] == stride[j + 1] * dims[j + 1]}, so the index loop in a shader is as short as
     * possible. The element order (row-major over {@code dims}) is unchanged. A tensor with an empty
     * dimension keeps it so the total stays 0.
     */
    static Strided coalesce(long[] dims, long[]... strides) {
        List<Long> d = new ArrayList<>();
        List<long[]> s = new ArrayList<>();
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == 0) {
                return new Strided(new long[] {0}, zeros(strides.length));
            }
            if (dims[i] == 1) {
                continue;
            }
            long[] st = new long[strides.length];
            for (int k = 0; k < strides.length; k++) {
                st[k] = strides[k][i];
            }
            if (!d.isEmpty()) {
                int j = d.size() - 1;
                boolean merge = true;
                for (int k = 0; k < strides.length; k++) {
                    merge &= s.get(j)[k] == st[k] * dims[i];
                }
                if (merge) {
                    d.set(j, d.get(j) * dims[i]);
                    s.set(j, st);
                    continue;
                }
            }
            d.add(dims[i]);
            s.add(st);
        }
        long[] outDims = d.stream().mapToLong(Long::longValue).toArray();
        long[][] outStrides = new long[strides.length][outDims.length];
        for (int j = 0; j < outDims.length; j++) {
            for (int k = 0; k < strides.length; k++) {
                outStrides[k][j] = s.get(j)[k];
            }
        }
        return new Strided(outDims, outStrides);
    }

    private static long[][] zeros(int n) {
        long[][] z = new long[n][1];
        return z;
    }

    /** Throws {@link VulkanPlanBuilder.Unsupported} when a coalesced index space still has more than {@code max} dimensions. */
    static void requireRank(Strided s, int max, String what) {
        if (s.rank() > max) {
            VulkanPlanBuilder.unsupported(what + " needs " + s.rank() + " index dimensions after merging contiguous ones; the shader handles "
                    + max);
        }
    }
}
