package dev.accel.backend.cpu.linalg;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector kernels of {@link SkinnyGemm}: the row-streaming passes for one and two rows of A
 * (float32 and 8-bit B), and the 8-row register tile over {@link SkinnyGemm#DEPTH} rows of B. Each
 * kernel is written out in full, with no helper that takes or returns a vector: C2 does not always
 * inline helpers into methods this size, and a vector that crosses a call is boxed (measured five
 * times slower). Each pass also holds its loop over the rows of B, so that the caller makes one call
 * per chunk: when the four passes were called per four rows from one dispatching method, C2 inlined
 * them all into it once each had run, and the one-row float pass, measured alone at 47 GB/s, fell to
 * 33 GB/s after the others had been used. 8-bit B is read XOR {@code flip} (0x80 for uint8, 0 for int8) and widened signed,
 * so both types share one code path (see {@link SkinnyGemm}).
 *
 * <p>Layouts: A as floats, row i at {@code af[i * k]}; acc (the C chunk) row i at
 * {@code acc[i * width]}; B row p of the chunk at element (float32) or byte (8-bit) index
 * {@code r0 + (p - p0) * ldb} of {@code seg}.
 */
final class SkinnyKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Byte> B1 = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int DEPTH = SkinnyGemm.DEPTH;

    private SkinnyKernels() {
    }

    /** One row of A, float32 B: rows [p0, p1) of B, four at a time (whole fours only), into acc row 0. */
    static void pass1F(float[] af, int k, int p0, int p1, MemorySegment seg, long base, long ldb, int vw, float[] acc, int width) {
        long r0 = base;
        for (int p = p0; p + 4 <= p1; p += 4, r0 += 4 * ldb) {
            long r1 = r0 + ldb;
            long r2 = r1 + ldb;
            long r3 = r2 + ldb;
            FloatVector x00 = FloatVector.broadcast(F, af[p]);
            FloatVector x01 = FloatVector.broadcast(F, af[p + 1]);
            FloatVector x02 = FloatVector.broadcast(F, af[p + 2]);
            FloatVector x03 = FloatVector.broadcast(F, af[p + 3]);
            for (int j = 0; j < vw; j += L) {
                FloatVector b0 = FloatVector.fromMemorySegment(F, seg, (r0 + j) * 4, LE);
                FloatVector b1 = FloatVector.fromMemorySegment(F, seg, (r1 + j) * 4, LE);
                FloatVector b2 = FloatVector.fromMemorySegment(F, seg, (r2 + j) * 4, LE);
                FloatVector b3 = FloatVector.fromMemorySegment(F, seg, (r3 + j) * 4, LE);
                FloatVector c0 = FloatVector.fromArray(F, acc, j);
                c0 = b3.fma(x03, b2.fma(x02, b1.fma(x01, b0.fma(x00, c0))));
                c0.intoArray(acc, j);
            }
        }
    }

    /** Two rows of A, float32 B: rows [p0, p1) of B, four at a time (whole fours only), into acc rows 0..1. */
    static void pass2F(float[] af, int k, int p0, int p1, MemorySegment seg, long base, long ldb, int vw, float[] acc, int width) {
        long r0 = base;
        for (int p = p0; p + 4 <= p1; p += 4, r0 += 4 * ldb) {
            long r1 = r0 + ldb;
            long r2 = r1 + ldb;
            long r3 = r2 + ldb;
            FloatVector x00 = FloatVector.broadcast(F, af[p]);
            FloatVector x01 = FloatVector.broadcast(F, af[p + 1]);
            FloatVector x02 = FloatVector.broadcast(F, af[p + 2]);
            FloatVector x03 = FloatVector.broadcast(F, af[p + 3]);
            FloatVector x10 = FloatVector.broadcast(F, af[k + p]);
            FloatVector x11 = FloatVector.broadcast(F, af[k + p + 1]);
            FloatVector x12 = FloatVector.broadcast(F, af[k + p + 2]);
            FloatVector x13 = FloatVector.broadcast(F, af[k + p + 3]);
            for (int j = 0; j < vw; j += L) {
                FloatVector b0 = FloatVector.fromMemorySegment(F, seg, (r0 + j) * 4, LE);
                FloatVector b1 = FloatVector.fromMemorySegment(F, seg, (r1 + j) * 4, LE);
                FloatVector b2 = FloatVector.fromMemorySegment(F, seg, (r2 + j) * 4, LE);
                FloatVector b3 = FloatVector.fromMemorySegment(F, seg, (r3 + j) * 4, LE);
                FloatVector c0 = FloatVector.fromArray(F, acc, j);
                FloatVector c1 = FloatVector.fromArray(F, acc, width + j);
                c0 = b3.fma(x03, b2.fma(x02, b1.fma(x01, b0.fma(x00, c0))));
                c1 = b3.fma(x13, b2.fma(x12, b1.fma(x11, b0.fma(x10, c1))));
                c0.intoArray(acc, j);
                c1.intoArray(acc, width + j);
            }
        }
    }

    /**
     * One row of A, 8-bit B: rows [p0, p1) of B, four at a time (whole fours only), into acc row 0, each vector of bytes XORed with
     * {@code flip} (0x80 turns uint8 into int8 minus 128, 0 leaves int8) and widened.
     */
    static void pass1B(float[] af, int k, int p0, int p1, MemorySegment seg, long base, long ldb, int vw, float[] acc, int width,
            byte flip) {
        long r0 = base;
        for (int p = p0; p + 4 <= p1; p += 4, r0 += 4 * ldb) {
            long r1 = r0 + ldb;
            long r2 = r1 + ldb;
            long r3 = r2 + ldb;
            FloatVector x00 = FloatVector.broadcast(F, af[p]);
            FloatVector x01 = FloatVector.broadcast(F, af[p + 1]);
            FloatVector x02 = FloatVector.broadcast(F, af[p + 2]);
            FloatVector x03 = FloatVector.broadcast(F, af[p + 3]);
            for (int j = 0; j < vw; j += L) {
                FloatVector b0 = (FloatVector) ByteVector.fromMemorySegment(B1, seg, r0 + j, LE).lanewise(VectorOperators.XOR, flip)
                        .convertShape(VectorOperators.B2F, F, 0);
                FloatVector b1 = (FloatVector) ByteVector.fromMemorySegment(B1, seg, r1 + j, LE).lanewise(VectorOperators.XOR, flip)
                        .convertShape(VectorOperators.B2F, F, 0);
                FloatVector b2 = (FloatVector) ByteVector.fromMemorySegment(B1, seg, r2 + j, LE).lanewise(VectorOperators.XOR, flip)
                        .convertShape(VectorOperators.B2F, F, 0);
                FloatVector b3 = (FloatVector) ByteVector.fromMemorySegment(B1, seg, r3 + j, LE).lanewise(VectorOperators.XOR, flip)
                        .convertShape(VectorOperators.B2F, F, 0);
                FloatVector c0 = FloatVector.fromArray(F, acc, j);
                c0 = b3.fma(x03, b2.fma(x02, b1.fma(x01, b0.fma(x00, c0))));
                c0.intoArray(acc, j);
            }
        }
    }

    /**
     * Two rows of A, 8-bit B: rows [p0, p1) of B, four at a time (whole fours only), into acc rows 0..1, each vector of bytes XORed with
     * {@code flip} (0x80 turns uint8 into int8 minus 128, 0 leaves int8) and widened.
     */
    static void pass2B(float[] af, int k, int p0, int p1, MemorySegment seg, long base, long ldb, int vw, float[] acc, int width,
            byte flip) {
        long r0 = base;
        for (int p = p0; p + 4 <= p1; p += 4, r0 += 4 * ldb) {
            long r1 = r0 + ldb;
            long r2 = r1 + ldb;
            long r3 = r2 + ldb;
            FloatVector x00 = FloatVector.broadcast(F, af[p]);
            FloatVector x01 = FloatVector.broadcast(F, af[p + 1]);
            FloatVector x02 = FloatVector.broadcast(F, af[p + 2]);
            FloatVector x03 = FloatVector.broadcast(F, af[p + 3]);
            FloatVector x10 = FloatVector.broadcast(F, af[k + p]);
            FloatVector x11 = FloatVector.broadcast(F, af[k + p + 1]);
            FloatVector x12 = FloatVector.broadcast(F, af[k + p + 2]);
            FloatVector x13 = FloatVector.broadcast(F, af[k + p + 3]);
            for (int j = 0; j < vw; j += L) {
                FloatVector b0 = (FloatVector) ByteVector.fromMemorySegment(B1, seg, r0 + j, LE).lanewise(VectorOperators.XOR, flip)
                        .convertShape(VectorOperators.B2F, F, 0);
                FloatVector b1 = (FloatVector) ByteVector.fromMemorySegment(B1, seg, r1 + j, LE).lanewise(VectorOperators.XOR, flip)
                        .convertShape(VectorOperators.B2F, F, 0);
                FloatVector b2 = (FloatVector) ByteVector.fromMemorySegment(B1, seg, r2 + j, LE).lanewise(VectorOperators.XOR, flip)
                        .convertShape(VectorOperators.B2F, F, 0);
                FloatVector b3 = (FloatVector) ByteVector.fromMemorySegment(B1, seg, r3 + j, LE).lanewise(VectorOperators.XOR, flip)
                        .convertShape(VectorOperators.B2F, F, 0);
                FloatVector c0 = FloatVector.fromArray(F, acc, j);
                FloatVector c1 = FloatVector.fromArray(F, acc, width + j);
                c0 = b3.fma(x03, b2.fma(x02, b1.fma(x01, b0.fma(x00, c0))));
                c1 = b3.fma(x13, b2.fma(x12, b1.fma(x11, b0.fma(x10, c1))));
                c0.intoArray(acc, j);
                c1.intoArray(acc, width + j);
            }
        }
    }

    /**
     * The 8-row by 2-vector tile over B rows {@code [p, p + DEPTH)} and columns {@code [col, col + 2 L)} of
     * the chunk ({@code row0}: element or byte index of B's row p at the chunk's first column), the tile
     * loaded from and stored back to the same columns of acc (so that each element is one sequence of
     * FMAs in the order of B's rows, as in every skinny kernel). Float32 B.
     */
    static void stripF(float[] af, int k, int p, MemorySegment seg, long row0, long ldb, int col, float[] acc, int width) {
        FloatVector c00 = FloatVector.fromArray(F, acc, col);
        FloatVector c01 = FloatVector.fromArray(F, acc, col + L);
        FloatVector c10 = FloatVector.fromArray(F, acc, width + col);
        FloatVector c11 = FloatVector.fromArray(F, acc, width + col + L);
        FloatVector c20 = FloatVector.fromArray(F, acc, 2 * width + col);
        FloatVector c21 = FloatVector.fromArray(F, acc, 2 * width + col + L);
        FloatVector c30 = FloatVector.fromArray(F, acc, 3 * width + col);
        FloatVector c31 = FloatVector.fromArray(F, acc, 3 * width + col + L);
        FloatVector c40 = FloatVector.fromArray(F, acc, 4 * width + col);
        FloatVector c41 = FloatVector.fromArray(F, acc, 4 * width + col + L);
        FloatVector c50 = FloatVector.fromArray(F, acc, 5 * width + col);
        FloatVector c51 = FloatVector.fromArray(F, acc, 5 * width + col + L);
        FloatVector c60 = FloatVector.fromArray(F, acc, 6 * width + col);
        FloatVector c61 = FloatVector.fromArray(F, acc, 6 * width + col + L);
        FloatVector c70 = FloatVector.fromArray(F, acc, 7 * width + col);
        FloatVector c71 = FloatVector.fromArray(F, acc, 7 * width + col + L);
        for (int d = 0; d < DEPTH; d++) {
            long at = (row0 + d * ldb + col) * 4;
            FloatVector b0 = FloatVector.fromMemorySegment(F, seg, at, LE);
            FloatVector b1 = FloatVector.fromMemorySegment(F, seg, at + 4L * L, LE);
            FloatVector x0 = FloatVector.broadcast(F, af[p + d]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(F, af[k + p + d]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(F, af[2 * k + p + d]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(F, af[3 * k + p + d]);
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
            FloatVector x4 = FloatVector.broadcast(F, af[4 * k + p + d]);
            c40 = b0.fma(x4, c40);
            c41 = b1.fma(x4, c41);
            FloatVector x5 = FloatVector.broadcast(F, af[5 * k + p + d]);
            c50 = b0.fma(x5, c50);
            c51 = b1.fma(x5, c51);
            FloatVector x6 = FloatVector.broadcast(F, af[6 * k + p + d]);
            c60 = b0.fma(x6, c60);
            c61 = b1.fma(x6, c61);
            FloatVector x7 = FloatVector.broadcast(F, af[7 * k + p + d]);
            c70 = b0.fma(x7, c70);
            c71 = b1.fma(x7, c71);
        }
        c00.intoArray(acc, col);
        c01.intoArray(acc, col + L);
        c10.intoArray(acc, width + col);
        c11.intoArray(acc, width + col + L);
        c20.intoArray(acc, 2 * width + col);
        c21.intoArray(acc, 2 * width + col + L);
        c30.intoArray(acc, 3 * width + col);
        c31.intoArray(acc, 3 * width + col + L);
        c40.intoArray(acc, 4 * width + col);
        c41.intoArray(acc, 4 * width + col + L);
        c50.intoArray(acc, 5 * width + col);
        c51.intoArray(acc, 5 * width + col + L);
        c60.intoArray(acc, 6 * width + col);
        c61.intoArray(acc, 6 * width + col + L);
        c70.intoArray(acc, 7 * width + col);
        c71.intoArray(acc, 7 * width + col + L);
    }

    /**
     * The 8-row by 2-vector tile over B rows {@code [p, p + DEPTH)} and columns {@code [col, col + 2 L)} of
     * the chunk ({@code row0}: element or byte index of B's row p at the chunk's first column), the tile
     * loaded from and stored back to the same columns of acc. 8-bit B, each 16-byte load XORed with
     * {@code flip} and widened.
     */
    static void stripB(float[] af, int k, int p, MemorySegment seg, long row0, long ldb, int col, float[] acc, int width, byte flip) {
        FloatVector c00 = FloatVector.fromArray(F, acc, col);
        FloatVector c01 = FloatVector.fromArray(F, acc, col + L);
        FloatVector c10 = FloatVector.fromArray(F, acc, width + col);
        FloatVector c11 = FloatVector.fromArray(F, acc, width + col + L);
        FloatVector c20 = FloatVector.fromArray(F, acc, 2 * width + col);
        FloatVector c21 = FloatVector.fromArray(F, acc, 2 * width + col + L);
        FloatVector c30 = FloatVector.fromArray(F, acc, 3 * width + col);
        FloatVector c31 = FloatVector.fromArray(F, acc, 3 * width + col + L);
        FloatVector c40 = FloatVector.fromArray(F, acc, 4 * width + col);
        FloatVector c41 = FloatVector.fromArray(F, acc, 4 * width + col + L);
        FloatVector c50 = FloatVector.fromArray(F, acc, 5 * width + col);
        FloatVector c51 = FloatVector.fromArray(F, acc, 5 * width + col + L);
        FloatVector c60 = FloatVector.fromArray(F, acc, 6 * width + col);
        FloatVector c61 = FloatVector.fromArray(F, acc, 6 * width + col + L);
        FloatVector c70 = FloatVector.fromArray(F, acc, 7 * width + col);
        FloatVector c71 = FloatVector.fromArray(F, acc, 7 * width + col + L);
        for (int d = 0; d < DEPTH; d++) {
            long at = row0 + d * ldb + col;
            FloatVector b0 = (FloatVector) ByteVector.fromMemorySegment(B1, seg, at, LE).lanewise(VectorOperators.XOR, flip)
                    .convertShape(VectorOperators.B2F, F, 0);
            FloatVector b1 = (FloatVector) ByteVector.fromMemorySegment(B1, seg, at + L, LE).lanewise(VectorOperators.XOR, flip)
                    .convertShape(VectorOperators.B2F, F, 0);
            FloatVector x0 = FloatVector.broadcast(F, af[p + d]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(F, af[k + p + d]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(F, af[2 * k + p + d]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(F, af[3 * k + p + d]);
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
            FloatVector x4 = FloatVector.broadcast(F, af[4 * k + p + d]);
            c40 = b0.fma(x4, c40);
            c41 = b1.fma(x4, c41);
            FloatVector x5 = FloatVector.broadcast(F, af[5 * k + p + d]);
            c50 = b0.fma(x5, c50);
            c51 = b1.fma(x5, c51);
            FloatVector x6 = FloatVector.broadcast(F, af[6 * k + p + d]);
            c60 = b0.fma(x6, c60);
            c61 = b1.fma(x6, c61);
            FloatVector x7 = FloatVector.broadcast(F, af[7 * k + p + d]);
            c70 = b0.fma(x7, c70);
            c71 = b1.fma(x7, c71);
        }
        c00.intoArray(acc, col);
        c01.intoArray(acc, col + L);
        c10.intoArray(acc, width + col);
        c11.intoArray(acc, width + col + L);
        c20.intoArray(acc, 2 * width + col);
        c21.intoArray(acc, 2 * width + col + L);
        c30.intoArray(acc, 3 * width + col);
        c31.intoArray(acc, 3 * width + col + L);
        c40.intoArray(acc, 4 * width + col);
        c41.intoArray(acc, 4 * width + col + L);
        c50.intoArray(acc, 5 * width + col);
        c51.intoArray(acc, 5 * width + col + L);
        c60.intoArray(acc, 6 * width + col);
        c61.intoArray(acc, 6 * width + col + L);
        c70.intoArray(acc, 7 * width + col);
        c71.intoArray(acc, 7 * width + col + L);
    }
}
