package dev.accel.backend.cpu.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MatMul and Gemm: vector kernel and scalar twin against a float64 reference. */
class MatMulKernelsTest {
    private static final int[] ODD = {1, 3, 17, 127};

    @Test
    void matMulOddSizes() {
        long seed = 1;
        for (int m : ODD) {
            for (int n : ODD) {
                for (int k : ODD) {
                    LinalgChecks.matMul(new int[] {m, k}, new int[] {k, n}, seed++);
                }
            }
        }
    }

    @Test
    void matMulAcrossCacheBlocks() {
        // k crosses KC (256); m crosses MC (240); n is not a multiple of the register tile.
        LinalgChecks.matMul(new int[] {250, 300}, new int[] {300, 45}, 2);
        LinalgChecks.matMul(new int[] {7, 520}, new int[] {520, 70}, 3);
        LinalgChecks.matMul(new int[] {2, 5}, new int[] {5, GemmCore.NC + 5}, 4);
    }

    @Test
    void rowMajorBReadInPlaceForFewRowsHasThePackedBits() {
        // 25-128 rows of A per thread and k in 32-576: B's full register-tile panels are read where
        // they lie (GemmCore.DIRECT_MAX_ROWS), the partial last panel packed; LinalgChecks compares
        // the bits with B given constant, which is packed ahead and never read in place. k = 300
        // crosses KC, so the second K block accumulates onto the first.
        LinalgChecks.matMul(new int[] {50, 40}, new int[] {40, 99}, 7);
        LinalgChecks.matMul(new int[] {100, 300}, new int[] {300, 70}, 8);
    }

    @Test
    void threadsSplittingRowsShareOnePackedB() {
        // Enough work for two threads, cut along M (20 row tiles, 16 column tiles), more than
        // SKINNY_M rows each, and a B of at least MIN_SHARED_B floats: B is packed once for both
        // (GemmCore.multiply); LinalgChecks also checks that the result has the bits of the kernel
        // prepared with B constant.
        LinalgChecks.matMul(new int[] {120, 1024}, new int[] {1024, 512}, 5);
        LinalgChecks.gemm(130, 500, 1100, false, true, 1.5f, 0.5f, new int[] {130, 500}, 6);
    }

    @Test
    void matMulBatchedBroadcast() {
        LinalgChecks.matMul(new int[] {2, 1, 5, 7}, new int[] {3, 7, 4}, 10);
        LinalgChecks.matMul(new int[] {4, 6, 9}, new int[] {9, 5}, 11);
        LinalgChecks.matMul(new int[] {9, 5}, new int[] {4, 5, 6}, 12);
        LinalgChecks.matMul(new int[] {3, 1, 17, 33}, new int[] {1, 2, 33, 19}, 13);
        LinalgChecks.matMul(new int[] {40, 3, 8}, new int[] {40, 8, 3}, 14);
    }

    @Test
    void matMulOneDimensionalOperands() {
        LinalgChecks.matMul(new int[] {17}, new int[] {17, 5}, 20);
        LinalgChecks.matMul(new int[] {6, 17}, new int[] {17}, 21);
        LinalgChecks.matMul(new int[] {33}, new int[] {33}, 22);
        LinalgChecks.matMul(new int[] {9}, new int[] {3, 9, 4}, 23);
        LinalgChecks.matMul(new int[] {2, 3, 9}, new int[] {9}, 24);
    }

