package dev.accel.backend.cpu.linalg;

import static dev.accel.hal.DType.I8;
import static dev.accel.hal.DType.U8;

import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.QLinearMatMul;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * MatMulInteger, QLinearMatMul, ConvInteger and QLinearConv: exact results against a float64
 * reference (exact for these sums), for int8 and uint8 in every mix, per-tensor and per-channel
 * zero points and scales.
 */
class QuantizedKernelsTest {
    private static final DType[][] MIXES = {{I8, I8}, {U8, U8}, {U8, I8}, {I8, U8}};

    @Test
    void matMulIntegerEveryMixAndZeroPointMode() {
        long seed = 1;
        for (DType[] mix : MIXES) {
            for (int zpMode = 0; zpMode < 3; zpMode++) {
                LinalgChecks.matMulInteger(new int[] {17, 127}, new int[] {127, 33}, mix[0], mix[1], zpMode, seed++);
                LinalgChecks.matMulInteger(new int[] {3, 1}, new int[] {1, 3}, mix[0], mix[1], zpMode, seed++);
            }
        }
    }

    @Test
    void matMulIntegerLongKStaysExact() {
        // K = 1000 spans four exact float blocks whose sums are combined in int32; magnitudes near 2^16 per term.
        LinalgChecks.matMulInteger(new int[] {7, 1000}, new int[] {1000, 37}, U8, I8, 2, 10);
        LinalgChecks.matMulInteger(new int[] {13, 700}, new int[] {700, 5}, I8, I8, 1, 11);
    }

    @Test
    void matMulIntegerBatchedAndOneDimensional() {
        LinalgChecks.matMulInteger(new int[] {2, 1, 5, 9}, new int[] {3, 9, 4}, U8, I8, 2, 20);
        LinalgChecks.matMulInteger(new int[] {4, 6, 9}, new int[] {9, 5}, I8, U8, 2, 21);
        LinalgChecks.matMulInteger(new int[] {9}, new int[] {9, 6}, U8, U8, 1, 22);
        LinalgChecks.matMulInteger(new int[] {6, 9}, new int[] {9}, I8, I8, 1, 23);
    }

    @Test
    void qlinearMatMulPerColumnAndPerTensor() {
        long seed = 30;
        for (DType[] mix : MIXES) {
            for (DType yt : new DType[] {I8, U8}) {
                LinalgChecks.qlinearMatMul(new int[] {17, 127}, new int[] {127, 33}, mix[0], mix[1], yt, true, seed++);
                LinalgChecks.qlinearMatMul(new int[] {5, 3}, new int[] {3, 7}, mix[0], mix[1], yt, false, seed++);
            }
        }
        LinalgChecks.qlinearMatMul(new int[] {2, 3, 300}, new int[] {300, 40}, U8, I8, U8, true, seed++);
        LinalgChecks.qlinearMatMul(new int[] {2, 4, 3, 20}, new int[] {2, 1, 20, 9}, I8, I8, I8, true, seed);
    }

    @Test
    void convIntegerPaths() {
        long seed = 50;
        for (DType[] mix : MIXES) {
            LinalgChecks.convInteger(new int[] {1, 5, 9, 11}, new int[] {6, 5, 3, 3}, new Conv2d(1, 1, 1, 0, 2, 1, 1, 1, 1),
                    mix[0], mix[1], true, seed++);
            LinalgChecks.convInteger(new int[] {2, 8, 7, 7}, new int[] {4, 8, 1, 1}, Conv2d.simple(), mix[0], mix[1], false,
                    seed++);
        }
        LinalgChecks.convInteger(new int[] {1, 6, 12, 13}, new int[] {9, 2, 3, 3}, new Conv2d(2, 2, 1, 1, 1, 1, 2, 1, 3), U8,
                I8, true, seed++);
        LinalgChecks.convInteger(new int[] {1, 6, 17, 40}, new int[] {6, 1, 3, 3}, new Conv2d(2, 1, 1, 1, 0, 2, 1, 2, 6), U8,
                U8, true, seed++);
        LinalgChecks.convInteger(new int[] {1, 3, 20, 20}, new int[] {3, 1, 3, 3}, Conv2d.of(1, 1, 3), I8, I8, false, seed);
    }

