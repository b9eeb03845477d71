package dev.accel.backend.npu;

import static dev.accel.backend.npu.NpuTestSupport.assertQuantized;
import static dev.accel.backend.npu.NpuTestSupport.random;
import static dev.accel.backend.npu.NpuTestSupport.randomInts;
import static dev.accel.backend.npu.NpuTestSupport.run;
import static dev.accel.backend.npu.NpuTestSupport.scalar;
import static dev.accel.backend.npu.NpuTestSupport.vector;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;
import dev.accel.hal.op.QuantizeLinear;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The NPU's 8-bit ops against float64 references: the integer accumulation is exact, so each
 * output must equal the ONNX quantization of the exact real result (round half to even, saturate).
 */
class NpuQuantizedOpsTest {
    private static NpuDevice device;
    private final Random random = new Random(99);

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
                Arguments.of("int8, per tensor, bias", Conv2d.of(1, 1, 1), DType.I8, DType.I8, DType.I8, false, true,
                        new int[] {1, 3, 6, 6}, new int[] {4, 3, 3, 3}),
                Arguments.of("uint8 x, per-channel int8 w, uint8 y", new Conv2d(2, 1, 0, 1, 1, 0, 1, 1, 1), DType.U8,
                        DType.I8, DType.U8, true, false, new int[] {2, 2, 7, 6}, new int[] {3, 2, 3, 2}),
                Arguments.of("depthwise, per channel, stride 2", Conv2d.of(2, 1, 4), DType.I8, DType.I8, DType.I8, true,
                        true, new int[] {1, 4, 9, 9}, new int[] {4, 1, 3, 3}),
                Arguments.of("2 groups, dilation 2", new Conv2d(1, 1, 2, 2, 2, 2, 2, 2, 2), DType.U8, DType.U8, DType.I8,
                        true, true, new int[] {1, 4, 6, 6}, new int[] {4, 2, 3, 3}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convCases")
    void qlinearConv(String name, Conv2d c, DType xt, DType wt, DType yt, boolean perChannel, boolean bias, int[] xd,
                     int[] wd) {
        int m = wd[0];
        double xs = 0.05, ys = 0.02;
        double[] ws = new double[m];
        double[] wz = new double[m];
        for (int o = 0; o < m; o++) {
            ws[o] = perChannel ? 0.01 + 0.007 * o : 0.015;
            wz[o] = perChannel ? (wt == DType.I8 ? o - 1 : 120 + o) : (wt == DType.I8 ? 2 : 128);
        }
        int xz = xt == DType.I8 ? -3 : 130;
        int yz = yt == DType.I8 ? 5 : 120;
        HostTensor x = xt == DType.I8 ? randomInts(random, xt, -60, 60, xd) : randomInts(random, xt, 70, 190, xd);
        HostTensor w = wt == DType.I8 ? randomInts(random, wt, -20, 20, wd) : randomInts(random, wt, 108, 148, wd);
        List<HostTensor> in = new ArrayList<>(List.of(x, scalar(DType.F32, xs), scalar(xt, xz), w,
                perChannel ? vector(DType.F32, ws) : scalar(DType.F32, ws[0]),
                perChannel ? vector(wt, wz) : scalar(wt, wz[0]), scalar(DType.F32, ys), scalar(yt, yz)));
        HostTensor b = bias ? randomInts(random, DType.I32, -3000, 3000, m) : null;
        if (b != null) {
            in.add(b);
        }
        OpSpec spec = OpSpec.of(new QLinearConv(c), in.stream().map(HostTensor::type).toList());
        try (HostTensor y = run(device, spec, in.toArray(HostTensor[]::new))) {
            // Integer reference: (x - xz) * (w - wz[o]) summed exactly, then scaled.
            double[] xv = x.toDoubleArray();
            for (int i = 0; i < xv.length; i++) {
                xv[i] -= xz;
            }
            double[] wv = w.toDoubleArray();
            int per = wd[1] * wd[2] * wd[3];
            for (int i = 0; i < wv.length; i++) {
                wv[i] -= wz[i / per];
            }
            double[] acc = NpuReference.conv(xv, xd, wv, wd, b == null ? null : b.toDoubleArray(), c,
                    y.shape().dims()).values();
            int plane = y.shape().dim(2) * y.shape().dim(3);
            double[] real = new double[acc.length];
            double[] scale = new double[acc.length];
            int[] zero = new int[acc.length];
            for (int i = 0; i < acc.length; i++) {
                int o = (i / plane) % m;
                real[i] = acc[i] * (float) xs * (float) ws[o];
                scale[i] = (float) ys;
                zero[i] = yz;
            }
            assertQuantized("QLinearConv " + name, real, scale, zero, y);
        }
        in.forEach(HostTensor::close);
    }

    @Test
    void qlinearMatMulPerColumn() {
        HostTensor a = randomInts(random, DType.U8, 0, 255, 3, 5);
        HostTensor b = randomInts(random, DType.I8, -128, 127, 5, 4);
        double[] bs = {0.002, 0.004, 0.001, 0.003};
        double[] bz = {0, 1, -2, 3};
        checkMatMul(a, 0.05, 128, b, bs, bz, DType.U8, 0.5, 128, new int[] {3, 5}, new int[] {5, 4});
    }

    @Test
    void qlinearMatMulBatchedPerTensorAndOneDimensional() {
        HostTensor a = randomInts(random, DType.I8, -100, 100, 2, 3, 5);
        HostTensor b = randomInts(random, DType.I8, -100, 100, 5, 2);
        checkMatMul(a, 0.02, -1, b, new double[] {0.03}, new double[] {0}, DType.I8, 0.4, 3, new int[] {2, 3, 5},
                new int[] {5, 2});
        HostTensor v = randomInts(random, DType.I8, -100, 100, 5);
        HostTensor b2 = randomInts(random, DType.I8, -100, 100, 5, 3);
        checkMatMul(v, 0.02, 0, b2, new double[] {0.03}, new double[] {1}, DType.I8, 0.3, 0, new int[] {1, 5},
                new int[] {5, 3});
    }

    private void checkMatMul(HostTensor a, double as, int az, HostTensor b, double[] bs, double[] bz, DType yt, double ys,
                             int yz, int[] an, int[] bn) {
        boolean perColumn = bs.length > 1;
        List<HostTensor> in = List.of(a, scalar(DType.F32, as), scalar(a.dtype(), az), b,
                perColumn ? vector(DType.F32, bs) : scalar(DType.F32, bs[0]),
                perColumn ? vector(b.dtype(), bz) : scalar(b.dtype(), bz[0]), scalar(DType.F32, ys), scalar(yt, yz));
        OpSpec spec = OpSpec.of(new QLinearMatMul(), in.stream().map(HostTensor::type).toList());
        try (HostTensor y = run(device, spec, in.toArray(HostTensor[]::new))) {
            double[] av = a.toDoubleArray();
            for (int i = 0; i < av.length; i++) {
                av[i] -= az;
            }
            double[] bv = b.toDoubleArray();
            int n = bn[bn.length - 1];
            for (int i = 0; i < bv.length; i++) {
                bv[i] -= bz[perColumn ? i % n : 0];
            }
            double[] acc = NpuReference.matmul(av, an, bv, bn).values();
            double[] real = new double[acc.length];
            double[] scale = new double[acc.length];
            int[] zero = new int[acc.length];
            for (int i = 0; i < acc.length; i++) {
                real[i] = acc[i] * (float) as * (float) bs[perColumn ? i % n : 0];
                scale[i] = (float) ys;
                zero[i] = yz;
            }
            assertQuantized("QLinearMatMul", real, scale, zero, y);
        }
        in.forEach(HostTensor::close);
    }

    @Test
    void quantizeLinearPerTensorPerAxisAndDefaultZeroPoint() {
        try (HostTensor x = random(random, DType.F16, 8, 2, 3, 4); HostTensor s = scalar(DType.F32, 0.05);
             HostTensor z = scalar(DType.I8, -3);
             HostTensor y = run(device, OpSpec.of(new QuantizeLinear(0), x.type(), s.type(), z.type()), x, s, z)) {
            double[] xv = x.toDoubleArray();
            double[] scale = new double[xv.length];
            int[] zero = new int[xv.length];
            java.util.Arrays.fill(scale, (float) 0.05);
            java.util.Arrays.fill(zero, -3);
            assertQuantized("QuantizeLinear per tensor", xv, scale, zero, y);

            double[] axisScales = {0.02, 0.05, 0.1};
            double[] axisZeros = {128, 100, 0};
            try (HostTensor s3 = vector(DType.F32, axisScales); HostTensor z3 = vector(DType.U8, axisZeros);
                 HostTensor y3 = run(device, OpSpec.of(new QuantizeLinear(1), x.type(), s3.type(), z3.type()), x, s3,
                         z3)) {
                for (int i = 0; i < xv.length; i++) {
                    int ch = (i / 4) % 3;
                    scale[i] = (float) axisScales[ch];
                    zero[i] = (int) axisZeros[ch];
                }
                assertQuantized("QuantizeLinear axis 1", xv, scale, zero, y3);
            }
            try (HostTensor y0 = run(device, OpSpec.of(new QuantizeLinear(0), x.type(), s.type()), x, s)) {
                java.util.Arrays.fill(scale, (float) 0.05);
                java.util.Arrays.fill(zero, 0);
                assertQuantized("QuantizeLinear without zero point (uint8)", xv, scale, zero, y0);
            }
        }
    }

    @Test
    void quantizeLinearRoundsHalfToEvenAndSaturates() {
        double[] x = {0.125, 0.375, -0.125, -0.375, 0.625, 1000, -1000, 0.376};
        int[] want = {0, 2, 0, -2, 2, 127, -128, 2};
        try (HostTensor xt = vector(DType.F16, x); HostTensor s = scalar(DType.F32, 0.25);
             HostTensor z = scalar(DType.I8, 0);
             HostTensor y = run(device, OpSpec.of(new QuantizeLinear(0), xt.type(), s.type(), z.type()), xt, s, z)) {
            for (int i = 0; i < x.length; i++) {
                org.junit.jupiter.api.Assertions.assertEquals(want[i], (int) y.getDouble(i), "element " + i + " = "
                        + xt.getDouble(i) + " / 0.25");
            }
        }
    }
}
