package dev.accel.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.accel.backend.cpu.CpuOps;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * The peers compute what they are compared with: ONNX Runtime on the hand-encoded one-node models
 * (MatMul, Conv with initializers and attributes, MatMulInteger), OpenBLAS sgemm and sgemv, and the
 * Java loop, each against a float64 reference on a small shape; and accel on the same operands.
 */
class PeersTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private static double[] matMul(MemorySegment a, MemorySegment b, int m, int k, int n) {
        double[] r = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a.getAtIndex(F, (long) i * k + p) * b.getAtIndex(F, (long) p * n + j);
                }
                r[i * n + j] = s;
            }
        }
        return r;
    }

    private static void assertClose(String what, double[] expected, MemorySegment actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual.getAtIndex(F, i), 1e-4 * (1 + Math.abs(expected[i])), what + " element " + i);
        }
    }

    @Test
    void onnxRuntimeRunsTheEncodedMatMul() {
        int m = 5;
        int k = 7;
        int n = 3;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = Buffers.floats(arena, m * k, 1);
            MemorySegment b = Buffers.floats(arena, k * n, 2);
            MemorySegment y = Buffers.zeros(arena, 4L * m * n);
            byte[] model = new OnnxModel("MatMul").input("A", OnnxModel.FLOAT, m, k).input("B", OnnxModel.FLOAT, k, n)
                    .output("Y", OnnxModel.FLOAT, m, n).toBytes();
            try (OrtRunner ort = new OrtRunner(model, 1, OrtLevels.DEFAULT).input("A", a, OrtRunner.Elem.F32, m, k)
                    .input("B", b, OrtRunner.Elem.F32, k, n).output("Y", y, OrtRunner.Elem.F32, m, n)) {
                ort.run();
            }
            assertClose("ONNX Runtime MatMul", matMul(a, b, m, k, n), y);
        }
    }

    @Test
    void onnxRuntimeConvMatchesAccelConvForEveryLayerKind() {
        // A small stand-in per layer kind: 3x3 padded, strided 7x7, depthwise stride 2, pointwise.
        ConvLayer[] layers = {
            new ConvLayer("t.3x3", 4, 9, 9, 5, 3, 1, 1, 1, false),
            new ConvLayer("t.7x7s2", 3, 15, 15, 4, 7, 2, 3, 1, false),
            new ConvLayer("t.dw3x3s2", 6, 12, 12, 6, 3, 2, 1, 6, false),
            new ConvLayer("t.1x1", 8, 6, 6, 3, 1, 1, 0, 1, false),
        };
        for (ConvLayer l : layers) {
            for (var level : new ai.onnxruntime.OrtSession.SessionOptions.OptLevel[] {OrtLevels.DEFAULT, OrtLevels.NCHW}) {
                try (Arena arena = Arena.ofShared()) {
                    MemorySegment x = Buffers.floats(arena, (long) l.c() * l.h() * l.w(), 3);
                    MemorySegment w = Buffers.floats(arena, (long) l.m() * (l.c() / l.groups()) * l.k() * l.k(), 4);
                    MemorySegment bias = Buffers.floats(arena, l.m(), 5);
                    long outFloats = (long) l.m() * l.oh() * l.ow();
                    MemorySegment yOrt = Buffers.zeros(arena, 4 * outFloats);
                    MemorySegment yAccel = Buffers.zeros(arena, 4 * outFloats);
                    try (OrtRunner ort = new OrtRunner(l.onnx(Buffers.toFloats(w), Buffers.toFloats(bias)), 2, level)
                            .input("X", x, OrtRunner.Elem.F32, l.xShape()).output("Y", yOrt, OrtRunner.Elem.F32, l.yShape())) {
                        ort.run();
                    }
                    CpuOps.compile(l.spec(), false).run(new MemorySegment[] {x, w, bias}, new MemorySegment[] {yAccel});
                    double[] expected = new double[(int) outFloats];
                    for (int i = 0; i < expected.length; i++) {
                        expected[i] = yAccel.getAtIndex(F, i);
                    }
                    assertClose(l.name() + " at " + level, expected, yOrt);
                }
            }
        }
    }

    @Test
    void onnxRuntimeMatMulIntegerWithZeroPointInitializers() {
        int m = 3;
        int k = 5;
        int n = 4;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = Buffers.bytes(arena, m * k, 6);
            MemorySegment b = Buffers.bytes(arena, k * n, 7);
            MemorySegment y = Buffers.zeros(arena, 4L * m * n);
            byte[] model = new OnnxModel("MatMulInteger").input("A", OnnxModel.UINT8, m, k).input("B", OnnxModel.INT8, k, n)
                    .initializer("a_zero_point", OnnxModel.UINT8, new byte[] {(byte) 128})
                    .initializer("b_zero_point", OnnxModel.INT8, new byte[] {3})
                    .output("Y", OnnxModel.INT32, m, n).toBytes();
            try (OrtRunner ort = new OrtRunner(model, 1, OrtLevels.DEFAULT).input("A", a, OrtRunner.Elem.U8, m, k)
                    .input("B", b, OrtRunner.Elem.I8, k, n).output("Y", y, OrtRunner.Elem.I32, m, n)) {
                ort.run();
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    int s = 0;
                    for (int p = 0; p < k; p++) {
                        s += ((a.get(ValueLayout.JAVA_BYTE, (long) i * k + p) & 0xFF) - 128) * (b.get(ValueLayout.JAVA_BYTE, (long) p * n + j) - 3);
                    }
                    assertEquals(s, y.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, (long) i * n + j), "element " + i + "," + j);
                }
            }
        }
    }

    @Test
    void openBlasAndTheJavaLoopMultiply() {
        int m = 6;
        int k = 9;
        int n = 5;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = Buffers.floats(arena, m * k, 8);
            MemorySegment b = Buffers.floats(arena, k * n, 9);
            MemorySegment y = Buffers.zeros(arena, 4L * m * n);
            OpenBlas.threads(2);
            OpenBlas.sgemm(m, n, k, OpenBlas.floats(a), OpenBlas.floats(b), OpenBlas.floats(y));
            double[] expected = matMul(a, b, m, k, n);
            assertClose("sgemm", expected, y);
            MemorySegment row = Buffers.zeros(arena, 4L * n);
            OpenBlas.sgemvRow(n, k, OpenBlas.floats(a), OpenBlas.floats(b), OpenBlas.floats(row));
            double[] first = java.util.Arrays.copyOf(expected, n);
            assertClose("sgemv", first, row);
            float[] c = new float[m * n];
            JavaLoops.sgemm(m, n, k, Buffers.toFloats(a), Buffers.toFloats(b), c);
            assertClose("Java loop", expected, MemorySegment.ofArray(c));
        }
    }
}