    @Test
    void qlinearConvPaths() {
        long seed = 70;
        for (DType[] mix : MIXES) {
            for (DType yt : new DType[] {I8, U8}) {
                LinalgChecks.qlinearConv(new int[] {1, 4, 9, 10}, new int[] {6, 4, 3, 3}, Conv2d.of(1, 1, 1), mix[0], mix[1], yt,
                        true, true, seed++);
            }
        }
        LinalgChecks.qlinearConv(new int[] {2, 16, 6, 6}, new int[] {8, 16, 1, 1}, Conv2d.simple(), U8, I8, U8, true, true,
                seed++);
        LinalgChecks.qlinearConv(new int[] {1, 8, 15, 33}, new int[] {8, 1, 3, 3}, Conv2d.of(2, 1, 8), U8, I8, U8, true, true,
                seed++);
        LinalgChecks.qlinearConv(new int[] {1, 6, 11, 11}, new int[] {4, 3, 3, 3}, new Conv2d(1, 2, 0, 1, 2, 0, 2, 1, 2), I8,
                I8, I8, false, false, seed);
    }

    @Test
    void extremeProductsStayExactAcrossLongK() {
        // Every product is -65025 or +65025 (the largest 8-bit difference squared), all of one sign per
        // output: running sums pass 2^24 after 258 terms, where a float sum would start rounding.
        int k = 1000;
        OpSpec spec = OpSpec.of(new MatMulInteger(), TensorType.of(U8, 3, k), TensorType.of(I8, k, 2), TensorType.of(U8),
                TensorType.of(I8, 2));
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = arena.allocate(3L * k);
            for (int p = 0; p < k; p++) {
                a.set(ValueLayout.JAVA_BYTE, p, (byte) 0);
                a.set(ValueLayout.JAVA_BYTE, k + p, (byte) 255);
                a.set(ValueLayout.JAVA_BYTE, 2L * k + p, (byte) (p % 2 == 0 ? 0 : 255));
            }
            MemorySegment b = arena.allocate(2L * k);
            for (int p = 0; p < k; p++) {
                b.set(ValueLayout.JAVA_BYTE, 2L * p, (byte) 127);
                b.set(ValueLayout.JAVA_BYTE, 2L * p + 1, (byte) -128);
            }
            // a - 255 is -255 or 0; b - zp is 255 (127 - -128) in column 0 and -255 (-128 - 127) in column 1.
            MemorySegment[] in = {a, b, LinalgTestSupport.bytesOf(arena, 255), LinalgTestSupport.bytesOf(arena, -128, 127)};
            int[] expected = {-65025 * k, 65025 * k, 0, 0, -65025 * (k / 2), 65025 * (k / 2)};
            for (boolean scalar : new boolean[] {false, true}) {
                int[] got = LinalgTestSupport.run(arena, spec, scalar, in).toArray(ValueLayout.JAVA_INT_UNALIGNED);
                org.junit.jupiter.api.Assertions.assertArrayEquals(expected, got, scalar ? "scalar" : "vector");
            }
        }
    }

    @Test
    void requantizationRoundsHalfToEvenAndSaturates() {
        // acc = a * 1; y = rint(acc * 1 * 1 / yScale) + yzp, saturated to int8.
        int[] av = {1, 3, 5, -1, -3, 127, -128};
        OpSpec spec = OpSpec.of(new QLinearMatMul(), TensorType.of(I8, av.length, 1), TensorType.of(DType.F32),
                TensorType.of(I8), TensorType.of(I8, 1, 1), TensorType.of(DType.F32), TensorType.of(I8), TensorType.of(DType.F32),
                TensorType.of(I8));
        try (Arena arena = Arena.ofShared()) {
            for (boolean scalar : new boolean[] {false, true}) {
                MemorySegment[] half = {LinalgTestSupport.bytesOf(arena, av), LinalgTestSupport.floatsOf(arena, 1f),
                    LinalgTestSupport.bytesOf(arena, 0), LinalgTestSupport.bytesOf(arena, 1), LinalgTestSupport.floatsOf(arena, 1f),
                    LinalgTestSupport.bytesOf(arena, 0), LinalgTestSupport.floatsOf(arena, 2f), LinalgTestSupport.bytesOf(arena, 0)};
                LinalgTestSupport.assertBytes("y_scale 2", LinalgTestSupport.run(arena, spec, scalar, half), I8,
                        new int[] {0, 2, 2, 0, -2, 64, -64});
                MemorySegment[] twice = half.clone();
                twice[6] = LinalgTestSupport.floatsOf(arena, 0.5f);
                twice[7] = LinalgTestSupport.bytesOf(arena, 10);
                LinalgTestSupport.assertBytes("y_scale 0.5, zero point 10", LinalgTestSupport.run(arena, spec, scalar, twice), I8,
                        new int[] {12, 16, 20, 8, 4, 127, -128});
            }
        }
    }
}
