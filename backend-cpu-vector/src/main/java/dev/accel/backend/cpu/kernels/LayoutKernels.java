package dev.accel.backend.cpu.kernels;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Pad;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Split;
import dev.accel.hal.op.Transpose;
import java.lang.foreign.MemorySegment;

/**
 * CPU kernels for Identity, Transpose, Reshape, Concat, Slice, Split and Pad, any dtype: elements
 * move by their byte size. The vector path copies whole contiguous runs (and tiles transposes,
 * see {@link StridedGather}); the scalar twin maps every element's index on its own.
 */
public final class LayoutKernels {
    /** Bytes below which a plain copy stays on the calling thread. */
    private static final long PARALLEL_COPY_BYTES = 1 << 20;

    private LayoutKernels() {
    }

    /**
     * Compiles a spec of one of the ops above; {@code scalar} selects the scalar reference twin.
     *
     * @throws UnsupportedOpException for another op
     */
    public static CpuOp compile(OpSpec spec, boolean scalar) {
        TensorType x = spec.inputs().get(0);
        int size = x.dtype().byteSize();
        return switch (spec.op()) {
            case Identity i -> copy(scalar);
            case Reshape r -> copy(scalar);
            case Transpose t -> transpose(x.shape(), t.resolvedPerm(x.rank()), size, scalar);
            case Slice s -> slice(x.shape(), s.resolve(x.shape()), size, scalar);
            case Concat c -> concat(spec, x.shape().normalizeAxis(c.axis()), size, scalar);
            case Split s -> split(spec, x.shape().normalizeAxis(s.axis()), size, scalar);
            case Pad p -> new PadKernel(p, x, spec.outputs().get(0).shape()).compile(scalar);
            default -> throw new UnsupportedOpException("cpu: " + spec + " is not a layout op");
        };
    }

    private static CpuOp copy(boolean scalar) {
        if (scalar) {
            return (in, out) -> MemorySegment.copy(in[0], 0, out[0], 0, out[0].byteSize());
        }
        return (in, out) -> parallelCopy(in[0], 0, out[0], 0, out[0].byteSize());
    }

    /** A byte copy split across cores when large. */
    static void parallelCopy(MemorySegment src, long srcOff, MemorySegment dst, long dstOff, long bytes) {
        if (bytes < PARALLEL_COPY_BYTES) {
            MemorySegment.copy(src, srcOff, dst, dstOff, bytes);
            return;
        }
        Vec.forBlocks(bytes, (from, to) -> MemorySegment.copy(src, srcOff + from, dst, dstOff + from, to - from));
    }

    private static CpuOp transpose(Shape x, int[] perm, int size, boolean scalar) {
        int r = x.rank();
        long[] st = x.strides();
        long[] dims = new long[r];
        long[] strides = new long[r];
        for (int i = 0; i < r; i++) {
            dims[i] = x.dim(perm[i]);
            strides[i] = st[perm[i]];
        }
        return gather(dims, strides, 0, size, scalar);
    }

    private static CpuOp slice(Shape x, Slice.Range[] ranges, int size, boolean scalar) {
        int r = x.rank();
        long[] st = x.strides();
        long[] dims = new long[r];
        long[] strides = new long[r];
        long base = 0;
        boolean empty = false;
        for (int i = 0; i < r; i++) {
            dims[i] = ranges[i].count();
            strides[i] = st[i] * ranges[i].step();
            empty |= dims[i] == 0;
            base += st[i] * ranges[i].start();
        }
        return gather(dims, strides, empty ? 0 : base, size, scalar);
    }

    /** Output element {@code i} (multi-index over {@code dims}) reads {@code base + sum(i_k * strides_k)}. */
    private static CpuOp gather(long[] dims, long[] strides, long base, int size, boolean scalar) {
        if (!scalar) {
            StridedGather g = new StridedGather(dims, strides, base, size);
            return (in, out) -> g.run(in[0], out[0], 0);
        }
        return (in, out) -> {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            long[] idx = new long[dims.length];
            for (long o = 0; o < n; o++) {
                long si = base;
                for (int k = 0; k < dims.length; k++) {
                    si += idx[k] * strides[k];
                }
                Elements.copy(in[0], si, out[0], o, size);
                for (int k = dims.length - 1; k >= 0; k--) {
                    if (++idx[k] < dims[k]) {
                        break;
                    }
                    idx[k] = 0;
                }
            }
        };
    }

    /** Concat viewed as {@code [outer, total, inner]}: input i fills {@code [outer, d_i, inner]} at its offset along the axis. */
    private static CpuOp concat(OpSpec spec, int axis, int size, boolean scalar) {
        int k = spec.inputs().size();
        Shape out = spec.outputs().get(0).shape();
        long outer = out.product(0, axis);
        long inner = out.product(axis + 1, out.rank());
        long total = out.dim(axis);
        long[] len = new long[k];
        long[] start = new long[k];
        long acc = 0;
        for (int i = 0; i < k; i++) {
            len[i] = spec.inputs().get(i).shape().dim(axis);
            start[i] = acc;
            acc += len[i];
        }
        return (in, o) -> pieces(in, o[0], true, outer, inner, total, len, start, size, scalar);
    }

    /** Split: the inverse of {@link #concat}. */
    private static CpuOp split(OpSpec spec, int axis, int size, boolean scalar) {
        int k = spec.outputs().size();
        Shape x = spec.inputs().get(0).shape();
        long outer = x.product(0, axis);
        long inner = x.product(axis + 1, x.rank());
        long total = x.dim(axis);
        long[] len = new long[k];
        long[] start = new long[k];
        long acc = 0;
        for (int i = 0; i < k; i++) {
            len[i] = spec.outputs().get(i).shape().dim(axis);
            start[i] = acc;
            acc += len[i];
        }
        return (in, o) -> pieces(o, in[0], false, outer, inner, total, len, start, size, scalar);
    }

    /**
     * Moves pieces between a whole tensor {@code [outer, total, inner]} and its parts
     * {@code [outer, len_i, inner]}: into the whole for Concat, out of it for Split.
     */
    private static void pieces(MemorySegment[] parts, MemorySegment whole, boolean intoWhole, long outer, long inner,
            long total, long[] len, long[] start, int size, boolean scalar) {
        if (scalar) {
            for (int i = 0; i < parts.length; i++) {
                long n = outer * len[i] * inner;
                for (long e = 0; e < n; e++) {
                    long o = e / (len[i] * inner);
                    long rest = e % (len[i] * inner);
                    long w = o * total * inner + start[i] * inner + rest;
                    if (intoWhole) {
                        Elements.copy(parts[i], e, whole, w, size);
                    } else {
                        Elements.copy(whole, w, parts[i], e, size);
                    }
                }
            }
            return;
        }
        if (outer == 1) {
            for (int i = 0; i < parts.length; i++) {
                long bytes = len[i] * inner * size;
                if (intoWhole) {
                    parallelCopy(parts[i], 0, whole, start[i] * inner * size, bytes);
                } else {
                    parallelCopy(whole, start[i] * inner * size, parts[i], 0, bytes);
                }
            }
            return;
        }
        Vec.forItems(outer, total * inner, (from, to) -> {
            for (long o = from; o < to; o++) {
                for (int i = 0; i < parts.length; i++) {
                    long run = len[i] * inner;
                    long w = o * total * inner + start[i] * inner;
                    if (intoWhole) {
                        Elements.copyRun(parts[i], o * run, whole, w, run, size);
                    } else {
                        Elements.copyRun(whole, w, parts[i], o * run, run, size);
                    }
                }
            }
        });
    }
}
