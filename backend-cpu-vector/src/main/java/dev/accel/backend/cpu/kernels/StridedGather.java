package dev.accel.backend.cpu.kernels;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Copies a strided view of a source into a dense row-major destination: destination element
 * {@code (i_0, ..., i_r-1)} reads source element {@code base + sum(i_k * stride_k)} (strides in
 * elements, possibly negative). Transpose and Slice are such views. Dimensions of size 1 are
 * dropped and neighbours that are contiguous in the source merged, then:
 * <ul>
 *   <li>innermost source stride 1: whole runs are copied with {@link MemorySegment#copy} (channel
 *       shuffle's transpose is this case: runs of H * W);</li>
 *   <li>else, when another dimension has source stride 1: a tiled 2-D transpose between it and the
 *       innermost dimension, {@value #TILE} x {@value #TILE} elements at a time, so both sides
 *       stay in cache;</li>
 *   <li>else: element by element along the innermost dimension.</li>
 * </ul>
 */
final class StridedGather {
    static final int TILE = 32;

    private final long[] dims;
    private final long[] strides;
    private final long base;
    private final int size;
    private final long numel;
    /** The dimension read with source stride 1 for the tiled case, or -1. */
    private final int unit;

    StridedGather(long[] outDims, long[] srcStrides, long base, int elementSize) {
        int r = outDims.length;
        long[] d = new long[Math.max(1, r)];
        long[] s = new long[Math.max(1, r)];
        long n = 1;
        int k = 0;
        for (int i = 0; i < r; i++) {
            n *= outDims[i];
            if (outDims[i] == 1) {
                continue;
            }
            if (k > 0 && s[k - 1] == srcStrides[i] * outDims[i]) {
                d[k - 1] *= outDims[i];
                s[k - 1] = srcStrides[i];
            } else {
                d[k] = outDims[i];
                s[k] = srcStrides[i];
                k++;
            }
        }
        if (k == 0) {
            d[0] = 1;
            s[0] = 1;
            k = 1;
        }
        this.dims = Arrays.copyOf(d, k);
        this.strides = Arrays.copyOf(s, k);
        this.base = base;
        this.size = elementSize;
        this.numel = n;
        int u = -1;
        if (strides[k - 1] != 1) {
            for (int i = 0; i < k - 1; i++) {
                if (strides[i] == 1) {
                    u = i;
                }
            }
        }
        this.unit = u;
    }

    /** Copies the view of {@code src} into {@code dst} from element {@code dstOff}, split across cores. */
    void run(MemorySegment src, MemorySegment dst, long dstOff) {
        if (numel == 0) {
            return;
        }
        int r = dims.length;
        long inner = dims[r - 1];
        long innerStride = strides[r - 1];
        if (unit < 0) {
            long rows = numel / inner;
            Vec.forItems(rows, inner, (from, to) -> {
                for (long row = from; row < to; row++) {
                    long si = base + offset(row, r - 1, -1);
                    long di = dstOff + row * inner;
                    if (innerStride == 1) {
                        Elements.copyRun(src, si, dst, di, inner, size);
                    } else {
                        Elements.copyStrided(src, si, innerStride, dst, di, 1, inner, size);
                    }
                }
            });
            return;
        }
        // Tiled: items are (the other dimensions) x (strips of TILE along the unit-stride dimension).
        long du = dims[unit];
        long strips = (du + TILE - 1) / TILE;
        long others = numel / (du * inner);
        long dstUnitStride = 1;
        for (int i = unit + 1; i < r; i++) {
            dstUnitStride *= dims[i];
        }
        long dus = dstUnitStride;
        Vec.forItems(others * strips, TILE * inner, (from, to) -> {
            for (long item = from; item < to; item++) {
                long o = item / strips;
                long a0 = (item % strips) * TILE;
                long a1 = Math.min(du, a0 + TILE);
                long si = base + offset(o, r - 1, unit);
                long di = dstOff + dstOffset(o, r - 1, unit);
                for (long b0 = 0; b0 < inner; b0 += TILE) {
                    long b1 = Math.min(inner, b0 + TILE);
                    for (long a = a0; a < a1; a++) {
                        Elements.copyStrided(src, si + a + b0 * innerStride, innerStride, dst, di + a * dus + b0, 1,
                                b1 - b0, size);
                    }
                }
            }
        });
    }

    /** Source offset of flat index {@code flat} over dimensions {@code [0, upTo)} without {@code skip}. */
    private long offset(long flat, int upTo, int skip) {
        long off = 0;
        for (int i = upTo - 1; i >= 0; i--) {
            if (i == skip) {
                continue;
            }
            off += (flat % dims[i]) * strides[i];
            flat /= dims[i];
        }
        return off;
    }

    /** Destination offset (dense row-major over all dimensions) of the same flat index. */
    private long dstOffset(long flat, int upTo, int skip) {
        long off = 0;
        long step = dims[dims.length - 1];
        for (int i = upTo - 1; i >= 0; i--) {
            if (i != skip) {
                off += (flat % dims[i]) * step;
                flat /= dims[i];
            }
            step *= dims[i];
        }
        return off;
    }
}
