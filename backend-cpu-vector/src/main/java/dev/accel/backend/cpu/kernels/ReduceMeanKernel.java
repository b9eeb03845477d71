package dev.accel.backend.cpu.kernels;

import static dev.accel.backend.cpu.kernels.Vec.F;
import static dev.accel.backend.cpu.kernels.Vec.L;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.Shape;
import dev.accel.hal.UnsupportedOpException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * ReduceMean over any set of axes: the sum in float32, divided by the count. Dimensions of size 1
 * are dropped and neighbours of the same kind (reduced or kept) merged, leaving alternating groups.
 * When the innermost group is reduced, each output sums contiguous runs (vector lanes, then the
 * lanes added); when it is kept, each output row adds whole rows of the input into an accumulator
 * row, in the input's order (so the twins agree bit for bit). A mean over no elements is NaN.
 */
final class ReduceMeanKernel {
    /** Accumulator columns per work item when the innermost group is kept. */
    private static final int COLS = 4096;

    private ReduceMeanKernel() {
    }

    static CpuOp compile(Shape x, int[] axes, boolean scalar) {
        int rank = x.rank();
        boolean[] reduced = new boolean[rank];
        for (int a : axes) {
            reduced[a] = true;
        }
        long reducedCount = 1;
        for (int d = 0; d < rank; d++) {
            if (reduced[d]) {
                reducedCount *= x.dim(d);
            }
        }
        long count = reducedCount;
        long outN = count == 0 ? numelOfKept(x, reduced) : x.numel() / count;
        if (outN > Integer.MAX_VALUE - 8) {
            throw new UnsupportedOpException("cpu: ReduceMean with " + outN + " outputs; at most " + (Integer.MAX_VALUE - 8));
        }
        long numel = x.numel();
        if (outN == 0) {
            return (in, out) -> { };
        }
        if (count == 0) {
            return (in, out) -> BinaryKernels.fill(Float.NaN, out[0], 0, outN);
        }
        if (scalar) {
            return (in, out) -> scalar(x, reduced, numel, (int) outN, count, in[0], out[0]);
        }
        // Groups, outermost first: size, input stride, reduced or not.
        long[] size = new long[rank];
        long[] stride = new long[rank];
        boolean[] red = new boolean[rank];
        long[] st = x.strides();
        int g = 0;
        for (int d = 0; d < rank; d++) {
            if (x.dim(d) == 1) {
                continue;
            }
            if (g > 0 && red[g - 1] == reduced[d]) {
                size[g - 1] *= x.dim(d);
                stride[g - 1] = st[d];
            } else {
                size[g] = x.dim(d);
                stride[g] = st[d];
                red[g] = reduced[d];
                g++;
            }
        }
        if (g == 0 || (g == 1 && red[0])) {
            return whole(numel, count);
        }
        Groups kept = Groups.of(size, stride, red, g, false);
        Groups rgrp = Groups.of(size, stride, red, g, true);
        if (rgrp.dims.length == 0) {
            return (in, out) -> MemorySegment.copy(in[0], 0, out[0], 0, out[0].byteSize());
        }
        float fc = count;
        if (red[g - 1]) {
            long run = size[g - 1];
            Groups outerRed = rgrp.withoutLast();
            return (in, out) -> Vec.forItems(outN, count, (from, to) -> {
                for (long o = from; o < to; o++) {
                    long base = kept.offset(o);
                    float acc = 0;
                    for (long r = 0; r < outerRed.count; r++) {
                        acc += Vec.sum(in[0], base + outerRed.offset(r), run);
                    }
                    Vec.set(out[0], o, acc / fc);
                }
            });
        }
        long inner = size[g - 1];
        Groups outerKept = kept.withoutLast();
        long chunks = (inner + COLS - 1) / COLS;
        return (in, out) -> Vec.forItems(outerKept.count * chunks, count * Math.min(inner, COLS), (from, to) -> {
            float[] acc = new float[(int) Math.min(inner, COLS)];
            for (long item = from; item < to; item++) {
                long row = item / chunks;
                long j0 = (item % chunks) * COLS;
                int w = (int) Math.min(COLS, inner - j0);
                Arrays.fill(acc, 0f);
                long base = outerKept.offset(row) + j0;
                for (long r = 0; r < rgrp.count; r++) {
                    long off = base + rgrp.offset(r);
                    int ub = F.loopBound(w);
                    int j = 0;
                    for (; j < ub; j += L) {
                        FloatVector.fromArray(F, acc, j).add(Vec.load(in[0], off + j)).intoArray(acc, j);
                    }
                    for (; j < w; j++) {
                        acc[j] += Vec.get(in[0], off + j);
                    }
                }
                long o = row * inner + j0;
                for (int j = 0; j < w; j++) {
                    Vec.set(out[0], o + j, acc[j] / fc);
                }
            }
        });
    }

