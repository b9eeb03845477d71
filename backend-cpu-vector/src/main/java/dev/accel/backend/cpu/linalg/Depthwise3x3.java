package dev.accel.backend.cpu.linalg;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float depthwise 3x3 convolution with one pixel of top and left padding, stride 1 or 2, no
 * dilation (every depthwise layer of MobileNet), read straight from the input plane: no padded copy.
 *
 * <p>The plane is walked in vertical strips of one vector of output columns. Each input row of a
 * strip is loaded once (whole vectors, masked at the row's end, zeros past it) and turned into the
 * three column taps by two-vector permutes ({@code selectFrom}, one {@code vpermt2ps} each): at
 * stride 1 the row itself and the row shifted one lane either way, the lane shifted in coming from the
 * neighbouring vector (or zero at the left edge); at stride 2 the even and odd columns and the odd
 * ones shifted right. The strip then slides down the rows with the partial sums of the output rows
 * that the input row feeds held in registers: each input row is read once for all three tap rows,
 * where {@link Depthwise} reads every tap from memory (nine unaligned loads per output vector). Rows
 * above or below the plane add nothing; columns outside it are zero lanes.
 *
 * <p>At stride 2, planes whose input rows fit in one vector and output rows in half of one (14 x 14
 * in, 7 x 7 out: 7 of 16 lanes) are computed two at a time, one per half of each vector
 * ({@link #computePair}): MobileNetV2's 576-channel 14 x 14 stride-2 layer went from 14.1-16.6 us to
 * 12.3 us on two cores (JMH {@code ConvBenchmark.accel -p layer=mobilenetv2.dw3x3s2.576x14 -f 0}).
 *
 * <p>The sums are formed in the same order as {@link Depthwise}'s (bias, then taps row by row, each
 * row left to right, one FMA each), and a tap on padding there adds {@code 0 * w} exactly, so both
 * paths give the same bits for finite weights. MobileNetV2's depthwise rows of {@code accel bench cpu}
 * went from 10.8-95.5 GFLOP/s (0.26-1.08x ONNX Runtime) to 51.5-238 (1.56-6.8x) with this class.
 *
 * <p>The nine weight broadcasts and the per-row tap blocks are written out in each method rather than
 * shared through helpers: vectors passed to or returned from a method C2 does not inline, or kept in
 * an array, are boxed, and the first version, which kept the weights in a record, ran several times
 * slower than this one.
 */
final class Depthwise3x3 {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Lane i takes lane i + 1 of {@code v0 ++ v1}: the row shifted left by one column. */
    private static final float[] LEFT = new float[L];
    /** Lane i takes lane i + L - 1 of {@code v0 ++ v1}: v1 shifted right by one, v0's last lane first. */
    private static final float[] RIGHT = new float[L];

    /** Half a vector: two planes of stride-2 output rows at most this wide share one vector ({@link #computePair}). */
    private static final int HALF = L / 2;
    /** Pairs: lanes of the first half take even columns of {@code v0}, of the second half even columns of {@code v1}. */
    private static final float[] PAIR_EVENS = new float[L];
    private static final float[] PAIR_ODDS = new float[L];
    /** Pairs: each half shifted up one lane, a zero (lane 0 of the second operand) in its first lane. */
    private static final float[] PAIR_SHIFT = new float[L];
    /** Pairs: the second half moved down to the first. */
    private static final float[] PAIR_DOWN = new float[L];

    static {
        for (int i = 0; i < L; i++) {
            LEFT[i] = i + 1;
            RIGHT[i] = i + L - 1;
            int lane = i % HALF;
            PAIR_EVENS[i] = (i < HALF ? 0 : L) + 2 * lane;
            PAIR_ODDS[i] = PAIR_EVENS[i] + 1;
            PAIR_SHIFT[i] = lane == 0 ? L : i - 1;
            PAIR_DOWN[i] = HALF + lane;
        }
    }

    private final int h;
    private final int w;
    private final int oh;
    private final int ow;
    private final int stride;

    private Depthwise3x3(ConvGeom g) {
        this.h = g.h();
        this.w = g.w();
        this.oh = g.oh();
        this.ow = g.ow();
        this.stride = g.sh();
    }

    /** This path for {@code g}, or null when it does not apply (then {@link Depthwise} runs it). */
    static Depthwise3x3 of(ConvGeom g) {
        boolean fits = g.kh() == 3 && g.kw() == 3 && g.dh() == 1 && g.dw() == 1 && g.pt() == 1 && g.pl() == 1
                && g.sh() == g.sw() && (g.sh() == 1 || g.sh() == 2)
                // every output pixel's window starts inside or one pixel before the plane (no extra bottom or right padding)
                && (g.oh() - 1) * g.sh() <= g.h() && (g.ow() - 1) * g.sw() <= g.w();
        return fits ? new Depthwise3x3(g) : null;
    }

    /**
     * Output plane {@code y[base + oy * ow + ox]} from input plane {@code x[planeBase + iy * w + ix]}
     * (element indices), weights {@code wk[i * 3 + j]}, plus {@code bias}.
     */
    void compute(MemorySegment x, long planeBase, float[] wk, float bias, MemorySegment y, long base) {
        long plane = (long) h * w;
        if (planeBase < L || (planeBase + plane + 2L * L) * 4 > x.byteSize()) {
            // the whole-vector loads of the plane's first and last rows reach a vector before and two
            // past it: inside the tensor except for its first and last planes, which run from a copy
            MemorySegment copy = NativeScratch.get(NativeScratch.Slot.DEPTHWISE_PLANE, (plane + 3L * L) * 4);
            MemorySegment.copy(x, planeBase * 4, copy, 4L * L, plane * 4);
            x = copy;
            planeBase = L;
        }
        for (int ox = 0; ox < ow; ox += L) {
            if (stride == 1) {
                strip1(wk, bias, x, planeBase, ox, y, base);
            } else {
                strip2(wk, bias, x, planeBase, ox, y, base);
            }
        }
    }

    /**
     * Whether two planes share each vector ({@link #computePair}): stride 2, an input row within one
     * vector and an output row within half of one. MobileNetV2's 14 x 14 stride-2 layer (7 output
     * columns) would otherwise fill 7 of 16 lanes.
     */
    boolean pairs() {
        return stride == 2 && w <= L && ow <= HALF && HALF >= 2;
    }

    /**
     * Two planes at once ({@link #pairs}): plane A in the low half of every vector, plane B in the
     * high half, each with its own weights and bias; the same sums as {@link #compute} per plane.
     */
    void computePair(MemorySegment x, long planeA, long planeB, float[] wa, float biasA, float[] wb, float biasB, MemorySegment y,
            long baseA, long baseB) {
        if ((Math.max(planeA, planeB) + (long) h * w + L) * 4 > x.byteSize()) {
            // the last row's whole-vector load would run past the tensor: one plane at a time
            compute(x, planeA, wa, biasA, y, baseA);
            compute(x, planeB, wb, biasB, y, baseB);
            return;
        }
        VectorMask<Float> high = lanesFrom(HALF);
        FloatVector w0 = FloatVector.broadcast(F, wa[0]).blend(wb[0], high);
        FloatVector w1 = FloatVector.broadcast(F, wa[1]).blend(wb[1], high);
        FloatVector w2 = FloatVector.broadcast(F, wa[2]).blend(wb[2], high);
        FloatVector w3 = FloatVector.broadcast(F, wa[3]).blend(wb[3], high);
        FloatVector w4 = FloatVector.broadcast(F, wa[4]).blend(wb[4], high);
        FloatVector w5 = FloatVector.broadcast(F, wa[5]).blend(wb[5], high);
        FloatVector w6 = FloatVector.broadcast(F, wa[6]).blend(wb[6], high);
        FloatVector w7 = FloatVector.broadcast(F, wa[7]).blend(wb[7], high);
        FloatVector w8 = FloatVector.broadcast(F, wa[8]).blend(wb[8], high);
        FloatVector vb = FloatVector.broadcast(F, biasA).blend(biasB, high);
        FloatVector zero = FloatVector.zero(F);
        FloatVector evens = FloatVector.fromArray(F, PAIR_EVENS, 0);
        FloatVector odds = FloatVector.fromArray(F, PAIR_ODDS, 0);
        FloatVector shift = FloatVector.fromArray(F, PAIR_SHIFT, 0);
        FloatVector down = FloatVector.fromArray(F, PAIR_DOWN, 0);
        VectorMask<Float> off = lanesFrom(w);
        VectorMask<Float> store = lanesFrom(ow).not();
        FloatVector open = vb;
        for (int oy = 0; oy < oh; oy++) {
            FloatVector acc = open;
            int r = 2 * oy;
            if (r < h) {
                FloatVector u = FloatVector.fromMemorySegment(F, x, (planeA + (long) r * w) * 4, LE).blend(zero, off);
                FloatVector v = FloatVector.fromMemorySegment(F, x, (planeB + (long) r * w) * 4, LE).blend(zero, off);
                FloatVector c1 = evens.selectFrom(u, v);
                FloatVector c2 = odds.selectFrom(u, v);
                FloatVector c0 = shift.selectFrom(c2, zero);
                acc = c2.fma(w5, c1.fma(w4, c0.fma(w3, acc)));
            }
            open = vb;
            if (r + 1 < h) {
                FloatVector u = FloatVector.fromMemorySegment(F, x, (planeA + (long) (r + 1) * w) * 4, LE).blend(zero, off);
                FloatVector v = FloatVector.fromMemorySegment(F, x, (planeB + (long) (r + 1) * w) * 4, LE).blend(zero, off);
                FloatVector c1 = evens.selectFrom(u, v);
                FloatVector c2 = odds.selectFrom(u, v);
                FloatVector c0 = shift.selectFrom(c2, zero);
                acc = c2.fma(w8, c1.fma(w7, c0.fma(w6, acc)));
                open = c2.fma(w2, c1.fma(w1, c0.fma(w0, vb)));
            }
            acc.intoMemorySegment(y, (baseA + (long) oy * ow) * 4, LE, store);
            down.selectFrom(acc).intoMemorySegment(y, (baseB + (long) oy * ow) * 4, LE, store);
        }
    }

    /** Lanes {@code [from, L)} set (none when from >= L, all when from <= 0). */
    private static VectorMask<Float> lanesFrom(int from) {
        long bits = from >= L ? 0 : from <= 0 ? -1L : -1L << from;
        return VectorMask.fromLong(F, bits);
    }

    /**
     * Stride 1, output columns {@code [ox, ox + L)}: input row r gives taps (r, ox - 1 + j); it completes
     * output row r - 1 (its last tap row), adds the middle tap row to output r and starts output r + 1.
     */
    private void strip1(float[] wk, float bias, MemorySegment x, long planeBase, int ox, MemorySegment y, long base) {
        FloatVector w0 = FloatVector.broadcast(F, wk[0]);
        FloatVector w1 = FloatVector.broadcast(F, wk[1]);
        FloatVector w2 = FloatVector.broadcast(F, wk[2]);
        FloatVector w3 = FloatVector.broadcast(F, wk[3]);
        FloatVector w4 = FloatVector.broadcast(F, wk[4]);
        FloatVector w5 = FloatVector.broadcast(F, wk[5]);
        FloatVector w6 = FloatVector.broadcast(F, wk[6]);
        FloatVector w7 = FloatVector.broadcast(F, wk[7]);
        FloatVector w8 = FloatVector.broadcast(F, wk[8]);
        FloatVector vb = FloatVector.broadcast(F, bias);
        FloatVector left = FloatVector.fromArray(F, LEFT, 0);
        FloatVector right = FloatVector.fromArray(F, RIGHT, 0);
        FloatVector zero = FloatVector.zero(F);
        VectorMask<Float> store = F.indexInRange(ox, ow);
        // loop-invariant masks of the lanes outside the plane (zeroed after whole-vector loads): the
        // vector before the strip (all at the left edge), the strip's, the next vector's
        VectorMask<Float> offBefore = lanesFrom(ox == 0 ? 0 : L);
        VectorMask<Float> offMid = lanesFrom(w - ox);
        VectorMask<Float> offNext = lanesFrom(w - ox - L);
        boolean edge = ox == 0 || ox + 2 * L > w;
        FloatVector prev = vb;
        FloatVector cur = vb;
        // input row 0 starts output rows 0 and 1 (row -1, on the padding, adds nothing)
        {
            FloatVector before = FloatVector.fromMemorySegment(F, x, (planeBase + ox - L) * 4, LE);
            FloatVector mid = FloatVector.fromMemorySegment(F, x, (planeBase + ox) * 4, LE);
            FloatVector next = FloatVector.fromMemorySegment(F, x, (planeBase + ox + L) * 4, LE);
            if (edge) {
                before = before.blend(zero, offBefore);
                mid = mid.blend(zero, offMid);
                next = next.blend(zero, offNext);
            }
            FloatVector c0 = right.selectFrom(before, mid);
            FloatVector c2 = left.selectFrom(mid, next);
            prev = c2.fma(w5, mid.fma(w4, c0.fma(w3, prev)));
            cur = c2.fma(w2, mid.fma(w1, c0.fma(w0, vb)));
        }
        // input row r completes output row r - 1 (oh >= h - 1, so it exists)
        for (int r = 1; r < h; r++) {
            long at = (planeBase + (long) r * w + ox) * 4;
            FloatVector before = FloatVector.fromMemorySegment(F, x, at - 4L * L, LE);
            FloatVector mid = FloatVector.fromMemorySegment(F, x, at, LE);
            FloatVector next = FloatVector.fromMemorySegment(F, x, at + 4L * L, LE);
            if (edge) {
                before = before.blend(zero, offBefore);
                mid = mid.blend(zero, offMid);
                next = next.blend(zero, offNext);
            }
            FloatVector c0 = right.selectFrom(before, mid);
            FloatVector c2 = left.selectFrom(mid, next);
            FloatVector done = c2.fma(w8, mid.fma(w7, c0.fma(w6, prev)));
            done.intoMemorySegment(y, (base + (long) (r - 1) * ow + ox) * 4, LE, store);
            prev = c2.fma(w5, mid.fma(w4, c0.fma(w3, cur)));
            cur = c2.fma(w2, mid.fma(w1, c0.fma(w0, vb)));
        }
        // output rows past the last input row: their remaining tap rows lie on the bottom padding
        if (h - 1 < oh) {
            prev.intoMemorySegment(y, (base + (long) (h - 1) * ow + ox) * 4, LE, store);
        }
        if (h < oh) {
            cur.intoMemorySegment(y, (base + (long) h * ow + ox) * 4, LE, store);
        }
    }

    /**
     * Stride 2, output columns {@code [ox, ox + L)}: output row oy reads input rows 2 oy - 1, 2 oy and
     * 2 oy + 1; the odd row is the last tap row of oy and the first of oy + 1. Columns: the evens of
     * input columns {@code [2 ox, 2 ox + 2 L)} are tap 1, the odds tap 2, and the odds shifted right by
     * one (column 2 ox - 1 first) tap 0.
     */
    private void strip2(float[] wk, float bias, MemorySegment x, long planeBase, int ox, MemorySegment y, long base) {
        FloatVector w0 = FloatVector.broadcast(F, wk[0]);
        FloatVector w1 = FloatVector.broadcast(F, wk[1]);
        FloatVector w2 = FloatVector.broadcast(F, wk[2]);
        FloatVector w3 = FloatVector.broadcast(F, wk[3]);
        FloatVector w4 = FloatVector.broadcast(F, wk[4]);
        FloatVector w5 = FloatVector.broadcast(F, wk[5]);
        FloatVector w6 = FloatVector.broadcast(F, wk[6]);
        FloatVector w7 = FloatVector.broadcast(F, wk[7]);
        FloatVector w8 = FloatVector.broadcast(F, wk[8]);
        FloatVector vb = FloatVector.broadcast(F, bias);
        FloatVector right = FloatVector.fromArray(F, RIGHT, 0);
        FloatVector zero = FloatVector.zero(F);
        VectorMask<Float> store = F.indexInRange(ox, ow);
        FloatVector evens = Lanes.evens();
        FloatVector odds = Lanes.odds();
        int col = 2 * ox;
        VectorMask<Float> offBefore = lanesFrom(ox == 0 ? 0 : L);
        VectorMask<Float> off0 = lanesFrom(w - col);
        VectorMask<Float> off1 = lanesFrom(w - col - L);
        FloatVector open = vb;
        // rows whose three input rows all exist (or the first on the top padding): no tests inside
        int full = Math.min(oh, h / 2);
        for (int oy = 0; oy < full; oy++) {
            long at = (planeBase + (long) (2 * oy) * w + col) * 4;
            FloatVector before = FloatVector.fromMemorySegment(F, x, at - 4L * L, LE).blend(zero, offBefore);
            FloatVector v0 = FloatVector.fromMemorySegment(F, x, at, LE).blend(zero, off0);
            FloatVector v1 = FloatVector.fromMemorySegment(F, x, at + 4L * L, LE).blend(zero, off1);
            FloatVector c1 = evens.selectFrom(v0, v1);
            FloatVector c2 = odds.selectFrom(v0, v1);
            FloatVector c0 = right.selectFrom(before, c2);
            FloatVector acc = c2.fma(w5, c1.fma(w4, c0.fma(w3, open)));
            at += 4L * w;
            before = FloatVector.fromMemorySegment(F, x, at - 4L * L, LE).blend(zero, offBefore);
            v0 = FloatVector.fromMemorySegment(F, x, at, LE).blend(zero, off0);
            v1 = FloatVector.fromMemorySegment(F, x, at + 4L * L, LE).blend(zero, off1);
            c1 = evens.selectFrom(v0, v1);
            c2 = odds.selectFrom(v0, v1);
            c0 = right.selectFrom(before, c2);
            acc = c2.fma(w8, c1.fma(w7, c0.fma(w6, acc)));
            open = c2.fma(w2, c1.fma(w1, c0.fma(w0, vb)));
            acc.intoMemorySegment(y, (base + (long) oy * ow + ox) * 4, LE, store);
        }
        // the last output row when its window reaches the bottom padding
        for (int oy = full; oy < oh; oy++) {
            FloatVector acc = open;
            int r = 2 * oy;
            if (r < h) {
                long at = (planeBase + (long) r * w + col) * 4;
                FloatVector before = FloatVector.fromMemorySegment(F, x, at - 4L * L, LE).blend(zero, offBefore);
                FloatVector v0 = FloatVector.fromMemorySegment(F, x, at, LE).blend(zero, off0);
                FloatVector v1 = FloatVector.fromMemorySegment(F, x, at + 4L * L, LE).blend(zero, off1);
                FloatVector c1 = evens.selectFrom(v0, v1);
                FloatVector c2 = odds.selectFrom(v0, v1);
                FloatVector c0 = right.selectFrom(before, c2);
                acc = c2.fma(w5, c1.fma(w4, c0.fma(w3, acc)));
            }
            open = vb;
            if (r + 1 < h) {
                long at = (planeBase + (long) (r + 1) * w + col) * 4;
                FloatVector before = FloatVector.fromMemorySegment(F, x, at - 4L * L, LE).blend(zero, offBefore);
                FloatVector v0 = FloatVector.fromMemorySegment(F, x, at, LE).blend(zero, off0);
                FloatVector v1 = FloatVector.fromMemorySegment(F, x, at + 4L * L, LE).blend(zero, off1);
                FloatVector c1 = evens.selectFrom(v0, v1);
                FloatVector c2 = odds.selectFrom(v0, v1);
                FloatVector c0 = right.selectFrom(before, c2);
                acc = c2.fma(w8, c1.fma(w7, c0.fma(w6, acc)));
                open = c2.fma(w2, c1.fma(w1, c0.fma(w0, vb)));
            }
            acc.intoMemorySegment(y, (base + (long) oy * ow + ox) * 4, LE, store);
        }
    }
}
