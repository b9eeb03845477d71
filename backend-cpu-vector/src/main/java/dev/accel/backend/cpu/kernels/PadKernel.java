package dev.accel.backend.cpu.kernels;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Pad;
import java.lang.foreign.MemorySegment;

/**
 * Pad, any dtype. Along each axis an output index {@code o} reads input index {@code o - begin}
 * when inside the axis; outside it, CONSTANT writes the value (converted by
 * {@link Elements#encode}), EDGE reads the nearest border element and REFLECT mirrors about the
 * border without repeating it ({@code -i}, or {@code 2 (n - 1) - i}). The vector path works a row
 * of the last axis at a time: a row whose outer indices fall in constant padding is filled, any
 * other copies its input row as one run and fills or mirrors the few border elements around it.
 */
final class PadKernel {
    private final Pad.Mode mode;
    private final int size;
    private final int rank;
    private final int[] inDims;
    private final int[] outDims;
    private final int[] begin;
    private final byte[] value;

    PadKernel(Pad p, TensorType x, Shape out) {
        mode = p.mode();
        size = x.dtype().byteSize();
        rank = x.rank();
        inDims = x.shape().dims();
        outDims = out.dims();
        begin = new int[rank];
        for (int d = 0; d < rank; d++) {
            begin[d] = p.pads().get(d);
        }
        value = Elements.encode(p.value(), x.dtype());
    }

    /** The input index that output index {@code o} of axis {@code d} reads, or -1 for the constant. */
    private long source(int d, long o) {
        long n = inDims[d];
        long i = o - begin[d];
        if (i >= 0 && i < n) {
            return i;
        }
        return switch (mode) {
            case CONSTANT -> -1;
            case EDGE -> Math.clamp(i, 0, n - 1);
            case REFLECT -> i < 0 ? -i : 2 * (n - 1) - i;
        };
    }

    CpuOp compile(boolean scalar) {
        long outN = 1;
        for (int d : outDims) {
            outN *= d;
        }
        long n = outN;
        if (rank == 0) {
            return (in, out) -> MemorySegment.copy(in[0], 0, out[0], 0, out[0].byteSize());
        }
        if (scalar) {
            return (in, out) -> {
                long[] idx = new long[rank];
                for (long o = 0; o < n; o++) {
                    long si = 0;
                    boolean constant = false;
                    for (int d = 0; d < rank; d++) {
                        long s = source(d, idx[d]);
                        constant |= s < 0;
                        si = si * inDims[d] + Math.max(0, s);
                    }
                    if (constant) {
                        Elements.fill(out[0], o, 1, value);
                    } else {
                        Elements.copy(in[0], si, out[0], o, size);
                    }
                    for (int d = rank - 1; d >= 0; d--) {
                        if (++idx[d] < outDims[d]) {
                            break;
                        }
                        idx[d] = 0;
                    }
                }
            };
        }
        int last = rank - 1;
        long width = outDims[last];
        long rows = width == 0 ? 0 : n / width;
        long inWidth = inDims[last];
        long left = Math.min(begin[last], width);
        long copyLen = Math.max(0, Math.min(inWidth, width - left));
        return (in, out) -> Vec.forItems(rows, width, (from, to) -> {
            for (long row = from; row < to; row++) {
                long o = row * width;
                long srcRow = sourceRow(row);
                if (srcRow < 0) {
                    Elements.fill(out[0], o, width, value);
                    continue;
                }
                long si = srcRow * inWidth;
                for (long j = 0; j < left; j++) {
                    border(in[0], si, out[0], o + j, j);
                }
                Elements.copyRun(in[0], si, out[0], o + left, copyLen, size);
                for (long j = left + copyLen; j < width; j++) {
                    border(in[0], si, out[0], o + j, j);
                }
            }
        });
    }

    private void border(MemorySegment in, long srcRowStart, MemorySegment out, long o, long j) {
        long s = source(rank - 1, j);
        if (s < 0) {
            Elements.fill(out, o, 1, value);
        } else {
            Elements.copy(in, srcRowStart + s, out, o, size);
        }
    }

    /** The input row (flat over all axes but the last) that output row {@code row} reads, or -1 for constant padding. */
    private long sourceRow(long row) {
        long src = 0;
        long mul = 1;
        for (int d = rank - 2; d >= 0; d--) {
            long o = row % outDims[d];
            row /= outDims[d];
            long s = source(d, o);
            if (s < 0) {
                return -1;
            }
            src += s * mul;
            mul *= inDims[d];
        }
        return src;
    }
}