    private static long numelOfKept(Shape x, boolean[] reduced) {
        long n = 1;
        for (int d = 0; d < x.rank(); d++) {
            n *= reduced[d] ? 1 : x.dim(d);
        }
        return n;
    }

    /** Mean of the whole tensor: per-block sums (fixed blocks, so the result does not depend on the thread count). */
    private static CpuOp whole(long numel, long count) {
        float fc = count;
        return (in, out) -> {
            long blocks = (numel + Vec.BLOCK - 1) / Vec.BLOCK;
            float[] sums = new float[(int) blocks];
            Vec.forBlocks(numel, (from, to) -> {
                for (long b = from; b < to; b += Vec.BLOCK) {
                    sums[(int) (b / Vec.BLOCK)] = Vec.sum(in[0], b, Math.min(Vec.BLOCK, to - b));
                }
            });
            float s = 0;
            for (float v : sums) {
                s += v;
            }
            Vec.set(out[0], 0, s / fc);
        };
    }

    /** The scalar twin: every input element added into its output, in input order. */
    private static void scalar(Shape x, boolean[] reduced, long numel, int outN, long count, MemorySegment in,
            MemorySegment out) {
        int rank = x.rank();
        int[] dims = x.dims();
        long[] outStride = new long[rank];
        long acc = 1;
        for (int d = rank - 1; d >= 0; d--) {
            if (!reduced[d]) {
                outStride[d] = acc;
                acc *= dims[d];
            }
        }
        float[] sums = new float[outN];
        int[] idx = new int[rank];
        for (long i = 0; i < numel; i++) {
            long o = 0;
            for (int d = 0; d < rank; d++) {
                o += idx[d] * outStride[d];
            }
            sums[(int) o] += Vec.get(in, i);
            for (int d = rank - 1; d >= 0; d--) {
                if (++idx[d] < dims[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        float fc = count;
        for (int o = 0; o < outN; o++) {
            Vec.set(out, o, sums[o] / fc);
        }
    }

    /** A list of dimensions with input strides: maps a flat index over them to an input offset. */
    private record Groups(long[] dims, long[] strides, long count) {
        static Groups of(long[] size, long[] stride, boolean[] red, int g, boolean reduced) {
            int n = 0;
            for (int i = 0; i < g; i++) {
                n += red[i] == reduced ? 1 : 0;
            }
            long[] d = new long[n];
            long[] s = new long[n];
            long c = 1;
            int k = 0;
            for (int i = 0; i < g; i++) {
                if (red[i] == reduced) {
                    d[k] = size[i];
                    s[k] = stride[i];
                    c *= size[i];
                    k++;
                }
            }
            return new Groups(d, s, c);
        }

        Groups withoutLast() {
            int n = dims.length - 1;
            return new Groups(Arrays.copyOf(dims, n), Arrays.copyOf(strides, n), count / dims[n]);
        }

        long offset(long flat) {
            long off = 0;
            for (int i = dims.length - 1; i >= 0; i--) {
                off += (flat % dims[i]) * strides[i];
                flat /= dims[i];
            }
            return off;
        }
    }
}
