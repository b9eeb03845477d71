package dev.accel.backend.npu;

import static dev.accel.backend.npu.NpuTestSupport.assertHalfClose;
import static dev.accel.backend.npu.NpuTestSupport.random;
import static dev.accel.backend.npu.NpuTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.GlobalAveragePool;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.Softmax;
import dev.accel.hal.op.Unary;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each float16 op of the NPU against a float64 reference computed from the same half-rounded inputs. */
class NpuFloat16OpsTest {
    private static final DType H = DType.F16;
    private static NpuDevice device;
    private final Random random = new Random(20240611);

    @BeforeAll
    static void open() {
        device = NpuTestSupport.open();
    }

    @AfterAll
    static void close() {
        NpuTestSupport.closeAndCheckNoLeak(device);
    }

    static Stream<Arguments> convCases() {
        return Stream.of(
                Arguments.of("plain 3x3 with bias", Conv2d.simple(), new int[] {1, 3, 7, 7}, new int[] {4, 3, 3, 3}, true),
                Arguments.of("stride 2x1, asymmetric padding", new Conv2d(2, 1, 1, 0, 2, 1, 1, 1, 1),
                        new int[] {2, 2, 9, 8}, new int[] {3, 2, 3, 2}, false),
                Arguments.of("dilation 2", new Conv2d(1, 1, 2, 2, 2, 2, 2, 2, 1), new int[] {1, 2, 8, 8},
                        new int[] {2, 2, 3, 3}, false),
                Arguments.of("2 groups", Conv2d.of(1, 1, 2), new int[] {1, 4, 6, 6}, new int[] {6, 2, 3, 3}, true),
                Arguments.of("depthwise", Conv2d.of(2, 1, 4), new int[] {1, 4, 7, 5}, new int[] {4, 1, 3, 3}, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convCases")
    void conv(String name, Conv2d c, int[] xd, int[] wd, boolean bias) {
        List<HostTensor> in = new ArrayList<>(List.of(random(random, H, 2, xd), random(random, H, 1, wd)));
        if (bias) {
            in.add(random(random, H, 1, wd[0]));
        }
        OpSpec spec = OpSpec.of(c, in.stream().map(HostTensor::type).toList());
        try (HostTensor y = run(device, spec, in.toArray(HostTensor[]::new))) {
            NpuReference.Result ref = NpuReference.conv(in.get(0).toDoubleArray(), xd, in.get(1).toDoubleArray(), wd,
                    bias ? in.get(2).toDoubleArray() : null, c, y.shape().dims());
            assertHalfClose("Conv " + name, ref.values(), ref.magnitude(), y);
        }
        in.forEach(HostTensor::close);
    }

    static Stream<Arguments> matmulCases() {
        return Stream.of(
                Arguments.of(new int[] {5, 7}, new int[] {7, 3}),
                Arguments.of(new int[] {2, 1, 4, 6}, new int[] {3, 6, 5}),
                Arguments.of(new int[] {6}, new int[] {6, 4}),
                Arguments.of(new int[] {3, 6}, new int[] {6}),
                Arguments.of(new int[] {4}, new int[] {4}));
    }

    @ParameterizedTest
    @MethodSource("matmulCases")
    void matmul(int[] ad, int[] bd) {
        try (HostTensor a = random(random, H, 2, ad); HostTensor b = random(random, H, 2, bd);
             HostTensor y = run(device, OpSpec.of(new MatMul(), a.type(), b.type()), a, b)) {
            int[] an = ad.length == 1 ? new int[] {1, ad[0]} : ad;
            int[] bn = bd.length == 1 ? new int[] {bd[0], 1} : bd;
            NpuReference.Result ref = NpuReference.matmul(a.toDoubleArray(), an, b.toDoubleArray(), bn);
            assertHalfClose("MatMul", ref.values(), ref.magnitude(), y);
        }
    }

    static Stream<Arguments> gemmCases() {
        return Stream.of(
                Arguments.of(Gemm.plain(), new int[] {4, 5}, new int[] {5, 3}, null),
                Arguments.of(new Gemm(1f, 1f, true, true), new int[] {5, 4}, new int[] {3, 5}, new int[] {3}),
                Arguments.of(new Gemm(0.5f, 2f, false, true), new int[] {4, 6}, new int[] {2, 6}, new int[] {4, 1}),
                Arguments.of(new Gemm(1.5f, -1f, true, false), new int[] {3, 2}, new int[] {3, 5}, new int[] {}),
                Arguments.of(new Gemm(1f, 0.25f, false, false), new int[] {3, 3}, new int[] {3, 4}, new int[] {3, 4}));
    }

    @ParameterizedTest
    @MethodSource("gemmCases")
    void gemm(Gemm g, int[] ad, int[] bd, int[] cd) {
        List<HostTensor> in = new ArrayList<>(List.of(random(random, H, 2, ad), random(random, H, 2, bd)));
        if (cd != null) {
            in.add(random(random, H, 2, cd));
        }
        OpSpec spec = OpSpec.of(g, in.stream().map(HostTensor::type).toList());
        try (HostTensor y = run(device, spec, in.toArray(HostTensor[]::new))) {
            NpuReference.Result ref = NpuReference.gemm(in.get(0).toDoubleArray(), ad, in.get(1).toDoubleArray(), bd,
                    cd == null ? null : in.get(2).toDoubleArray(), cd, g.alpha(), g.beta(), g.transA(), g.transB());
            assertHalfClose("Gemm " + g, ref.values(), ref.magnitude(), y);
        }
        in.forEach(HostTensor::close);
    }

    static Stream<Arguments> binaryCases() {
        return Stream.of(
                Arguments.of(Binary.Kind.ADD, new int[] {2, 3, 4}, new int[] {3, 1}),
                Arguments.of(Binary.Kind.ADD, new int[] {17}, new int[] {17}),
                Arguments.of(Binary.Kind.MUL, new int[] {4}, new int[] {2, 1, 4}),
                Arguments.of(Binary.Kind.MUL, new int[] {3, 5}, new int[] {}));
    }

    @ParameterizedTest
    @MethodSource("binaryCases")
    void binary(Binary.Kind kind, int[] ad, int[] bd) {
        try (HostTensor a = random(random, H, 4, ad); HostTensor b = random(random, H, 4, bd);
             HostTensor y = run(device, OpSpec.of(new Binary(kind), a.type(), b.type()), a, b)) {
            double[] ref = NpuReference.binary(a.toDoubleArray(), a.shape(), b.toDoubleArray(), b.shape(),
                    kind == Binary.Kind.MUL);
            assertEquals(Shape.broadcast(a.shape(), b.shape()), y.shape());
            assertHalfClose(kind.onnxName(), ref, null, y);
        }
    }

    static Stream<Arguments> unaryCases() {
        DoubleUnaryOperator hardSwish = x -> x * Math.max(0, Math.min(1, x / 6 + 0.5));
        return Stream.of(
                Arguments.of(Unary.of(Unary.Kind.RELU), (DoubleUnaryOperator) x -> Math.max(0, x)),
                Arguments.of(Unary.clip(-0.5f, 1.25f), (DoubleUnaryOperator) x -> Math.max(-0.5, Math.min(1.25, x))),
                Arguments.of(Unary.clip(Float.NEGATIVE_INFINITY, 0.3f),
                        (DoubleUnaryOperator) x -> Math.min((double) Half.f16(0.3f), x)),
                Arguments.of(Unary.of(Unary.Kind.HARD_SWISH), hardSwish));
    }

    /** float -> half -> double, for bounds the device stores in half. */
    private static final class Half {
        static double f16(float v) {
            return dev.accel.hal.Half.f16ToFloat(dev.accel.hal.Half.floatToF16(v));
        }
    }

    @ParameterizedTest
    @MethodSource("unaryCases")
    void unary(Unary op, DoubleUnaryOperator f) {
        try (HostTensor x = random(random, H, 8, 3, 41);
             HostTensor y = run(device, OpSpec.of(op, x.type()), x)) {
            double[] xs = x.toDoubleArray();
            double[] ref = new double[xs.length];
            for (int i = 0; i < xs.length; i++) {
                ref[i] = f.applyAsDouble(xs[i]);
            }
            assertHalfClose(op.name(), ref, null, y);
        }
    }

    static Stream<Arguments> poolCases() {
        return Stream.of(
                Arguments.of(Pool2d.max(3, 2, 1)),
                Arguments.of(Pool2d.average(3, 2, 1, false)),
                Arguments.of(Pool2d.average(3, 2, 1, true)),
                Arguments.of(new Pool2d(Pool2d.PoolKind.MAX, 2, 3, 2, 2, 0, 1, 1, 0, 1, 1, true, false)),
                Arguments.of(new Pool2d(Pool2d.PoolKind.AVERAGE, 3, 2, 2, 3, 1, 0, 2, 1, 1, 1, true, true)),
                Arguments.of(new Pool2d(Pool2d.PoolKind.MAX, 2, 2, 1, 1, 1, 1, 1, 1, 2, 2, false, false)));
    }

    @ParameterizedTest
    @MethodSource("poolCases")
    void pool(Pool2d p) {
        try (HostTensor x = random(random, H, 4, 2, 3, 9, 8);
             HostTensor y = run(device, OpSpec.of(p, x.type()), x)) {
            double[] ref = NpuReference.pool(x.toDoubleArray(), x.shape().dims(), p, y.shape().dims());
            double[] mag = new double[ref.length];
            java.util.Arrays.fill(mag, 4.0 * p.kernelH() * p.kernelW());
            assertHalfClose(p.toString(), ref, mag, y);
        }
    }

    @Test
    void globalAveragePool() {
        try (HostTensor x = random(random, H, 4, 2, 3, 5, 4);
             HostTensor y = run(device, OpSpec.of(new GlobalAveragePool(), x.type()), x)) {
            double[] xs = x.toDoubleArray();
            double[] ref = new double[6];
            for (int p = 0; p < 6; p++) {
                for (int i = 0; i < 20; i++) {
                    ref[p] += xs[p * 20 + i] / 20;
                }
            }
            assertEquals(TensorType.of(H, 2, 3, 1, 1), y.type());
            double[] mag = new double[6];
            java.util.Arrays.fill(mag, 4.0);
            assertHalfClose("GlobalAveragePool", ref, mag, y);
        }
    }

    static Stream<Arguments> softmaxCases() {
        return Stream.of(
                Arguments.of(new int[] {3, 7}, -1),
                Arguments.of(new int[] {2, 5, 3}, 1),
                Arguments.of(new int[] {4, 2}, 0),
                Arguments.of(new int[] {129}, 0));
    }

    @ParameterizedTest
    @MethodSource("softmaxCases")
    void softmax(int[] dims, int axis) {
        try (HostTensor x = random(random, H, 6, dims);
             HostTensor y = run(device, OpSpec.of(new Softmax(axis), x.type()), x)) {
            double[] ref = NpuReference.softmax(x.toDoubleArray(), dims, x.shape().normalizeAxis(axis));
            double[] mag = new double[ref.length];
            java.util.Arrays.fill(mag, 1.0);
            assertHalfClose("Softmax axis " + axis, ref, mag, y);
        }
    }
}
