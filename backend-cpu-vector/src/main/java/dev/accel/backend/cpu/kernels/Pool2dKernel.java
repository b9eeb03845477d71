package dev.accel.backend.cpu.kernels;

import static dev.accel.backend.cpu.kernels.Vec.F;
import static dev.accel.backend.cpu.kernels.Vec.L;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.Shape;
import dev.accel.hal.op.Pool2d;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * MaxPool and AveragePool on one {@code [N, C, H, W]} float32 tensor, every attribute of
 * {@link Pool2d}. The scalar twin visits each window directly. The vector kernel pools separably,
 * as max and sum allow: a vertical pass reduces the input rows of each output row's window into
 * {@code [oH, W]}, a vector of columns at a time (any row stride: rows are picked by index), then a
 * horizontal pass reduces each of those rows over the window's columns (vectorised when the column
 * stride is 1 or 2, the latter taking each tap's columns as the even lanes of two vectors; else one
 * output at a time, over oH rows rather than H). An average's divisor is the
 * product of the window's row count and column count (real elements, or elements inside the
 * explicit padding with {@code countIncludePad}). A window with no real element gives -inf for
 * max, and for average 0 / 0 = NaN, or 0 when the padding counts.
 */
final class Pool2dKernel {
    /** Lane l takes element 2l of a pair of vectors ({@code selectFrom}). */
    static final float[] EVENS = new float[L];

    static {
        for (int l = 0; l < L; l++) {
            EVENS[l] = 2 * l;
        }
    }

    private final boolean max;
    private final int kh;
    private final int kw;
    private final int sh;
    private final int sw;
    private final int pt;
    private final int pl;
    private final int pb;
    private final int pr;
    private final int dh;
    private final int dw;
    private final boolean includePad;
    private final long planes;
    private final int h;
    private final int w;
    private final int oh;
    private final int ow;

    Pool2dKernel(Pool2d p, Shape x, Shape y) {
        max = p.kind() == Pool2d.PoolKind.MAX;
        kh = p.kernelH();
        kw = p.kernelW();
        sh = p.strideH();
        sw = p.strideW();
        pt = p.padTop();
        pl = p.padLeft();
        pb = p.padBottom();
        pr = p.padRight();
        dh = p.dilationH();
        dw = p.dilationW();
        includePad = p.countIncludePad();
        planes = (long) x.dim(0) * x.dim(1);
        h = x.dim(2);
        w = x.dim(3);
        oh = y.dim(2);
        ow = y.dim(3);
    }

    CpuOp compile(boolean scalar) {
        if (scalar) {
            return (in, out) -> {
                for (long p = 0; p < planes; p++) {
                    planeScalar(in[0], out[0], p);
                }
            };
        }
        float[] rowCount = counts(oh, kh, sh, pt, pb, dh, h, includePad);
        // A vector of slack: the last outputs of a row are a vector with its tail lanes masked off.
        float[] colCount = java.util.Arrays.copyOf(counts(ow, kw, sw, pl, pr, dw, w, includePad), ow + L);
        return (in, out) -> Vec.forItems(planes, (long) oh * w * kh + (long) oh * ow * kw, (from, to) -> {
            // A vector pair of slack: the stride-2 pass loads two vectors for the last outputs of a row.
            float[] tmp = new float[oh * w + 2 * L];
            for (long p = from; p < to; p++) {
                vertical(in[0], p * h * w, tmp);
                horizontal(tmp, out[0], p * oh * ow, rowCount, colCount);
            }
        });
    }

    /**
     * Per output row (or column): the positions of its window that count toward an average's divisor
     * (real ones, or with {@code includePad} those inside the explicit padding too).
     */
    static float[] counts(int outLen, int k, int stride, int pad0, int pad1, int dil, int len, boolean includePad) {
        float[] c = new float[outLen];
        for (int o = 0; o < outLen; o++) {
            int n = 0;
            for (int t = 0; t < k; t++) {
                int i = o * stride - pad0 + t * dil;
                if (includePad ? i >= -pad0 && i < len + pad1 : i >= 0 && i < len) {
                    n++;
                }
            }
            c[o] = n;
        }
        return c;
    }

