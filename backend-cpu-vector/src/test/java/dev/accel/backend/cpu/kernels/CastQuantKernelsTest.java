package dev.accel.backend.cpu.kernels;

import static dev.accel.backend.cpu.kernels.KernelHarness.FLOAT;
import static dev.accel.backend.cpu.kernels.KernelHarness.INT;
import static dev.accel.backend.cpu.kernels.KernelHarness.LONG;
import static dev.accel.backend.cpu.kernels.KernelHarness.SHORT;
import static dev.accel.backend.cpu.kernels.KernelHarness.assertClose;
import static dev.accel.backend.cpu.kernels.KernelHarness.assertTwinsClose;
import static dev.accel.backend.cpu.kernels.KernelHarness.assertTwinsExact;
import static dev.accel.backend.cpu.kernels.KernelHarness.bytes;
import static dev.accel.backend.cpu.kernels.KernelHarness.floats;
import static dev.accel.backend.cpu.kernels.KernelHarness.ints;
import static dev.accel.backend.cpu.kernels.KernelHarness.longs;
import static dev.accel.backend.cpu.kernels.KernelHarness.random;
import static dev.accel.backend.cpu.kernels.KernelHarness.randomFloats;
import static dev.accel.backend.cpu.kernels.KernelHarness.run;
import static dev.accel.backend.cpu.kernels.KernelHarness.spec;
import static dev.accel.backend.cpu.kernels.KernelHarness.toBytes;
import static dev.accel.backend.cpu.kernels.KernelHarness.toFloats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.accel.hal.DType;
import dev.accel.hal.Half;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.QuantizeLinear;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CastQuantKernelsTest {
    private static final float NAN = Float.NaN;

    private static MemorySegment cast(DType from, DType to, boolean scalar, MemorySegment x, int n) {
        return run(ElementwiseKernels::compile, scalar, spec(new Cast(to), TensorType.of(from, n)), x);
    }

    private static void expectBytes(DType from, DType to, MemorySegment x, int n, int... want) {
        for (boolean scalar : new boolean[] {true, false}) {
            byte[] got = toBytes(cast(from, to, scalar, x, n));
            byte[] w = new byte[want.length];
            for (int i = 0; i < w.length; i++) {
                w[i] = (byte) want[i];
            }
            assertArrayEquals(w, got, from + " -> " + to + ", scalar=" + scalar);
        }
    }

    @Test
    void floatToIntegerTruncatesSaturatesAndMapsNanToZero() {
        MemorySegment x = floats(1.9f, -1.9f, 200f, -200f, NAN, 0.5f, -0.5f, 127.99f, Float.POSITIVE_INFINITY);
        expectBytes(DType.F32, DType.I8, x, 9, 1, -1, 127, -128, 0, 0, 0, 127, 127);
        expectBytes(DType.F32, DType.U8, x, 9, 1, 0, 200, 0, 0, 0, 0, 127, 255);
        expectBytes(DType.F32, DType.BOOL, floats(0f, -0f, NAN, 2f, -1e-30f), 5, 0, 0, 1, 1, 1);
        for (boolean scalar : new boolean[] {true, false}) {
            MemorySegment big = floats(3e9f, -3e9f, NAN, -2.5f, 2.5f);
            MemorySegment i32 = cast(DType.F32, DType.I32, scalar, big, 5);
            assertArrayEquals(new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE, 0, -2, 2}, i32.toArray(INT));
            MemorySegment i64 = cast(DType.F32, DType.I64, scalar, floats(1e19f, -1e19f, NAN, -7.9f), 4);
            assertArrayEquals(new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 0, -7}, i64.toArray(LONG));
        }
    }

    @Test
    void integersNarrowBySaturatingAndBoolReadsNonZeroAsOne() {
        expectBytes(DType.I32, DType.I8, ints(300, -300, 5, -5), 4, 127, -128, 5, -5);
        expectBytes(DType.U8, DType.I8, bytes(255, 127, 128), 3, 127, 127, 127);
        expectBytes(DType.I8, DType.U8, bytes(-1, 100), 2, 0, 100);
        expectBytes(DType.BOOL, DType.U8, bytes(7, 0, 1), 3, 1, 0, 1);
        for (boolean scalar : new boolean[] {true, false}) {
            MemorySegment i32 = cast(DType.I64, DType.I32, scalar, longs(1L << 40, -(1L << 40), 42), 3);
            assertArrayEquals(new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE, 42}, i32.toArray(INT));
            assertArrayEquals(new float[] {1, 0, 1}, toFloats(cast(DType.BOOL, DType.F32, scalar, bytes(9, 0, 1), 3)));
            assertArrayEquals(new float[] {128, 255}, toFloats(cast(DType.U8, DType.F32, scalar, bytes(-128, -1), 2)));
            assertArrayEquals(new float[] {-128, -1}, toFloats(cast(DType.I8, DType.F32, scalar, bytes(-128, -1), 2)));
            // 2^24 + 1 is not a float: rounds to even, 2^24.
            assertArrayEquals(new float[] {16777216f}, toFloats(cast(DType.I32, DType.F32, scalar, ints(16777217), 1)));
        }
    }

    @Test
    void integersRoundOnceToHalfTypes() {
        // 2^32 + 2^24 + 1 lies just above the midpoint between the bfloat16 neighbours 2^32 and 2^32 + 2^25:
        // rounding once gives 2^32 + 2^25; rounding through float32 first (to 2^32 + 2^24, the midpoint) would give 2^32.
        long v = (1L << 32) + (1L << 24) + 1;
        for (boolean scalar : new boolean[] {true, false}) {
            MemorySegment bf = cast(DType.I64, DType.BF16, scalar, longs(v, -v, 3, Long.MIN_VALUE), 4);
            short[] got = bf.toArray(SHORT);
            assertEquals((float) ((1L << 32) + (1L << 25)), Half.bf16ToFloat(got[0]));
            assertEquals(-(float) ((1L << 32) + (1L << 25)), Half.bf16ToFloat(got[1]));
            assertEquals(3f, Half.bf16ToFloat(got[2]));
            assertEquals(-0x1p63f, Half.bf16ToFloat(got[3]));
            MemorySegment h = cast(DType.I32, DType.F16, scalar, ints(2049, 2051, 65519, 65520, 1 << 30), 5);
            short[] hs = h.toArray(SHORT);
            // f16 has 11 significant bits: 2049 ties to 2048, 2051 ties to 2052; 65520 and beyond overflow.
            assertArrayEquals(new float[] {2048, 2052, 65504, Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY},
                    new float[] {Half.f16ToFloat(hs[0]), Half.f16ToFloat(hs[1]), Half.f16ToFloat(hs[2]),
                        Half.f16ToFloat(hs[3]), Half.f16ToFloat(hs[4])});
        }
    }

    @Test
    void floatsRoundToNearestEvenBetweenFloatTypes() {
        MemorySegment x = floats(1f / 3, 65520f, 1e-8f, NAN);
        for (boolean scalar : new boolean[] {true, false}) {
            short[] h = cast(DType.F32, DType.F16, scalar, x, 4).toArray(SHORT);
            assertEquals((short) 0x3555, h[0]); // 0.333251953125, the nearest binary16
            assertEquals((short) 0x7c00, h[1]); // overflows to +inf
            assertEquals((short) 0x0000, h[2]); // below half the smallest subnormal
            assertEquals(true, Float.isNaN(Half.f16ToFloat(h[3])));
            short[] b = cast(DType.F32, DType.BF16, scalar, x, 4).toArray(SHORT);
            assertEquals((short) 0x3eab, b[0]); // 0.333984375
            // f16 -> bf16 goes through the exact float: one rounding.
            MemorySegment f16 = KernelHarness.alloc(TensorType.of(DType.F16, 1));
            f16.setAtIndex(SHORT, 0, (short) 0x3555);
            assertEquals((short) 0x3eab, cast(DType.F16, DType.BF16, scalar, f16, 1).getAtIndex(SHORT, 0));
        }
    }

    @Test
    void everyPairOfDtypesHasEqualTwins() {
        Random r = new Random(5);
        for (DType from : DType.values()) {
            for (DType to : DType.values()) {
                for (int n : new int[] {0, 1, 17, 127, 20001}) {
                    TensorType t = TensorType.of(from, n);
                    MemorySegment x = random(r, t, -400, 400);
                    if (from == DType.F32 && n > 2) {
                        x.setAtIndex(FLOAT, 0, NAN);
                        x.setAtIndex(FLOAT, 1, Float.NEGATIVE_INFINITY);
                    }
                    assertTwinsExact(ElementwiseKernels::compile, spec(new Cast(to), t), x);
                }
            }
        }
        // Large enough to split across cores, for the pairs with vector loops and a scalar one.
        DType[][] pairs = {{DType.F32, DType.I8}, {DType.F32, DType.U8}, {DType.F32, DType.I32}, {DType.I32, DType.F32},
            {DType.U8, DType.F32}, {DType.I8, DType.F32}, {DType.F32, DType.F16}};
        for (DType[] p : pairs) {
            TensorType t = TensorType.of(p[0], 140001);
            assertTwinsExact(ElementwiseKernels::compile, spec(new Cast(p[1]), t), random(r, t, -400, 400));
        }
    }

    @Test
    void quantizeRoundsHalfToEvenAddsTheZeroPointAndSaturates() {
        MemorySegment x = floats(0, 1, 2.5f, 3.5f, -2.5f, 1000, -1000, NAN, 0.5f);
        TensorType xt = TensorType.of(DType.F32, 9);
        TensorType st = TensorType.of(DType.F32);
        for (boolean scalar : new boolean[] {true, false}) {
            MemorySegment u8 = run(ElementwiseKernels::compile, scalar, spec(new QuantizeLinear(0), xt, st), x, floats(1));
            assertArrayEquals(new byte[] {0, 1, 2, 4, 0, (byte) 255, 0, 0, 0}, toBytes(u8));
            MemorySegment i8 = run(ElementwiseKernels::compile, scalar,
                    spec(new QuantizeLinear(0), xt, st, TensorType.of(DType.I8)), x, floats(0.5f), bytes(-1));
            // x / 0.5 = 0, 2, 5, 7, -5, 2000, -2000, NaN, 1; rounded (5 stays 5), minus 1, saturated; NaN gives 0.
            assertArrayEquals(new byte[] {-1, 1, 4, 6, -6, 127, -128, 0, 0}, toBytes(i8));
        }
    }

    @Test
    void quantizeAndDequantizePerAxis() {
        // x [2, 3], axis 1: scales 1, 2, 4 and zero points 0, 1, 2 per column.
        TensorType xt = TensorType.of(DType.F32, 2, 3);
        TensorType pt = TensorType.of(DType.F32, 3);
        MemorySegment x = floats(1, 2, 4, -3, 5, 10);
        for (boolean scalar : new boolean[] {true, false}) {
            MemorySegment q = run(ElementwiseKernels::compile, scalar,
                    spec(new QuantizeLinear(1), xt, pt, TensorType.of(DType.U8, 3)), x, floats(1, 2, 4), bytes(0, 1, 2));
            // 1/1+0 = 1, 2/2+1 = 2, 4/4+2 = 3; -3 -> 0 (saturated), 5/2 = 2.5 -> 2, +1 = 3, 10/4 = 2.5 -> 2, +2 = 4.
            assertArrayEquals(new byte[] {1, 2, 3, 0, 3, 4}, toBytes(q));
            MemorySegment d = run(ElementwiseKernels::compile, scalar,
                    spec(new DequantizeLinear(-1), TensorType.of(DType.U8, 2, 3), pt, TensorType.of(DType.U8, 3)),
                    q, floats(1, 2, 4), bytes(0, 1, 2));
            assertArrayEquals(new float[] {1, 2, 4, 0, 4, 8}, toFloats(d));
            // Axis 0 of [2, 3]: one scale per row, no zero point.
            MemorySegment d0 = run(ElementwiseKernels::compile, scalar,
                    spec(new DequantizeLinear(0), TensorType.of(DType.I8, 2, 3), TensorType.of(DType.F32, 2)),
                    bytes(-128, 0, 127, 1, 2, 3), floats(0.5f, -2));
            assertArrayEquals(new float[] {-64, 0, 63.5f, -2, -4, -6}, toFloats(d0));
            MemorySegment d32 = run(ElementwiseKernels::compile, scalar,
                    spec(new DequantizeLinear(0), TensorType.of(DType.I32, 3), TensorType.of(DType.F32),
                            TensorType.of(DType.I32)), ints(1000, -7, 16777217), floats(0.25f), ints(-8));
            // float(16777217) is 16777216: (16777216 + 8) * 0.25.
            assertArrayEquals(new float[] {252, 0.25f, 4194306f}, toFloats(d32));
        }
    }

    @Test
    void quantizeTwinsAgreeOnOddSizesAndAxes() {
        Random r = new Random(9);
        for (int n : KernelHarness.SIZES) {
            TensorType xt = TensorType.of(DType.F32, n);
            MemorySegment x = floats(randomFloats(r, n, -300, 300));
            for (DType zt : new DType[] {DType.I8, DType.U8}) {
                OpSpec s = spec(new QuantizeLinear(0), xt, TensorType.of(DType.F32), TensorType.of(zt));
                assertTwinsExact(ElementwiseKernels::compile, s, x, floats(0.75f), bytes(3));
                OpSpec d = spec(new DequantizeLinear(0), TensorType.of(zt, n), TensorType.of(DType.F32), TensorType.of(zt));
                assertTwinsExact(ElementwiseKernels::compile, d, random(r, TensorType.of(zt, n), 0, 0), floats(0.03f), bytes(-5));
            }
            OpSpec d32 = spec(new DequantizeLinear(0), TensorType.of(DType.I32, n), TensorType.of(DType.F32));
            assertTwinsExact(ElementwiseKernels::compile, d32, random(r, TensorType.of(DType.I32, n), 0, 0), floats(1e-6f));
        }
        int[] shape = {3, 17, 5};
        for (int axis : new int[] {0, 1, 2, -1}) {
            int c = shape[Math.floorMod(axis, 3)];
            TensorType xt = TensorType.of(DType.F32, shape);
            MemorySegment x = floats(randomFloats(r, xt.numel(), -50, 50));
            MemorySegment sc = floats(randomFloats(r, c, 0.1f, 1));
            MemorySegment zp = random(r, TensorType.of(DType.I8, c), 0, 0);
            OpSpec s = spec(new QuantizeLinear(axis), xt, TensorType.of(DType.F32, c), TensorType.of(DType.I8, c));
            assertTwinsExact(ElementwiseKernels::compile, s, x, sc, zp);
            MemorySegment q = run(ElementwiseKernels::compile, false, s, x, sc, zp);
            OpSpec d = spec(new DequantizeLinear(axis), xt.withDType(DType.I8), TensorType.of(DType.F32, c),
                    TensorType.of(DType.I8, c));
            assertTwinsExact(ElementwiseKernels::compile, d, q, sc, zp);
            // Quantize then dequantize is within half a step of x wherever x was in range.
            float[] back = toFloats(run(ElementwiseKernels::compile, false, d, q, sc, zp));
            float[] xs = toFloats(x);
            float[] scales = toFloats(sc);
            for (int i = 0; i < xs.length; i++) {
                int ch = axis == 0 ? i / 85 : axis == 1 ? (i / 5) % 17 : i % 5;
                float lo = (-128 - zp.get(java.lang.foreign.ValueLayout.JAVA_BYTE, ch)) * scales[ch];
                float hi = (127 - zp.get(java.lang.foreign.ValueLayout.JAVA_BYTE, ch)) * scales[ch];
                if (xs[i] > lo && xs[i] < hi) {
                    assertClose(new float[] {xs[i]}, new float[] {back[i]}, 0, scales[ch] * 0.5001, "element " + i);
                }
            }
        }
        OpSpec empty = spec(new QuantizeLinear(0), TensorType.of(DType.F32, 0), TensorType.of(DType.F32));
        assertEquals(0, run(ElementwiseKernels::compile, false, empty, floats(), floats(1)).byteSize());
        assertTwinsClose(ElementwiseKernels::compile, spec(new DequantizeLinear(0), TensorType.of(DType.U8, 0),
                TensorType.of(DType.F32)), 0, 0, bytes(), floats(1));
    }
}
