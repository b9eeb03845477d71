package dev.accel.backend.cpu.kernels;

import static dev.accel.backend.cpu.kernels.KernelHarness.assertClose;
import static dev.accel.backend.cpu.kernels.KernelHarness.assertTwinsClose;
import static dev.accel.backend.cpu.kernels.KernelHarness.assertTwinsExact;
import static dev.accel.backend.cpu.kernels.KernelHarness.floats;
import static dev.accel.backend.cpu.kernels.KernelHarness.randomFloats;
import static dev.accel.backend.cpu.kernels.KernelHarness.run;
import static dev.accel.backend.cpu.kernels.KernelHarness.spec;
import static dev.accel.backend.cpu.kernels.KernelHarness.toFloats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Sum;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BinaryKernelsTest {
    /** Pairs of shapes: same, scalar either side, per channel, trailing row, outer product, general, rank-0, empty. */
    private static final int[][][] PAIRS = {
        {{127}, {127}},
        {{3, 17}, {}},
        {{}, {3, 17}},
        {{2, 3, 5, 7}, {1, 3, 1, 1}},
        {{4, 17}, {17}},
        {{5, 1}, {1, 7}},
        {{2, 1, 3}, {4, 1}},
        {{3, 1, 5}, {3, 4, 5}},
        {{}, {}},
        {{0, 3}, {3}},
        {{2, 70001}, {2, 1}},
        {{300, 1000}, {1000}},
    };

    private static float[] calc(Binary.Kind k, int[] a, float[] av, int[] b, float[] bv, boolean scalar) {
        OpSpec s = spec(new Binary(k), TensorType.of(DType.F32, a), TensorType.of(DType.F32, b));
        return toFloats(run(ElementwiseKernels::compile, scalar, s, floats(av), floats(bv)));
    }

    private static void expect(Binary.Kind k, int[] a, float[] av, int[] b, float[] bv, float[] want) {
        assertArrayEquals(want, calc(k, a, av, b, bv, true), "scalar " + k);
        assertArrayEquals(want, calc(k, a, av, b, bv, false), "vector " + k);
    }

    @Test
    void handComputedBroadcasts() {
        // [2, 3] + [3]: the row added to each row.
        expect(Binary.Kind.ADD, new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}, new int[] {3}, new float[] {10, 20, 30},
                new float[] {11, 22, 33, 14, 25, 36});
        // [2, 1] - [1, 3]: outer difference.
        expect(Binary.Kind.SUB, new int[] {2, 1}, new float[] {10, 20}, new int[] {1, 3}, new float[] {1, 2, 3},
                new float[] {9, 8, 7, 19, 18, 17});
        // scalar / [4]
        expect(Binary.Kind.DIV, new int[] {}, new float[] {12}, new int[] {4}, new float[] {1, 2, 3, -4},
                new float[] {12, 6, 4, -3});
        expect(Binary.Kind.MUL, new int[] {1, 2, 2}, new float[] {1, 2, 3, 4}, new int[] {2, 1, 1}, new float[] {10, -1},
                new float[] {10, 20, 30, 40, -1, -2, -3, -4});
        expect(Binary.Kind.POW, new int[] {4}, new float[] {2, 9, -2, -8}, new int[] {4}, new float[] {10, 0.5f, 3, 1f / 3},
                new float[] {1024, 3, -8, Float.NaN});
        expect(Binary.Kind.MAX, new int[] {3}, new float[] {1, Float.NaN, -1}, new int[] {}, new float[] {0},
                new float[] {1, Float.NaN, 0});
        expect(Binary.Kind.MIN, new int[] {3}, new float[] {1, 5, -1}, new int[] {3}, new float[] {2, 4, -3},
                new float[] {1, 4, -3});
        // PRelu, slope per channel of [1, 2, 2]: negatives scaled by their channel's slope.
        expect(Binary.Kind.PRELU, new int[] {1, 2, 2}, new float[] {-1, 2, -3, 4}, new int[] {2, 1}, new float[] {0.5f, 0.25f},
                new float[] {-0.5f, 2, -0.75f, 4});
    }

    @Test
    void broadcastPlanMergesTheCommonCasesIntoLongRuns() {
        BroadcastPlan same = BroadcastPlan.of(Shape.of(2, 3, 5), Shape.of(2, 3, 5), Shape.of(2, 3, 5));
        assertEquals(30, same.inner);
        BroadcastPlan channel = BroadcastPlan.of(Shape.of(2, 3, 5, 7), Shape.of(2, 3, 5, 7), Shape.of(1, 3, 1, 1));
        assertEquals(35, channel.inner);
        assertArrayEquals(new int[] {1, 0}, channel.innerStride);
        BroadcastPlan row = BroadcastPlan.of(Shape.of(4, 17), Shape.of(4, 17), Shape.of(17));
        assertEquals(17, row.inner);
        assertArrayEquals(new int[] {1, 1}, row.innerStride);
        BroadcastPlan scalar = BroadcastPlan.of(Shape.of(3, 1, 5), Shape.of(), Shape.of(3, 1, 5));
        assertEquals(15, scalar.inner);
        assertArrayEquals(new int[] {0, 1}, scalar.innerStride);
    }

    @ParameterizedTest
    @EnumSource(Binary.Kind.class)
    void vectorMatchesScalarOverBroadcastShapes(Binary.Kind k) {
        Random r = new Random(k.ordinal() + 100);
        for (int[][] p : PAIRS) {
            Shape out = Shape.broadcast(Shape.of(p[0]), Shape.of(p[1]));
            if (k == Binary.Kind.PRELU && !out.equals(Shape.of(p[0]))) {
                continue; // PRelu broadcasts the slope to X only
            }
            TensorType a = TensorType.of(DType.F32, p[0]);
            TensorType b = TensorType.of(DType.F32, p[1]);
            float lo = k == Binary.Kind.POW ? 0.1f : -3;
            MemorySegment av = floats(randomFloats(r, a.numel(), lo, 3));
            MemorySegment bv = floats(randomFloats(r, b.numel(), k == Binary.Kind.DIV ? 0.5f : -3, 3));
            OpSpec s = spec(new Binary(k), a, b);
            if (k == Binary.Kind.POW) {
                assertTwinsClose(ElementwiseKernels::compile, s, 1e-6, 1e-30, av, bv);
            } else {
                // Each element is one IEEE operation in both twins: bit-for-bit equal.
                assertTwinsExact(ElementwiseKernels::compile, s, av, bv);
            }
        }
    }

    @Test
    void sumAddsLeftToRightWithBroadcasting() {
        OpSpec one = spec(new Sum(), TensorType.of(DType.F32, 3));
        assertArrayEquals(new float[] {1, 2, 3}, toFloats(run(ElementwiseKernels::compile, false, one, floats(1, 2, 3))));
        OpSpec three = spec(new Sum(), TensorType.of(DType.F32, 2, 1), TensorType.of(DType.F32, 3),
                TensorType.of(DType.F32));
        float[] want = {1 + 10 + 100, 1 + 20 + 100, 1 + 30 + 100, 2 + 10 + 100, 2 + 20 + 100, 2 + 30 + 100};
        for (boolean scalar : new boolean[] {true, false}) {
            float[] got = toFloats(run(ElementwiseKernels::compile, scalar, three, floats(1, 2), floats(10, 20, 30),
                    floats(100)));
            assertArrayEquals(want, got, "scalar=" + scalar);
        }
    }

    @Test
    void sumTwinsAgreeOnOddSizesAndManyInputs() {
        Random r = new Random(7);
        for (int n : KernelHarness.SIZES) {
            TensorType t = TensorType.of(DType.F32, n);
            OpSpec s = spec(new Sum(), t, TensorType.of(DType.F32, 1), t, t);
            assertTwinsExact(ElementwiseKernels::compile, s, floats(randomFloats(r, n, -1, 1)), floats(0.5f),
                    floats(randomFloats(r, n, -1, 1)), floats(randomFloats(r, n, -1, 1)));
        }
        OpSpec empty = spec(new Sum(), TensorType.of(DType.F32, 0, 4), TensorType.of(DType.F32, 4));
        assertEquals(0, run(ElementwiseKernels::compile, false, empty, floats(), floats(1, 2, 3, 4)).byteSize());
    }

    @Test
    void sameShapeResultsEqualTheFormulaElementByElement() {
        Random r = new Random(11);
        int n = 127;
        float[] a = randomFloats(r, n, -2, 2);
        float[] b = randomFloats(r, n, 0.5f, 2);
        float[] got = calc(Binary.Kind.DIV, new int[] {n}, a, new int[] {n}, b, false);
        float[] want = new float[n];
        for (int i = 0; i < n; i++) {
            want[i] = a[i] / b[i];
        }
        assertClose(want, got, 0, 0, "division");
    }
}