    private void planeScalar(MemorySegment x, MemorySegment y, long p) {
        long xo = p * h * w;
        long yo = p * oh * ow;
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                float acc = max ? Float.NEGATIVE_INFINITY : 0f;
                int real = 0;
                int padded = 0;
                for (int a = 0; a < kh; a++) {
                    int r = i * sh - pt + a * dh;
                    boolean rowReal = r >= 0 && r < h;
                    boolean rowPadded = r >= -pt && r < h + pb;
                    for (int b = 0; b < kw; b++) {
                        int c = j * sw - pl + b * dw;
                        if (rowPadded && c >= -pl && c < w + pr) {
                            padded++;
                        }
                        if (rowReal && c >= 0 && c < w) {
                            float v = Vec.get(x, xo + (long) r * w + c);
                            acc = max ? Math.max(acc, v) : acc + v;
                            real++;
                        }
                    }
                }
                Vec.set(y, yo + (long) i * ow + j, max ? acc : acc / (includePad ? padded : real));
            }
        }
    }

    /** tmp[i][c]: column c of the plane reduced over the real rows of output row i's window, a vector of columns at a time. */
    private void vertical(MemorySegment x, long xo, float[] tmp) {
        int ub = F.loopBound(w);
        for (int i = 0; i < oh; i++) {
            int t = i * w;
            int c = 0;
            for (; c < ub; c += L) {
                FloatVector acc = FloatVector.broadcast(F, max ? Float.NEGATIVE_INFINITY : 0f);
                for (int a = 0; a < kh; a++) {
                    int r = i * sh - pt + a * dh;
                    if (r >= 0 && r < h) {
                        FloatVector v = Vec.load(x, xo + (long) r * w + c);
                        acc = max ? acc.max(v) : acc.add(v);
                    }
                }
                acc.intoArray(tmp, t + c);
            }
            if (c < w) {
                // The last columns: one vector, its lanes past the row masked off.
                VectorMask<Float> m = VectorMask.fromLong(F, (1L << (w - c)) - 1);
                FloatVector acc = FloatVector.broadcast(F, max ? Float.NEGATIVE_INFINITY : 0f);
                for (int a = 0; a < kh; a++) {
                    int r = i * sh - pt + a * dh;
                    if (r >= 0 && r < h) {
                        FloatVector v = Vec.load(x, xo + (long) r * w + c, m);
                        acc = max ? acc.max(v) : acc.add(v);
                    }
                }
                acc.intoArray(tmp, t + c, m);
                c = w;
            }
            for (; c < w; c++) {
                float acc = max ? Float.NEGATIVE_INFINITY : 0f;
                for (int a = 0; a < kh; a++) {
                    int r = i * sh - pt + a * dh;
                    if (r >= 0 && r < h) {
                        float v = Vec.get(x, xo + (long) r * w + c);
                        acc = max ? Math.max(acc, v) : acc + v;
                    }
                }
                tmp[t + c] = acc;
            }
        }
    }

    /** Each output row from its tmp row, reduced over the real columns of each window, divided for an average. */
    private void horizontal(float[] tmp, MemorySegment y, long yo, float[] rowCount, float[] colCount) {
        // Output columns whose whole window lies inside the row: [lo, hi).
        int lo = Math.min(ow, Math.ceilDiv(pl, sw));
        int hi = Math.max(lo, Math.min(ow, Math.floorDiv(w - 1 - (kw - 1) * dw + pl, sw) + 1));
        FloatVector evens = FloatVector.fromArray(F, EVENS, 0);
        for (int i = 0; i < oh; i++) {
            int t = i * w;
            long yr = yo + (long) i * ow;
            float rc = rowCount[i];
            int j = 0;
            for (; j < lo; j++) {
                Vec.set(y, yr + j, reduceColumns(tmp, t, j, rc * colCount[j]));
            }
            if (sw == 1) {
                for (; j < hi; j += L) {
                    int c = t + j - pl;
                    FloatVector acc = FloatVector.fromArray(F, tmp, c);
                    for (int b = 1; b < kw; b++) {
                        FloatVector v = FloatVector.fromArray(F, tmp, c + b * dw);
                        acc = max ? acc.max(v) : acc.add(v);
                    }
                    if (!max) {
                        acc = acc.div(FloatVector.fromArray(F, colCount, j).mul(rc));
                    }
                    store(acc, y, yr + j, hi - j);
                }
                j = hi;
            } else if (sw == 2) {
                // Stride 2: each tap's columns for L outputs are the even lanes of two vectors.
                for (; j < hi; j += L) {
                    int c = t + 2 * j - pl;
                    FloatVector acc = evens.selectFrom(FloatVector.fromArray(F, tmp, c), FloatVector.fromArray(F, tmp, c + L));
                    for (int b = 1; b < kw; b++) {
                        int cb = c + b * dw;
                        FloatVector v = evens.selectFrom(FloatVector.fromArray(F, tmp, cb), FloatVector.fromArray(F, tmp, cb + L));
                        acc = max ? acc.max(v) : acc.add(v);
                    }
                    if (!max) {
                        acc = acc.div(FloatVector.fromArray(F, colCount, j).mul(rc));
                    }
                    store(acc, y, yr + j, hi - j);
                }
                j = hi;
            }
            for (; j < ow; j++) {
                Vec.set(y, yr + j, reduceColumns(tmp, t, j, rc * colCount[j]));
            }
        }
    }

    /** Stores the first {@code lanes} lanes of {@code v} (all of them from L on). */
    private static void store(FloatVector v, MemorySegment y, long at, int lanes) {
        if (lanes >= L) {
            Vec.store(v, y, at);
        } else {
            Vec.store(v, y, at, VectorMask.fromLong(F, (1L << lanes) - 1));
        }
    }

    private float reduceColumns(float[] tmp, int t, int j, float divisor) {
        float acc = max ? Float.NEGATIVE_INFINITY : 0f;
        boolean first = true;
        for (int b = 0; b < kw; b++) {
            int c = j * sw - pl + b * dw;
            if (c >= 0 && c < w) {
                float v = tmp[t + c];
                // Start from the first real element, as the vector loop does.
                acc = first ? v : max ? Math.max(acc, v) : acc + v;
                first = false;
            }
        }
        return max ? acc : acc / divisor;
    }
}
