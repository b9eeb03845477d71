package dev.accel.backend.cpu.linalg;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tiled GEMM micro-kernel and its epilogues.
 *
 * <p>The tile is {@link #MR} = 6 rows by {@link #NR} = 2 vectors of the preferred species: twelve
 * accumulator vectors, with per step of K two vector loads of packed B, six broadcasts of packed A
 * and twelve fused multiply-adds. The lane count only sets NR (32 floats on 512-bit hardware, 16 on
 * 256-bit, 8 on 128-bit); the code names no lane count, so it is the same on every width. Twelve
 * accumulators plus two B vectors and one broadcast fit the 16 vector registers of AVX2 and leave
 * the FMA pipes enough independent chains (latency 4, two pipes) to stay busy.
 *
 * <p>The accumulators go to a small tile array; the epilogues then combine it with C. That costs
 * 24 vector memory operations per tile against {@code 12 * kc} FMAs, and keeps vectors from being
 * passed between methods (which C2 would box if a call were not inlined).
 */
final class MicroKernel {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    static final int L = F.length();
    /** Rows of the register tile. */
    static final int MR = 6;
    /** Columns of the register tile: two vectors. */
    static final int NR = 2 * L;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private MicroKernel() {
    }

    /**
     * {@code tile[i * NR + j] = sum over p < kc of a[ao + p * MR + i] * b[bo + p * NR + j]} for the
     * full MR x NR tile (packed panels are zero-padded, so edge tiles need no special case here).
     */
    static void multiply(int kc, float[] a, int ao, float[] b, int bo, float[] tile) {
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F);
        FloatVector c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F);
        FloatVector c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F);
        FloatVector c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F);
        FloatVector c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F);
        FloatVector c51 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(F, b, bo);
            FloatVector b1 = FloatVector.fromArray(F, b, bo + L);
            FloatVector x = FloatVector.broadcast(F, a[ao]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, a[ao + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, a[ao + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, a[ao + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, a[ao + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, a[ao + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            ao += MR;
            bo += NR;
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
    }

    /**
     * Float epilogue for the top-left {@code mr x nr} of a tile: {@code C = alpha * tile (+ C when
     * add)}, C's element (i, j) at float index {@code c + i * ldc + j}.
     */
    static void storeFloat(float[] tile, int mr, int nr, MemorySegment seg, long c, long ldc, float alpha, boolean add) {
        FloatVector va = FloatVector.broadcast(F, alpha);
        int vecEnd = F.loopBound(nr);
        for (int i = 0; i < mr; i++) {
            long row = (c + i * ldc) * 4;
            int t = i * NR;
            int j = 0;
            for (; j < vecEnd; j += L) {
                FloatVector v = FloatVector.fromArray(F, tile, t + j);
                long at = row + j * 4L;
                v = add ? v.fma(va, FloatVector.fromMemorySegment(F, seg, at, LE)) : v.mul(va);
                v.intoMemorySegment(seg, at, LE);
            }
            for (; j < nr; j++) {
                long at = row + j * 4L;
                float v = tile[t + j];
                seg.set(GemmCore.FLOAT, at, add ? Math.fma(v, alpha, seg.get(GemmCore.FLOAT, at)) : v * alpha);
            }
        }
    }

    /**
     * Int32 epilogue: the tile holds exact integers (see {@link GemmCore#KC_INT}); {@code C = tile
     * (+ C when add)} in int32, wrapping as int32 accumulation does.
     */
    static void storeInt(float[] tile, int mr, int nr, MemorySegment seg, long c, long ldc, boolean add) {
        int vecEnd = F.loopBound(nr);
        for (int i = 0; i < mr; i++) {
            long row = (c + i * ldc) * 4;
            int t = i * NR;
            int j = 0;
            for (; j < vecEnd; j += L) {
                IntVector v = (IntVector) FloatVector.fromArray(F, tile, t + j).convert(VectorOperators.F2I, 0);
                long at = row + j * 4L;
                if (add) {
                    v = v.add(IntVector.fromMemorySegment(I, seg, at, LE));
                }
                v.intoMemorySegment(seg, at, LE);
            }
            for (; j < nr; j++) {
                long at = row + j * 4L;
                int v = (int) tile[t + j];
                seg.set(GemmCore.INT, at, add ? v + seg.get(GemmCore.INT, at) : v);
            }
        }
    }
}
