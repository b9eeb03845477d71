package dev.accel.backend.cpu.linalg;

import static dev.accel.backend.cpu.linalg.LinalgTestSupport.assertSameBytes;
import static dev.accel.backend.cpu.linalg.LinalgTestSupport.bytes;
import static dev.accel.backend.cpu.linalg.LinalgTestSupport.bytesOf;
import static dev.accel.backend.cpu.linalg.LinalgTestSupport.floats;
import static dev.accel.backend.cpu.linalg.LinalgTestSupport.floatsOf;
import static dev.accel.backend.cpu.linalg.LinalgTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.QLinearConv;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Kernels compiled with constant inputs: identical bytes to the unprepared kernels (the
 * {@link LinalgChecks} families check that on every shape they cover), and, white-box, proof that the
 * vector kernels really use the copy packed at compile time: a run that passes a zeroed weight
 * buffer still computes with the constant weights. That is outside the contract (every run must
 * pass the constants' contents) and is done here only to show the packing is in effect.
 */
class PreparedKernelsTest {
    /** Runs the prepared vector kernel with input {@code index} zeroed; it must give the result of the real input. */
    private static void assertUsesPackedCopy(OpSpec spec, MemorySegment[] in, int... constant) {
        try (Arena arena = Arena.ofShared()) {
            Map<Integer, MemorySegment> k = new java.util.HashMap<>();
            MemorySegment[] blanked = in.clone();
            for (int i : constant) {
                k.put(i, in[i]);
                MemorySegment zero = arena.allocate(Math.max(1, in[i].byteSize()), 64).asSlice(0, in[i].byteSize());
                zero.fill((byte) 0);
                blanked[i] = zero;
            }
            MemorySegment expected = run(arena, spec, false, in);
            assertSameBytes(spec + " prepared, run with the constants zeroed", expected, run(arena, spec, false, k, blanked));
        }
    }

    @Test
    void convolutionReadsItsPackedWeights() {
        Random r = new Random(1);
        try (Arena arena = Arena.ofShared()) {
            // Im2col GEMM, pointwise GEMM, grouped, depthwise: weights (1) and bias (2) constant.
            int[][][] shapes = {
                {{1, 8, 9, 9}, {13, 8, 3, 3}}, {{1, 16, 7, 7}, {40, 16, 1, 1}}, {{1, 8, 10, 10}, {12, 4, 3, 3}},
                {{1, 6, 14, 14}, {6, 1, 3, 3}}};
            Conv2d[] geos = {Conv2d.of(1, 1, 1), Conv2d.simple(), Conv2d.of(2, 1, 2), Conv2d.of(2, 1, 6)};
            for (int s = 0; s < shapes.length; s++) {
                int[] xd = shapes[s][0];
                int[] wd = shapes[s][1];
                OpSpec spec = OpSpec.of(geos[s], TensorType.of(DType.F32, xd), TensorType.of(DType.F32, wd),
                        TensorType.of(DType.F32, wd[0]));
                MemorySegment[] in = {floats(arena, r, spec.inputs().get(0).numel()), floats(arena, r, spec.inputs().get(1).numel()),
                    floats(arena, r, wd[0])};
                assertUsesPackedCopy(spec, in, 1, 2);
            }
        }
    }

    @Test
    void matMulAndGemmReadTheirPackedB() {
        Random r = new Random(2);
        try (Arena arena = Arena.ofShared()) {
            OpSpec mm = OpSpec.of(new MatMul(), TensorType.of(DType.F32, 2, 20, 70), TensorType.of(DType.F32, 70, 45));
            assertUsesPackedCopy(mm, new MemorySegment[] {floats(arena, r, 2 * 20 * 70), floats(arena, r, 70 * 45)}, 1);
            OpSpec gemm = OpSpec.of(new Gemm(1f, 0f, false, true), TensorType.of(DType.F32, 30, 50),
                    TensorType.of(DType.F32, 33, 50));
            assertUsesPackedCopy(gemm, new MemorySegment[] {floats(arena, r, 30 * 50), floats(arena, r, 33 * 50)}, 1);
            OpSpec mmi = OpSpec.of(new MatMulInteger(), TensorType.of(DType.U8, 25, 300), TensorType.of(DType.I8, 300, 41),
                    TensorType.of(DType.U8), TensorType.of(DType.I8, 41));
            int[] zb = new int[41];
            for (int i = 0; i < zb.length; i++) {
                zb[i] = r.nextInt(256) - 128;
            }
            assertUsesPackedCopy(mmi, new MemorySegment[] {bytes(arena, r, 25 * 300), bytes(arena, r, 300 * 41), bytesOf(arena, 7),
                bytesOf(arena, zb)}, 1, 3);
        }
    }

    @Test
    void quantizedConvolutionReadsItsPackedWeightsAndScales() {
        Random r = new Random(3);
        try (Arena arena = Arena.ofShared()) {
            int m = 10;
            OpSpec spec = OpSpec.of(new QLinearConv(Conv2d.of(1, 1, 1)), TensorType.of(DType.U8, 1, 6, 8, 8),
                    TensorType.of(DType.F32), TensorType.of(DType.U8), TensorType.of(DType.I8, m, 6, 3, 3),
                    TensorType.of(DType.F32, m), TensorType.of(DType.I8, m), TensorType.of(DType.F32), TensorType.of(DType.U8),
                    TensorType.of(DType.I32, m));
            float[] sw = new float[m];
            int[] zw = new int[m];
            int[] bias = new int[m];
            for (int i = 0; i < m; i++) {
                sw[i] = 0.002f + r.nextFloat() * 0.01f;
                zw[i] = r.nextInt(21) - 10;
                bias[i] = r.nextInt(2001) - 1000;
            }
            MemorySegment[] in = {bytes(arena, r, 6 * 64), floatsOf(arena, 0.02f), bytesOf(arena, 128), bytes(arena, r, m * 54),
                floatsOf(arena, sw), bytesOf(arena, zw), floatsOf(arena, 0.3f), bytesOf(arena, 120),
                LinalgTestSupport.intsOf(arena, bias)};
            assertUsesPackedCopy(spec, in, 1, 3, 4, 5, 6, 8);
        }
    }

    @Test
    void packedPanelsHoldTheLogicalMatrix() {
        // The fallback element access (used if a packed operand is ever packed again) returns the source matrix.
        Random r = new Random(4);
        try (Arena arena = Arena.ofShared()) {
            int rows = 13;
            int k = 600;
            MemorySegment seg = floats(arena, r, (long) rows * k);
            MatrixView v = MatrixView.f32(seg, 0, k, 1);
            for (PackedPanels p : new PackedPanels[] {PackedPanels.asA(v, rows, k, GemmCore.KC),
                PackedPanels.asB(v, rows, k, GemmCore.KC)}) {
                float[] expected = new float[GemmCore.MR * 100];
                float[] actual = new float[GemmCore.MR * 100];
                v.packRows(expected, 0, 6, 6, GemmCore.MR, 250, 100);
                p.packRows(actual, 0, 6, 6, GemmCore.MR, 250, 100);
                assertArrayEquals(expected, actual);
            }
        }
    }
}
