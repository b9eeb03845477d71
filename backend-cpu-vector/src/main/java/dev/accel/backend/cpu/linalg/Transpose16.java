package dev.accel.backend.cpu.linalg;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A 16 x 16 block of floats transposed in registers, for 16-lane (512-bit) vectors only
 * ({@link #APPLIES}): sixteen row loads, four rounds of sixteen two-table permutes
 * ({@code selectFrom}, one {@code vpermt2ps} each on AVX-512), sixteen column stores. Round d
 * (d = 8, 4, 2, 1) exchanges, between rows i and i + d (i with bit d clear), the lanes with bit d
 * set in row i and clear in row i + d; after the four rounds row j holds column j. A pixel-major
 * convolution's product goes into NCHW this way ({@link ConvKernels}): {@code TransposeMain} (test
 * classes), one thread, 49 x 2048 floats: 18.1-21.5 us this way, 37.0-37.5 through a small array a
 * vector at a time, 169-181 element by element.
 */
final class Transpose16 {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Whether the preferred species has 16 lanes, the only width this is written for. */
    static final boolean APPLIES = F.length() == 16;
    /** Per round (index log2 d): the permutes that give row i and row i + d their new lanes. */
    private static final float[][] LOW = new float[4][];
    private static final float[][] HIGH = new float[4][];

    static {
        if (APPLIES) {
            for (int s = 0; s < 4; s++) {
                int d = 1 << s;
                LOW[s] = new float[16];
                HIGH[s] = new float[16];
                for (int k = 0; k < 16; k++) {
                    LOW[s][k] = (k & d) == 0 ? k : 16 + k - d;
                    HIGH[s][k] = (k & d) == 0 ? k + d : 16 + k;
                }
            }
        }
    }

    private Transpose16() {
    }

    /**
     * Reads rows {@code i < 16} of 16 floats at byte {@code at + i * rowBytes} of {@code src}, adds
     * {@code bias[biasAt + j]} to lane j, and writes column j to byte {@code to + j * colBytes} of
     * {@code dst}. Both segments native. (A fused convolution's residual and bounds come after, in
     * {@link #finish}: here they made the method too large for C1, which left it to the interpreter.)
     */
    static void block(MemorySegment src, long at, long rowBytes, float[] bias, int biasAt, MemorySegment dst, long to, long colBytes) {
        FloatVector b = bias == null ? FloatVector.zero(F) : FloatVector.fromArray(F, bias, biasAt);
        FloatVector r0 = FloatVector.fromMemorySegment(F, src, at, LE).add(b);
        FloatVector r1 = FloatVector.fromMemorySegment(F, src, at + rowBytes, LE).add(b);
        FloatVector r2 = FloatVector.fromMemorySegment(F, src, at + 2 * rowBytes, LE).add(b);
        FloatVector r3 = FloatVector.fromMemorySegment(F, src, at + 3 * rowBytes, LE).add(b);
        FloatVector r4 = FloatVector.fromMemorySegment(F, src, at + 4 * rowBytes, LE).add(b);
        FloatVector r5 = FloatVector.fromMemorySegment(F, src, at + 5 * rowBytes, LE).add(b);
        FloatVector r6 = FloatVector.fromMemorySegment(F, src, at + 6 * rowBytes, LE).add(b);
        FloatVector r7 = FloatVector.fromMemorySegment(F, src, at + 7 * rowBytes, LE).add(b);
        FloatVector r8 = FloatVector.fromMemorySegment(F, src, at + 8 * rowBytes, LE).add(b);
        FloatVector r9 = FloatVector.fromMemorySegment(F, src, at + 9 * rowBytes, LE).add(b);
        FloatVector r10 = FloatVector.fromMemorySegment(F, src, at + 10 * rowBytes, LE).add(b);
        FloatVector r11 = FloatVector.fromMemorySegment(F, src, at + 11 * rowBytes, LE).add(b);
        FloatVector r12 = FloatVector.fromMemorySegment(F, src, at + 12 * rowBytes, LE).add(b);
        FloatVector r13 = FloatVector.fromMemorySegment(F, src, at + 13 * rowBytes, LE).add(b);
        FloatVector r14 = FloatVector.fromMemorySegment(F, src, at + 14 * rowBytes, LE).add(b);
        FloatVector r15 = FloatVector.fromMemorySegment(F, src, at + 15 * rowBytes, LE).add(b);
        FloatVector lo = FloatVector.fromArray(F, LOW[3], 0);
        FloatVector hi = FloatVector.fromArray(F, HIGH[3], 0);
        FloatVector t;
        t = r0; r0 = lo.selectFrom(t, r8); r8 = hi.selectFrom(t, r8);
        t = r1; r1 = lo.selectFrom(t, r9); r9 = hi.selectFrom(t, r9);
        t = r2; r2 = lo.selectFrom(t, r10); r10 = hi.selectFrom(t, r10);
        t = r3; r3 = lo.selectFrom(t, r11); r11 = hi.selectFrom(t, r11);
        t = r4; r4 = lo.selectFrom(t, r12); r12 = hi.selectFrom(t, r12);
        t = r5; r5 = lo.selectFrom(t, r13); r13 = hi.selectFrom(t, r13);
        t = r6; r6 = lo.selectFrom(t, r14); r14 = hi.selectFrom(t, r14);
        t = r7; r7 = lo.selectFrom(t, r15); r15 = hi.selectFrom(t, r15);
        lo = FloatVector.fromArray(F, LOW[2], 0);
        hi = FloatVector.fromArray(F, HIGH[2], 0);
        t = r0; r0 = lo.selectFrom(t, r4); r4 = hi.selectFrom(t, r4);
        t = r1; r1 = lo.selectFrom(t, r5); r5 = hi.selectFrom(t, r5);
        t = r2; r2 = lo.selectFrom(t, r6); r6 = hi.selectFrom(t, r6);
        t = r3; r3 = lo.selectFrom(t, r7); r7 = hi.selectFrom(t, r7);
        t = r8; r8 = lo.selectFrom(t, r12); r12 = hi.selectFrom(t, r12);
        t = r9; r9 = lo.selectFrom(t, r13); r13 = hi.selectFrom(t, r13);
        t = r10; r10 = lo.selectFrom(t, r14); r14 = hi.selectFrom(t, r14);
        t = r11; r11 = lo.selectFrom(t, r15); r15 = hi.selectFrom(t, r15);
        lo = FloatVector.fromArray(F, LOW[1], 0);
        hi = FloatVector.fromArray(F, HIGH[1], 0);
        t = r0; r0 = lo.selectFrom(t, r2); r2 = hi.selectFrom(t, r2);
        t = r1; r1 = lo.selectFrom(t, r3); r3 = hi.selectFrom(t, r3);
        t = r4; r4 = lo.selectFrom(t, r6); r6 = hi.selectFrom(t, r6);
        t = r5; r5 = lo.selectFrom(t, r7); r7 = hi.selectFrom(t, r7);
        t = r8; r8 = lo.selectFrom(t, r10); r10 = hi.selectFrom(t, r10);
        t = r9; r9 = lo.selectFrom(t, r11); r11 = hi.selectFrom(t, r11);
        t = r12; r12 = lo.selectFrom(t, r14); r14 = hi.selectFrom(t, r14);
        t = r13; r13 = lo.selectFrom(t, r15); r15 = hi.selectFrom(t, r15);
        lo = FloatVector.fromArray(F, LOW[0], 0);
        hi = FloatVector.fromArray(F, HIGH[0], 0);
        t = r0; r0 = lo.selectFrom(t, r1); r1 = hi.selectFrom(t, r1);
        t = r2; r2 = lo.selectFrom(t, r3); r3 = hi.selectFrom(t, r3);
        t = r4; r4 = lo.selectFrom(t, r5); r5 = hi.selectFrom(t, r5);
        t = r6; r6 = lo.selectFrom(t, r7); r7 = hi.selectFrom(t, r7);
        t = r8; r8 = lo.selectFrom(t, r9); r9 = hi.selectFrom(t, r9);
        t = r10; r10 = lo.selectFrom(t, r11); r11 = hi.selectFrom(t, r11);
        t = r12; r12 = lo.selectFrom(t, r13); r13 = hi.selectFrom(t, r13);
        t = r14; r14 = lo.selectFrom(t, r15); r15 = hi.selectFrom(t, r15);
        r0.intoMemorySegment(dst, to, LE);
        r1.intoMemorySegment(dst, to + colBytes, LE);
        r2.intoMemorySegment(dst, to + 2 * colBytes, LE);
        r3.intoMemorySegment(dst, to + 3 * colBytes, LE);
        r4.intoMemorySegment(dst, to + 4 * colBytes, LE);
        r5.intoMemorySegment(dst, to + 5 * colBytes, LE);
        r6.intoMemorySegment(dst, to + 6 * colBytes, LE);
        r7.intoMemorySegment(dst, to + 7 * colBytes, LE);
        r8.intoMemorySegment(dst, to + 8 * colBytes, LE);
        r9.intoMemorySegment(dst, to + 9 * colBytes, LE);
        r10.intoMemorySegment(dst, to + 10 * colBytes, LE);
        r11.intoMemorySegment(dst, to + 11 * colBytes, LE);
        r12.intoMemorySegment(dst, to + 12 * colBytes, LE);
        r13.intoMemorySegment(dst, to + 13 * colBytes, LE);
        r14.intoMemorySegment(dst, to + 14 * colBytes, LE);
        r15.intoMemorySegment(dst, to + 15 * colBytes, LE);
    }

    /**
     * The 16 columns of 16 floats {@link #block} just wrote at byte {@code to + j * colBytes} of
     * {@code dst}, finished in place while in L1: the residual {@code z} (when not null, laid out as
     * {@code dst}) added, then {@code clamp}.
     */
    static void finish(MemorySegment dst, long to, long colBytes, MemorySegment z, Clamp clamp) {
        for (int j = 0; j < 16; j++) {
            clamp.applyAt(dst, to + j * colBytes, z);
        }
    }

    /**
     * As {@link #block} without a bias, column j written to {@code dst[off + j * stride]}: a B panel
     * of the GEMM packed from 16 rows that lie along K in memory (weights given at run time to a
     * pixel-major convolution), where element by element was the slowest packing there is. Written
     * out a second time rather than shared with {@link #block}: one method choosing its destination
     * per store ran a pixel-major res5 3x3 with run-time weights in 7421 us instead of 744 (C2 no
     * longer kept the sixteen vectors in registers).
     */
    static void blockToArray(MemorySegment src, long at, long rowBytes, float[] dst, int off, int stride) {
        FloatVector r0 = FloatVector.fromMemorySegment(F, src, at, LE);
        FloatVector r1 = FloatVector.fromMemorySegment(F, src, at + rowBytes, LE);
        FloatVector r2 = FloatVector.fromMemorySegment(F, src, at + 2 * rowBytes, LE);
        FloatVector r3 = FloatVector.fromMemorySegment(F, src, at + 3 * rowBytes, LE);
        FloatVector r4 = FloatVector.fromMemorySegment(F, src, at + 4 * rowBytes, LE);
        FloatVector r5 = FloatVector.fromMemorySegment(F, src, at + 5 * rowBytes, LE);
        FloatVector r6 = FloatVector.fromMemorySegment(F, src, at + 6 * rowBytes, LE);
        FloatVector r7 = FloatVector.fromMemorySegment(F, src, at + 7 * rowBytes, LE);
        FloatVector r8 = FloatVector.fromMemorySegment(F, src, at + 8 * rowBytes, LE);
        FloatVector r9 = FloatVector.fromMemorySegment(F, src, at + 9 * rowBytes, LE);
        FloatVector r10 = FloatVector.fromMemorySegment(F, src, at + 10 * rowBytes, LE);
        FloatVector r11 = FloatVector.fromMemorySegment(F, src, at + 11 * rowBytes, LE);
        FloatVector r12 = FloatVector.fromMemorySegment(F, src, at + 12 * rowBytes, LE);
        FloatVector r13 = FloatVector.fromMemorySegment(F, src, at + 13 * rowBytes, LE);
        FloatVector r14 = FloatVector.fromMemorySegment(F, src, at + 14 * rowBytes, LE);
        FloatVector r15 = FloatVector.fromMemorySegment(F, src, at + 15 * rowBytes, LE);
        FloatVector lo = FloatVector.fromArray(F, LOW[3], 0);
        FloatVector hi = FloatVector.fromArray(F, HIGH[3], 0);
        FloatVector t;
        t = r0; r0 = lo.selectFrom(t, r8); r8 = hi.selectFrom(t, r8);
        t = r1; r1 = lo.selectFrom(t, r9); r9 = hi.selectFrom(t, r9);
        t = r2; r2 = lo.selectFrom(t, r10); r10 = hi.selectFrom(t, r10);
        t = r3; r3 = lo.selectFrom(t, r11); r11 = hi.selectFrom(t, r11);
        t = r4; r4 = lo.selectFrom(t, r12); r12 = hi.selectFrom(t, r12);
        t = r5; r5 = lo.selectFrom(t, r13); r13 = hi.selectFrom(t, r13);
        t = r6; r6 = lo.selectFrom(t, r14); r14 = hi.selectFrom(t, r14);
        t = r7; r7 = lo.selectFrom(t, r15); r15 = hi.selectFrom(t, r15);
        lo = FloatVector.fromArray(F, LOW[2], 0);
        hi = FloatVector.fromArray(F, HIGH[2], 0);
        t = r0; r0 = lo.selectFrom(t, r4); r4 = hi.selectFrom(t, r4);
        t = r1; r1 = lo.selectFrom(t, r5); r5 = hi.selectFrom(t, r5);
        t = r2; r2 = lo.selectFrom(t, r6); r6 = hi.selectFrom(t, r6);
        t = r3; r3 = lo.selectFrom(t, r7); r7 = hi.selectFrom(t, r7);
        t = r8; r8 = lo.selectFrom(t, r12); r12 = hi.selectFrom(t, r12);
        t = r9; r9 = lo.selectFrom(t, r13); r13 = hi.selectFrom(t, r13);
        t = r10; r10 = lo.selectFrom(t, r14); r14 = hi.selectFrom(t, r14);
        t = r11; r11 = lo.selectFrom(t, r15); r15 = hi.selectFrom(t, r15);
        lo = FloatVector.fromArray(F, LOW[1], 0);
        hi = FloatVector.fromArray(F, HIGH[1], 0);
        t = r0; r0 = lo.selectFrom(t, r2); r2 = hi.selectFrom(t, r2);
        t = r1; r1 = lo.selectFrom(t, r3); r3 = hi.selectFrom(t, r3);
        t = r4; r4 = lo.selectFrom(t, r6); r6 = hi.selectFrom(t, r6);
        t = r5; r5 = lo.selectFrom(t, r7); r7 = hi.selectFrom(t, r7);
        t = r8; r8 = lo.selectFrom(t, r10); r10 = hi.selectFrom(t, r10);
        t = r9; r9 = lo.selectFrom(t, r11); r11 = hi.selectFrom(t, r11);
        t = r12; r12 = lo.selectFrom(t, r14); r14 = hi.selectFrom(t, r14);
        t = r13; r13 = lo.selectFrom(t, r15); r15 = hi.selectFrom(t, r15);
        lo = FloatVector.fromArray(F, LOW[0], 0);
        hi = FloatVector.fromArray(F, HIGH[0], 0);
        t = r0; r0 = lo.selectFrom(t, r1); r1 = hi.selectFrom(t, r1);
        t = r2; r2 = lo.selectFrom(t, r3); r3 = hi.selectFrom(t, r3);
        t = r4; r4 = lo.selectFrom(t, r5); r5 = hi.selectFrom(t, r5);
        t = r6; r6 = lo.selectFrom(t, r7); r7 = hi.selectFrom(t, r7);
        t = r8; r8 = lo.selectFrom(t, r9); r9 = hi.selectFrom(t, r9);
        t = r10; r10 = lo.selectFrom(t, r11); r11 = hi.selectFrom(t, r11);
        t = r12; r12 = lo.selectFrom(t, r13); r13 = hi.selectFrom(t, r13);
        t = r14; r14 = lo.selectFrom(t, r15); r15 = hi.selectFrom(t, r15);
        r0.intoArray(dst, off);
        r1.intoArray(dst, off + stride);
        r2.intoArray(dst, off + 2 * stride);
        r3.intoArray(dst, off + 3 * stride);
        r4.intoArray(dst, off + 4 * stride);
        r5.intoArray(dst, off + 5 * stride);
        r6.intoArray(dst, off + 6 * stride);
        r7.intoArray(dst, off + 7 * stride);
        r8.intoArray(dst, off + 8 * stride);
        r9.intoArray(dst, off + 9 * stride);
        r10.intoArray(dst, off + 10 * stride);
        r11.intoArray(dst, off + 11 * stride);
        r12.intoArray(dst, off + 12 * stride);
        r13.intoArray(dst, off + 13 * stride);
        r14.intoArray(dst, off + 14 * stride);
        r15.intoArray(dst, off + 15 * stride);
    }
}
