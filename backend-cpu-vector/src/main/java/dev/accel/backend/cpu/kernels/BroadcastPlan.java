package dev.accel.backend.cpu.kernels;

import dev.accel.hal.Shape;
import java.util.Arrays;

/**
 * How to walk an output shape while reading inputs broadcast to it. Output dimensions of size 1
 * are dropped and neighbouring dimensions that are contiguous in every input are merged, so the
 * common cases become one long run: same shapes (one row of all elements), a scalar operand
 * (inner stride 0), a per-channel operand ({@code [N, C, H, W]} with {@code [1, C, 1, 1]}: rows of
 * H * W over which it is constant) and a trailing row ({@code [M, N]} with {@code [N]}). What is
 * left is a list of rows of {@link #inner} output elements, each input read from a row offset
 * with an inner stride of 0 or 1.
 */
final class BroadcastPlan {
    /** Output elements. */
    final long numel;
    /** Length of a row: the innermost merged dimension. */
    final long inner;
    /** Per input, 1 when it advances along a row, 0 when it stays on one element. */
    final int[] innerStride;
    private final long[] outerDims;
    /** [input][outer dimension] strides in elements. */
    private final long[][] outerStrides;

    private BroadcastPlan(long numel, long inner, int[] innerStride, long[] outerDims, long[][] outerStrides) {
        this.numel = numel;
        this.inner = inner;
        this.innerStride = innerStride;
        this.outerDims = outerDims;
        this.outerStrides = outerStrides;
    }

    /** The plan for inputs of the given shapes, each broadcastable to {@code out}. */
    static BroadcastPlan of(Shape out, Shape... inputs) {
        int k = inputs.length;
        long[][] full = new long[k][];
        for (int j = 0; j < k; j++) {
            full[j] = inputs[j].broadcastStrides(out);
        }
        int[] od = out.dims();
        long[] dims = new long[od.length];
        long[][] str = new long[k][od.length];
        int r = 0;
        for (int d = 0; d < od.length; d++) {
            if (od[d] == 1) {
                continue;
            }
            dims[r] = od[d];
            for (int j = 0; j < k; j++) {
                str[j][r] = full[j][d];
            }
            r++;
        }
        // Merge dimension i into i + 1 (its inner neighbour) when every input is contiguous across them.
        int w = 0;
        long[] md = new long[Math.max(1, r)];
        long[][] ms = new long[k][Math.max(1, r)];
        for (int d = 0; d < r; d++) {
            if (w > 0 && mergeable(str, d, dims[d], ms, w - 1)) {
                md[w - 1] *= dims[d];
                for (int j = 0; j < k; j++) {
                    ms[j][w - 1] = str[j][d];
                }
                continue;
            }
            md[w] = dims[d];
            for (int j = 0; j < k; j++) {
                ms[j][w] = str[j][d];
            }
            w++;
        }
        if (w == 0) {
            md[0] = 1;
            w = 1;
        }
        long inner = md[w - 1];
        int[] innerStride = new int[k];
        long[][] outerStrides = new long[k][];
        for (int j = 0; j < k; j++) {
            innerStride[j] = (int) ms[j][w - 1];
            outerStrides[j] = Arrays.copyOf(ms[j], w - 1);
        }
        return new BroadcastPlan(out.numel(), inner, innerStride, Arrays.copyOf(md, w - 1), outerStrides);
    }

    private static boolean mergeable(long[][] str, int innerD, long innerDim, long[][] ms, int prev) {
        for (int j = 0; j < str.length; j++) {
            // The merged group's current stride is that of its innermost dimension so far.
            if (ms[j][prev] != str[j][innerD] * innerDim) {
                return false;
            }
        }
        return true;
    }

    /** A run of {@code len} output elements from {@code outOff}; input {@code j} starts at {@code inOff[j]}. */
    @FunctionalInterface
    interface RunBody {
        void run(long outOff, long[] inOff, long len);
    }

    /**
     * Calls {@code body} for the runs that cover output elements {@code [from, to)}, in order. The
     * {@code inOff} array is reused between calls.
     */
    void forRuns(long from, long to, RunBody body) {
        if (from >= to) {
            return;
        }
        int k = innerStride.length;
        int rank = outerDims.length;
        long row = from / inner;
        long col = from % inner;
        long[] idx = new long[rank];
        long[] base = new long[k];
        long rem = row;
        for (int d = rank - 1; d >= 0; d--) {
            idx[d] = rem % outerDims[d];
            rem /= outerDims[d];
            for (int j = 0; j < k; j++) {
                base[j] += idx[d] * outerStrides[j][d];
            }
        }
        long[] off = new long[k];
        long pos = from;
        while (pos < to) {
            long len = Math.min(inner - col, to - pos);
            for (int j = 0; j < k; j++) {
                off[j] = base[j] + col * innerStride[j];
            }
            body.run(pos, off, len);
            pos += len;
            col = 0;
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                for (int j = 0; j < k; j++) {
                    base[j] += outerStrides[j][d];
                }
                if (idx[d] < outerDims[d]) {
                    break;
                }
                for (int j = 0; j < k; j++) {
                    base[j] -= idx[d] * outerStrides[j][d];
                }
                idx[d] = 0;
            }
        }
    }
}
