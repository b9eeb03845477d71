package dev.accel.backend.cpu.kernels;

import static dev.accel.backend.cpu.kernels.Vec.F;
import static dev.accel.backend.cpu.kernels.Vec.L;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.Shape;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Softmax along one axis: {@code exp(x - max) / sum(exp(x - max))}. The tensor is viewed as
 * {@code [outer, A, inner]}. With inner = 1 each row is contiguous and the vector loops run along
 * it; otherwise they run across {@code inner} (the elements of one row lie {@code inner} apart),
 * so every lane computes its own softmax. A row of all -inf gives NaN, as the formula does.
 */
final class SoftmaxKernel {
    /** Columns per work item when vectorising across inner. */
    private static final int COLS = 64 * 16;

    private SoftmaxKernel() {
    }

    static CpuOp compile(Shape x, int axis, boolean scalar) {
        long outer = x.product(0, axis);
        long a = x.dim(axis);
        long inner = x.product(axis + 1, x.rank());
        if (outer * a * inner == 0) {
            return (in, out) -> { };
        }
        if (scalar) {
            return (in, out) -> {
                for (long o = 0; o < outer; o++) {
                    for (long j = 0; j < inner; j++) {
                        columnScalar(in[0], out[0], o * a * inner + j, a, inner);
                    }
                }
            };
        }
        if (inner == 1) {
            return (in, out) -> Vec.forItems(outer, a * 4, (from, to) -> {
                for (long o = from; o < to; o++) {
                    row(in[0], out[0], o * a, a);
                }
            });
        }
        long chunks = (inner + COLS - 1) / COLS;
        return (in, out) -> Vec.forItems(outer * chunks, a * Math.min(inner, COLS) * 4, (from, to) -> {
            for (long item = from; item < to; item++) {
                long o = item / chunks;
                long j0 = (item % chunks) * COLS;
                across(in[0], out[0], o * a * inner, a, inner, j0, Math.min(inner, j0 + COLS));
            }
        });
    }

    /** One softmax over {@code a} elements {@code stride} apart from {@code off}. */
    private static void columnScalar(MemorySegment x, MemorySegment y, long off, long a, long stride) {
        float max = Float.NEGATIVE_INFINITY;
        for (long i = 0; i < a; i++) {
            max = Math.max(max, Vec.get(x, off + i * stride));
        }
        float sum = 0;
        for (long i = 0; i < a; i++) {
            float e = (float) Math.exp(Vec.get(x, off + i * stride) - max);
            Vec.set(y, off + i * stride, e);
            sum += e;
        }
        for (long i = 0; i < a; i++) {
            Vec.set(y, off + i * stride, Vec.get(y, off + i * stride) / sum);
        }
    }

    /** A contiguous row. */
    private static void row(MemorySegment x, MemorySegment y, long off, long a) {
        long ub = F.loopBound(a);
        FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (long i = 0; i < ub; i += L) {
            vmax = vmax.max(Vec.load(x, off + i));
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (long i = ub; i < a; i++) {
            max = Math.max(max, Vec.get(x, off + i));
        }
        FloatVector vm = FloatVector.broadcast(F, max);
        FloatVector acc = FloatVector.zero(F);
        for (long i = 0; i < ub; i += L) {
            FloatVector e = Vec.load(x, off + i).sub(vm).lanewise(VectorOperators.EXP);
            Vec.store(e, y, off + i);
            acc = acc.add(e);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (long i = ub; i < a; i++) {
            float e = (float) Math.exp(Vec.get(x, off + i) - max);
            Vec.set(y, off + i, e);
            sum += e;
        }
        FloatVector vs = FloatVector.broadcast(F, sum);
        for (long i = 0; i < ub; i += L) {
            Vec.store(Vec.load(y, off + i).div(vs), y, off + i);
        }
        for (long i = ub; i < a; i++) {
            Vec.set(y, off + i, Vec.get(y, off + i) / sum);
        }
    }

    /** Columns {@code [j0, j1)} of one {@code [a, inner]} block at {@code base}, a vector of columns at a time. */
    private static void across(MemorySegment x, MemorySegment y, long base, long a, long inner, long j0, long j1) {
        long j = j0;
        for (long ub = j0 + F.loopBound(j1 - j0); j < ub; j += L) {
            long off = base + j;
            FloatVector max = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (long i = 0; i < a; i++) {
                max = max.max(Vec.load(x, off + i * inner));
            }
            FloatVector sum = FloatVector.zero(F);
            for (long i = 0; i < a; i++) {
                FloatVector e = Vec.load(x, off + i * inner).sub(max).lanewise(VectorOperators.EXP);
                Vec.store(e, y, off + i * inner);
                sum = sum.add(e);
            }
            for (long i = 0; i < a; i++) {
                Vec.store(Vec.load(y, off + i * inner).div(sum), y, off + i * inner);
            }
        }
        for (; j < j1; j++) {
            columnScalar(x, y, base + j, a, inner);
        }
    }
}
