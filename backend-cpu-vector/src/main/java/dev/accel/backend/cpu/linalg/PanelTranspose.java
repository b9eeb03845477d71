package dev.accel.backend.cpu.linalg;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packs six rows of a row-major matrix into an A panel of the {@link MicroKernel}, whose layout
 * interleaves the rows per step of K ({@code dst[off + p * 6 + i] = row i, column p}): a transpose
 * of six rows, done in registers a vector of K steps at a time.
 *
 * <p>Per {@code L} steps: six loads, then two rounds of two-table permutes ({@code selectFrom}, one
 * instruction each on AVX-512). The first round interleaves rows 0 and 1, 2 and 3, 4 and 5 into
 * pairs, the low and high halves of the steps apart; each output vector then takes its pairs from
 * the three pair vectors of its half, two permutes. Eighteen permutes and six stores for
 * {@code 6 L} floats, where an element-by-element copy makes {@code 6 L} scalar loads and stores
 * (14 us against about 5 for a 240 x 256 block of A on this project's machine; a scatter store
 * took 19).
 */
final class PanelTranspose {
    private static final VectorSpecies<Float> F = MicroKernel.F;
    private static final int L = F.length();
    /** A float vector's worth of bytes, at least 64 bits (the smallest shape). */
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));
    private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, F.vectorShape());
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Rows per panel: the tile height this transpose is written for. */
    static final int ROWS = 6;

    /**
     * Permute indices (lane values, as {@code selectFrom} takes them; below L the first table, from L
     * the second), loaded into locals where used. First round, per half h of the steps: lane l of a
     * pair vector takes row {@code 2j + l % 2} at step {@code h * L / 2 + l / 2}.
     */
    private static final float[] PAIR_LO = pairIndex(0);
    private static final float[] PAIR_HI = pairIndex(1);
    /** Second round, output vector o at {@code o * L}: pairs of rows 0-1 and 2-3 (first permute), then 4-5 (second). */
    private static final float[] FIRST = new float[ROWS * L];
    private static final float[] SECOND = new float[ROWS * L];

    static {
        if (MicroKernel.MR != ROWS) {
            throw new AssertionError("PanelTranspose is written for a tile of " + ROWS + " rows, not " + MicroKernel.MR);
        }
        for (int o = 0; o < ROWS; o++) {
            int h = o / 3;
            for (int l = 0; l < L; l++) {
                int f = o * L + l;
                int p = f / ROWS;
                int i = f % ROWS;
                int pos = 2 * (p - h * L / 2) + i % 2;
                int pair = i / 2;
                FIRST[o * L + l] = pair == 0 ? pos : pair == 1 ? L + pos : 0;
                SECOND[o * L + l] = pair == 2 ? L + pos : l;
            }
        }
    }

    private PanelTranspose() {
    }

    private static float[] pairIndex(int half) {
        float[] idx = new float[L];
        for (int l = 0; l < L; l++) {
            idx[l] = (l % 2 == 0 ? 0 : L) + half * L / 2 + l / 2;
        }
        return idx;
    }

    /**
     * {@code dst[off + p * 6 + i] = seg[origin + i * rowStride + p]} (float indices) for {@code i < 6},
     * {@code p < kc}; {@code seg} must be native (see {@link NativeScratch}).
     */
    static void sixRows(MemorySegment seg, long origin, long rowStride, float[] dst, int off, int kc) {
        NativeScratch.requireNative(seg);
        long r = origin * 4;
        long st = rowStride * 4;
        int end = kc - kc % L;
        FloatVector lo = FloatVector.fromArray(F, PAIR_LO, 0);
        FloatVector hi = FloatVector.fromArray(F, PAIR_HI, 0);
        FloatVector f0 = FloatVector.fromArray(F, FIRST, 0);
        FloatVector f1 = FloatVector.fromArray(F, FIRST, L);
        FloatVector f2 = FloatVector.fromArray(F, FIRST, 2 * L);
        FloatVector f3 = FloatVector.fromArray(F, FIRST, 3 * L);
        FloatVector f4 = FloatVector.fromArray(F, FIRST, 4 * L);
        FloatVector f5 = FloatVector.fromArray(F, FIRST, 5 * L);
        FloatVector s0 = FloatVector.fromArray(F, SECOND, 0);
        FloatVector s1 = FloatVector.fromArray(F, SECOND, L);
        FloatVector s2 = FloatVector.fromArray(F, SECOND, 2 * L);
        FloatVector s3 = FloatVector.fromArray(F, SECOND, 3 * L);
        FloatVector s4 = FloatVector.fromArray(F, SECOND, 4 * L);
        FloatVector s5 = FloatVector.fromArray(F, SECOND, 5 * L);
        int p = 0;
        for (; p < end; p += L) {
            long at = r + p * 4L;
            FloatVector r0 = FloatVector.fromMemorySegment(F, seg, at, LE);
            FloatVector r1 = FloatVector.fromMemorySegment(F, seg, at + st, LE);
            FloatVector r2 = FloatVector.fromMemorySegment(F, seg, at + 2 * st, LE);
            FloatVector r3 = FloatVector.fromMemorySegment(F, seg, at + 3 * st, LE);
            FloatVector r4 = FloatVector.fromMemorySegment(F, seg, at + 4 * st, LE);
            FloatVector r5 = FloatVector.fromMemorySegment(F, seg, at + 5 * st, LE);
            FloatVector a0 = lo.selectFrom(r0, r1);
            FloatVector b0 = lo.selectFrom(r2, r3);
            FloatVector c0 = lo.selectFrom(r4, r5);
            FloatVector a1 = hi.selectFrom(r0, r1);
            FloatVector b1 = hi.selectFrom(r2, r3);
            FloatVector c1 = hi.selectFrom(r4, r5);
            int d = off + p * ROWS;
            s0.selectFrom(f0.selectFrom(a0, b0), c0).intoArray(dst, d);
            s1.selectFrom(f1.selectFrom(a0, b0), c0).intoArray(dst, d + L);
            s2.selectFrom(f2.selectFrom(a0, b0), c0).intoArray(dst, d + 2 * L);
            s3.selectFrom(f3.selectFrom(a1, b1), c1).intoArray(dst, d + 3 * L);
            s4.selectFrom(f4.selectFrom(a1, b1), c1).intoArray(dst, d + 4 * L);
            s5.selectFrom(f5.selectFrom(a1, b1), c1).intoArray(dst, d + 5 * L);
        }
        for (; p < kc; p++) {
            int d = off + p * ROWS;
            for (int i = 0; i < ROWS; i++) {
                dst[d + i] = seg.getAtIndex(FLOAT, origin + i * rowStride + p);
            }
        }
    }

    /**
     * As {@link #sixRows} for 8-bit rows: {@code dst[off + p * 6 + i] = byte(origin + i * rowStride + p)
     * - zp[i]} (byte offsets; unsigned or signed bytes), each vector of bytes widened to floats in
     * registers before the same permutes. (Widening each row into an array, copying it to native
     * memory and transposing that took three passes over the panel.) The permutes are written out
     * again rather than shared with {@link #sixRows}: a helper taking the six vectors would box them
     * wherever C2 does not inline it (see {@link MicroKernel}), and {@link Transpose16} measured a
     * shared body ten times slower.
     */
    static void sixRowsInt8(MemorySegment seg, long origin, long rowStride, boolean unsigned, int[] zp, float[] dst, int off, int kc) {
        NativeScratch.requireNative(seg);
        VectorOperators.Conversion<Byte, Integer> widen = unsigned ? VectorOperators.ZERO_EXTEND_B2I : VectorOperators.B2I;
        int end = BYTES.length() <= kc ? kc - kc % L : 0;
        // The last vector's bytes may reach past kc (64-bit byte vectors at 4 lanes): stop a vector early there.
        while (end > 0 && end - L + BYTES.length() > kc) {
            end -= L;
        }
        FloatVector lo = FloatVector.fromArray(F, PAIR_LO, 0);
        FloatVector hi = FloatVector.fromArray(F, PAIR_HI, 0);
        FloatVector f0 = FloatVector.fromArray(F, FIRST, 0);
        FloatVector f1 = FloatVector.fromArray(F, FIRST, L);
        FloatVector f2 = FloatVector.fromArray(F, FIRST, 2 * L);
        FloatVector f3 = FloatVector.fromArray(F, FIRST, 3 * L);
        FloatVector f4 = FloatVector.fromArray(F, FIRST, 4 * L);
        FloatVector f5 = FloatVector.fromArray(F, FIRST, 5 * L);
        FloatVector s0 = FloatVector.fromArray(F, SECOND, 0);
        FloatVector s1 = FloatVector.fromArray(F, SECOND, L);
        FloatVector s2 = FloatVector.fromArray(F, SECOND, 2 * L);
        FloatVector s3 = FloatVector.fromArray(F, SECOND, 3 * L);
        FloatVector s4 = FloatVector.fromArray(F, SECOND, 4 * L);
        FloatVector s5 = FloatVector.fromArray(F, SECOND, 5 * L);
        FloatVector z0 = FloatVector.broadcast(F, zp[0]);
        FloatVector z1 = FloatVector.broadcast(F, zp[1]);
        FloatVector z2 = FloatVector.broadcast(F, zp[2]);
        FloatVector z3 = FloatVector.broadcast(F, zp[3]);
        FloatVector z4 = FloatVector.broadcast(F, zp[4]);
        FloatVector z5 = FloatVector.broadcast(F, zp[5]);
        int p = 0;
        for (; p < end; p += L) {
            long at = origin + p;
            FloatVector r0 = ((FloatVector) ByteVector.fromMemorySegment(BYTES, seg, at, LE).convertShape(widen, INTS, 0)
                    .convert(VectorOperators.I2F, 0)).sub(z0);
            FloatVector r1 = ((FloatVector) ByteVector.fromMemorySegment(BYTES, seg, at + rowStride, LE).convertShape(widen, INTS, 0)
                    .convert(VectorOperators.I2F, 0)).sub(z1);
            FloatVector r2 = ((FloatVector) ByteVector.fromMemorySegment(BYTES, seg, at + 2 * rowStride, LE).convertShape(widen, INTS, 0)
                    .convert(VectorOperators.I2F, 0)).sub(z2);
            FloatVector r3 = ((FloatVector) ByteVector.fromMemorySegment(BYTES, seg, at + 3 * rowStride, LE).convertShape(widen, INTS, 0)
                    .convert(VectorOperators.I2F, 0)).sub(z3);
            FloatVector r4 = ((FloatVector) ByteVector.fromMemorySegment(BYTES, seg, at + 4 * rowStride, LE).convertShape(widen, INTS, 0)
                    .convert(VectorOperators.I2F, 0)).sub(z4);
            FloatVector r5 = ((FloatVector) ByteVector.fromMemorySegment(BYTES, seg, at + 5 * rowStride, LE).convertShape(widen, INTS, 0)
                    .convert(VectorOperators.I2F, 0)).sub(z5);
            FloatVector a0 = lo.selectFrom(r0, r1);
            FloatVector b0 = lo.selectFrom(r2, r3);
            FloatVector c0 = lo.selectFrom(r4, r5);
            FloatVector a1 = hi.selectFrom(r0, r1);
            FloatVector b1 = hi.selectFrom(r2, r3);
            FloatVector c1 = hi.selectFrom(r4, r5);
            int d = off + p * ROWS;
            s0.selectFrom(f0.selectFrom(a0, b0), c0).intoArray(dst, d);
            s1.selectFrom(f1.selectFrom(a0, b0), c0).intoArray(dst, d + L);
            s2.selectFrom(f2.selectFrom(a0, b0), c0).intoArray(dst, d + 2 * L);
            s3.selectFrom(f3.selectFrom(a1, b1), c1).intoArray(dst, d + 3 * L);
            s4.selectFrom(f4.selectFrom(a1, b1), c1).intoArray(dst, d + 4 * L);
            s5.selectFrom(f5.selectFrom(a1, b1), c1).intoArray(dst, d + 5 * L);
        }
        int mask = unsigned ? 0xFF : -1;
        for (; p < kc; p++) {
            int d = off + p * ROWS;
            for (int i = 0; i < ROWS; i++) {
                dst[d + i] = (seg.get(ValueLayout.JAVA_BYTE, origin + i * rowStride + p) & mask) - zp[i];
            }
        }
    }
}
