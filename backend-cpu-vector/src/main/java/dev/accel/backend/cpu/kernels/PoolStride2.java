package dev.accel.backend.cpu.kernels;

import static dev.accel.backend.cpu.kernels.Vec.F;
import static dev.accel.backend.cpu.kernels.Vec.L;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.Shape;
import dev.accel.hal.op.Pool2d;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * MaxPool and AveragePool with a column stride of 2 and a window 2 or 3 columns wide, no dilation:
 * the pooling layers of ResNet-50, SqueezeNet, ShuffleNet and AlexNet (3x3, stride 2) and VGG (2x2,
 * stride 2). One pass per output row, with no masked memory access: the window's input rows are
 * reduced into a row buffer (whole vectors; a row's last vector overlaps the one before it, so a
 * row of any width at least a vector wide needs no mask), with the left and right padding around it
 * (-inf for max, 0 for a sum); then the window's max or sum is taken at every column of that buffer
 * (unaligned loads from L1) and a vector of outputs is the even lanes of two such vectors (one two-
 * vector {@code selectFrom}). An output row's last vector overlaps the one before it too, or, when
 * the row is narrower than a vector, goes through a small array. Rows alternate between two buffers
 * and the next row's is filled before this row is pooled, so that the unaligned loads never wait on
 * the stores that just wrote the buffer (SqueezeNet's 256 x 27 x 27 layer: 38-40 -> 30-31 us). An
 * average divides by the window's count of real (or, with {@code countIncludePad}, real and padded)
 * rows times that of its columns, as {@link Pool2dKernel} does; it sums rows first, then columns,
 * so its roundings differ from the scalar twin's.
 *
 * <p>{@code PoolSpeedMain} (test classes), two cores, the general two-pass kernel ({@link
 * Pool2dKernel}: whole-plane passes, masked loads and stores at each row's end) against this one,
 * best of 2000 calls: SqueezeNet's 64 x 111 x 111 100-105 -> 65-69 us, 128 x 55 x 55 63-64 ->
 * 40-45, 256 x 27 x 27 40-43 -> 30-31, ResNet-50's 64 x 112 x 112 (padding 1) 102-104 -> 65-67,
 * VGG-19's 2x2 on 64 x 224 x 224 229-232 -> 179-181; ShuffleNet's 3x3 AveragePools (padding 1) on
 * 24 x 56 x 56 14.3-14.7 -> 10.0-10.5, 240 x 28 x 28 49-50 -> 33-35, 480 x 14 x 14 39-40 -> 29. The
 * large planes are then bound by reading the input: 3.2 MB in 65 us is about 50 GB/s per core from
 * L3.
 */
final class PoolStride2 {
    /** Lane l takes element 2l of a pair of vectors ({@code selectFrom}), as in {@link Pool2dKernel}. */
    private static final FloatVector EVENS = FloatVector.fromArray(F, Pool2dKernel.EVENS, 0);

    private final boolean max;
    /** What the padding reads as: -inf for max, 0 for a sum. */
    private final float pad;
    private final int kh;
    private final int kw;
    private final int sh;
    private final int pt;
    private final int pl;
    private final long planes;
    private final int h;
    private final int w;
    private final int oh;
    private final int ow;
    /** An average's divisor factors: per output row, and per output column (padded to a vector past the last). */
    private final float[] rowCount;
    private final float[] colCount;
    /** Row buffer length: left padding, the row, then padding to the last column any window reads, plus two vectors of slack. */
    private final int rowLength;

    /** Whether this kernel computes {@code p}: column stride 2, window 2 or 3 columns wide, no dilation. */
    static boolean applies(Pool2d p) {
        return p.strideW() == 2 && (p.kernelW() == 2 || p.kernelW() == 3)
                && p.dilationH() == 1 && p.dilationW() == 1;
    }

    PoolStride2(Pool2d p, Shape x, Shape y) {
        max = p.kind() == Pool2d.PoolKind.MAX;
        pad = max ? Float.NEGATIVE_INFINITY : 0f;
        kh = p.kernelH();
        kw = p.kernelW();
        sh = p.strideH();
        pt = p.padTop();
        pl = p.padLeft();
        planes = (long) x.dim(0) * x.dim(1);
        h = x.dim(2);
        w = x.dim(3);
        oh = y.dim(2);
        ow = y.dim(3);
        // Output j reads buffer columns 2j .. 2j + kw - 1; a vector of outputs from j reads 2j .. 2j + 2L + 1.
        rowLength = Math.max(pl + w, 2 * Math.max(ow, L) + 2) + 2 * L + 2;
        rowCount = Pool2dKernel.counts(oh, kh, sh, pt, p.padBottom(), 1, h, p.countIncludePad());
        colCount = Arrays.copyOf(Pool2dKernel.counts(ow, kw, 2, pl, p.padRight(), 1, w, p.countIncludePad()), Math.max(ow, L) + L);
    }

    CpuOp compile() {
        return (in, out) -> Vec.forItems(planes, (long) oh * kh * w + (long) oh * ow * kw, (from, to) -> {
            // Two row buffers: an output row is pooled from the buffer filled one row earlier, whose stores
            // have long reached L1, so that its unaligned loads are not held up waiting on them.
            float[][] rows = {new float[rowLength], new float[rowLength]};
            // The padding on both sides; rows only ever write between them (and put back what they overwrite).
            Arrays.fill(rows[0], pad);
            Arrays.fill(rows[1], pad);
            float[] outs = new float[L];
            for (long p = from; p < to; p++) {
                long plane = p * h * w;
                long yo = p * oh * ow;
                reduceRows(in[0], plane, 0, rows[0]);
                for (int i = 0; i < oh; i++) {
                    if (i + 1 < oh) {
                        reduceRows(in[0], plane, i + 1, rows[(i + 1) & 1]);
                    }
                    pool(rows[i & 1], out[0], yo + (long) i * ow, outs, rowCount[i]);
                }
            }
        });
    }

    /**
     * {@code row[pl + c]}: the max (or sum) over output row i's real input rows of column c; the
     * padding value on both sides (and everywhere for a window wholly in the padding).
     */
    private void reduceRows(MemorySegment x, long plane, int i, float[] row) {
        int r0 = Math.max(0, i * sh - pt);
        int r1 = Math.min(h, i * sh - pt + kh);
        if (r0 >= r1) {
            Arrays.fill(row, pl, pl + w, pad);
            return;
        }
        long first = plane + (long) r0 * w;
        if (w >= L) {
            for (int c = 0; c < w; c += L) {
                // The last vector of the row ends at the row's end, overlapping the one before.
                int at = Math.min(c, w - L);
                long off = first + at;
                FloatVector acc = Vec.load(x, off);
                for (int r = r0 + 1; r < r1; r++) {
                    off += w;
                    acc = max ? acc.max(Vec.load(x, off)) : acc.add(Vec.load(x, off));
                }
                acc.intoArray(row, pl + at);
            }
        } else if ((first + (long) (r1 - r0 - 1) * w + L) * 4 <= x.byteSize()) {
            // A row narrower than a vector: one vector from each row's start (reading into the next row,
            // inside the tensor), its lanes past the row overwritten with the padding value below.
            long off = first;
            FloatVector acc = Vec.load(x, off);
            for (int r = r0 + 1; r < r1; r++) {
                off += w;
                acc = max ? acc.max(Vec.load(x, off)) : acc.add(Vec.load(x, off));
            }
            acc.intoArray(row, pl);
            Arrays.fill(row, pl + w, pl + L, pad);
        } else {
            // The tensor's last rows, narrower than a vector: element by element.
            for (int c = 0; c < w; c++) {
                float m = Vec.get(x, first + c);
                for (int r = r0 + 1; r < r1; r++) {
                    float v = Vec.get(x, first + (long) (r - r0) * w + c);
                    m = max ? Math.max(m, v) : m + v;
                }
                row[pl + c] = m;
            }
        }
    }

    /**
     * One output row from the row buffer: {@code y[j]} = the max, or the sum divided by the count,
     * over {@code b < kw} of {@code row[2j + b]}.
     */
    private void pool(float[] row, MemorySegment y, long at, float[] outs, float rc) {
        if (ow < L) {
            window(row, 0, rc).intoArray(outs, 0);
            MemorySegment.copy(outs, 0, y, Vec.FLOAT, at * 4, ow);
            return;
        }
        for (int j = 0; j < ow; j += L) {
            // The last vector of outputs ends at the row's end, overlapping the one before.
            int o = Math.min(j, ow - L);
            Vec.store(window(row, o, rc), y, at + o);
        }
    }

    /**
     * Outputs {@code j .. j + L - 1} of the row buffer: the window's max (sum) at every column from
     * 2j (unaligned loads, L1), then its even lanes: one two-vector permute per vector of outputs;
     * an average then divides by {@code rc} times the column counts.
     */
    private FloatVector window(float[] row, int j, float rc) {
        int c = 2 * j;
        FloatVector a = FloatVector.fromArray(F, row, c);
        FloatVector b = FloatVector.fromArray(F, row, c + L);
        FloatVector a1 = FloatVector.fromArray(F, row, c + 1);
        FloatVector b1 = FloatVector.fromArray(F, row, c + L + 1);
        a = max ? a.max(a1) : a.add(a1);
        b = max ? b.max(b1) : b.add(b1);
        if (kw == 3) {
            FloatVector a2 = FloatVector.fromArray(F, row, c + 2);
            FloatVector b2 = FloatVector.fromArray(F, row, c + L + 2);
            a = max ? a.max(a2) : a.add(a2);
            b = max ? b.max(b2) : b.add(b2);
        }
        FloatVector v = EVENS.selectFrom(a, b);
        return max ? v : v.div(FloatVector.fromArray(F, colCount, j).mul(rc));
    }
}