    @Test
    void matMulEmptyAndZeroK() {
        LinalgChecks.matMul(new int[] {0, 3}, new int[] {3, 4}, 30);
        LinalgChecks.matMul(new int[] {2, 0, 3}, new int[] {3, 4}, 31);
        // K = 0: every output is an empty sum, 0.
        LinalgChecks.matMul(new int[] {2, 0}, new int[] {0, 3}, 32);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void gemmTransposes(int mode) {
        boolean ta = (mode & 1) != 0;
        boolean tb = (mode & 2) != 0;
        long seed = 100 + mode * 10;
        for (int m : ODD) {
            for (int n : ODD) {
                LinalgChecks.gemm(m, n, 17, ta, tb, 1f, 1f, null, seed++);
            }
        }
        LinalgChecks.gemm(130, 70, 300, ta, tb, 0.5f, 2f, new int[] {130, 70}, seed);
    }

    @Test
    void gemmAlphaBetaAndBroadcastC() {
        LinalgChecks.gemm(17, 33, 9, false, false, 0.25f, -1.5f, new int[] {17, 33}, 40);
        LinalgChecks.gemm(17, 33, 9, true, false, 2f, 0.5f, new int[] {33}, 41);
        LinalgChecks.gemm(17, 33, 9, false, true, -1f, 3f, new int[] {17, 1}, 42);
        LinalgChecks.gemm(17, 33, 9, true, true, 1f, 1f, new int[] {1, 33}, 43);
        LinalgChecks.gemm(3, 5, 127, false, false, 1f, 2f, new int[] {1}, 44);
        LinalgChecks.gemm(3, 5, 127, false, false, 1f, 2f, new int[] {}, 45);
        LinalgChecks.gemm(3, 5, 0, false, false, 1f, 2f, new int[] {3, 5}, 46);
        LinalgChecks.gemm(1, 1, 1, false, false, 3f, 0f, new int[] {1, 1}, 47);
    }

    @Test
    void gemmWithZeroBetaIgnoresC() {
        OpSpec spec = OpSpec.of(new Gemm(1f, 0f, false, false), TensorType.of(DType.F32, 2, 3), TensorType.of(DType.F32, 3, 2),
                TensorType.of(DType.F32, 2, 2));
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = LinalgTestSupport.floatsOf(arena, 1, 2, 3, 4, 5, 6);
            MemorySegment b = LinalgTestSupport.floatsOf(arena, 1, 0, 0, 1, 1, 1);
            MemorySegment c = LinalgTestSupport.floatsOf(arena, Float.NaN, Float.NaN, Float.NaN, Float.NaN);
            for (boolean scalar : new boolean[] {false, true}) {
                MemorySegment y = LinalgTestSupport.run(arena, spec, scalar, a, b, c);
                float[] got = y.toArray(ValueLayout.JAVA_FLOAT_UNALIGNED);
                assertEquals(4f, got[0]);
                assertEquals(5f, got[1]);
                assertEquals(10f, got[2]);
                assertEquals(11f, got[3]);
            }
        }
    }

    @Test
    void vectorAndScalarAgreeClosely() {
        OpSpec spec = OpSpec.of(new MatMul(), TensorType.of(DType.F32, 37, 129), TensorType.of(DType.F32, 129, 41));
        try (Arena arena = Arena.ofShared()) {
            Random r = new Random(7);
            MemorySegment a = LinalgTestSupport.floats(arena, r, 37 * 129);
            MemorySegment b = LinalgTestSupport.floats(arena, r, 129 * 41);
            float[] v = LinalgTestSupport.run(arena, spec, false, a, b).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED);
            float[] s = LinalgTestSupport.run(arena, spec, true, a, b).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED);
            double worst = 0;
            for (int i = 0; i < v.length; i++) {
                worst = Math.max(worst, Math.abs(v[i] - s[i]));
            }
            // Sums of 129 terms of magnitude <= 1: both round in float, in different orders.
            assertTrue(worst < 1e-3, "vector and scalar differ by " + worst);
        }
    }

    @Test
    void rejectsOtherOpsAndHalfTypes() {
        OpSpec relu = OpSpec.of(Unary.of(Unary.Kind.RELU), TensorType.of(DType.F32, 4));
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class, () -> LinalgKernels.compile(relu, false));
        assertTrue(e.getMessage().contains("Relu") && e.getMessage().contains("not a matrix"), e.getMessage());
        OpSpec half = OpSpec.of(new MatMul(), TensorType.of(DType.F16, 2, 2), TensorType.of(DType.F16, 2, 2));
        e = assertThrows(UnsupportedOpException.class, () -> LinalgKernels.compile(half, true));
        assertTrue(e.getMessage().contains("float16") && e.getMessage().contains("float32"), e.getMessage());
    }
}
