package dev.accel.backend.vulkan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Shape;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Lrn;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Sum;
import dev.accel.hal.op.Unary;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/** Unary, Binary (broadcasting), Sum, BatchNormalization and LRN against double references. */
class VulkanElementwiseTest extends VulkanTestSupport {
    private static final DType[] FLOATS = {DType.F32, DType.F16, DType.BF16};

    static double erf(double x) {
        // Abramowitz-Stegun 7.1.26 is too coarse for a reference; integrate the series / continued fraction instead.
        double ax = Math.abs(x);
        double r;
        if (Double.isNaN(x)) {
            return x;
        }
        if (ax > 10) {
            r = 1;
        } else if (ax < 3) {
            double sum = ax;
            double term = ax;
            for (int n = 1; n < 200; n++) {
                term *= 2 * ax * ax / (2 * n + 1);
                sum += term;
            }
            r = 2 / Math.sqrt(Math.PI) * Math.exp(-ax * ax) * sum;
        } else {
            // erfc continued fraction (Lentz), converges fast for x >= 3
            double f = ax;
            double c = ax;
            double d = 0;
            for (int n = 1; n < 200; n++) {
                double an = n / 2.0;
                d = ax + an * d;
                d = 1 / d;
                c = ax + an / c;
                f *= c * d;
            }
            r = 1 - Math.exp(-ax * ax) / (f * Math.sqrt(Math.PI));
        }
        return x < 0 ? -r : r;
    }

    static double unaryRef(Unary u, double x) {
        return switch (u.kind()) {
            case RELU -> Double.isNaN(x) ? x : Math.max(0, x);
            case LEAKY_RELU -> x < 0 ? u.alpha() * x : x;
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case TANH -> Math.tanh(x);
            case GELU -> 0.5 * x * (1 + erf(x / Math.sqrt(2)));
            case GELU_TANH -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            case ERF -> erf(x);
            case SQRT -> Math.sqrt(x);
            case EXP -> Math.exp(x);
            case CLIP -> Math.min(Math.max(x, u.alpha()), u.beta());
            case HARD_SIGMOID -> Math.max(0, Math.min(1, u.alpha() * x + u.beta()));
            case HARD_SWISH -> x * Math.max(0, Math.min(1, x / 6 + 0.5));
        };
    }

    @Test
    void everyUnaryKindInEveryFloatType() {
        Random rnd = new Random(7);
        Unary[] ops = {Unary.of(Unary.Kind.RELU), Unary.leakyRelu(0.1f), Unary.of(Unary.Kind.SIGMOID),
                Unary.of(Unary.Kind.TANH), Unary.of(Unary.Kind.GELU), Unary.of(Unary.Kind.GELU_TANH),
                Unary.of(Unary.Kind.ERF), Unary.of(Unary.Kind.SQRT), Unary.of(Unary.Kind.EXP), Unary.clip(-0.5f, 0.75f),
                Unary.hardSigmoid(0.3f, 0.4f), Unary.of(Unary.Kind.HARD_SWISH)};
        for (DType dt : FLOATS) {
            for (Unary u : ops) {
                double lo = u.kind() == Unary.Kind.SQRT ? 0 : -6;
                for (int n : new int[] {1, 127, 1000}) {
                    HostTensor x = random(rnd, dt, lo, 6, n);
                    HostTensor y = run(u, x)[0];
                    double[] want = new double[n];
                    for (int i = 0; i < n; i++) {
                        want[i] = unaryRef(u, x.getDouble(i));
                    }
                    assertClose(u.kind() + " n=" + n, want, y);
                }
            }
        }
    }

    @Test
    void unarySpecialValues() {
        HostTensor x = tensor(DType.F32, new int[] {8}, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0,
                -0.0, 1e-30, -40, 40);
        for (Unary u : new Unary[] {Unary.of(Unary.Kind.RELU), Unary.of(Unary.Kind.TANH), Unary.of(Unary.Kind.SIGMOID),
                Unary.of(Unary.Kind.EXP), Unary.of(Unary.Kind.ERF)}) {
            HostTensor y = run(u, x)[0];
            double[] want = new double[8];
            for (int i = 0; i < 8; i++) {
                want[i] = unaryRef(u, x.getDouble(i));
            }
            assertClose(u.kind() + " special values", want, y);
        }
    }

    static double binaryRef(Binary.Kind k, double a, double b) {
        return switch (k) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> cPow(a, b);
            case MAX -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
            case MIN -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b);
            case PRELU -> a < 0 ? b * a : a;
        };
    }

    /** C's pow: like Java's except pow(1, y) = 1 for any y, NaN included. */
    static double cPow(double a, double b) {
        return a == 1 ? 1 : Math.pow(a, b);
    }

    /** numpy broadcasting reference of a binary function. */
    static double[] broadcast(HostTensor a, HostTensor b, Shape out, DoubleBinaryOperator f) {
        long[] sa = a.shape().broadcastStrides(out);
        long[] sb = b.shape().broadcastStrides(out);
        int[] dims = out.dims();
        double[] r = new double[(int) out.numel()];
        for (int i = 0; i < r.length; i++) {
            long rem = i;
            long ia = 0;
            long ib = 0;
            for (int d = dims.length - 1; d >= 0; d--) {
                long c = rem % dims[d];
                rem /= dims[d];
                ia += c * sa[d];
                ib += c * sb[d];
            }
            r[i] = f.applyAsDouble(a.getDouble(ia), b.getDouble(ib));
        }
        return r;
    }

    @Test
    void everyBinaryKindWithBroadcasting() {
        Random rnd = new Random(11);
        int[][][] shapes = {
            {{17}, {17}}, {{3, 1, 5}, {4, 1}}, {{1}, {2, 3}}, {{}, {127}}, {{2, 3, 4, 5}, {3, 1, 5}}, {{1, 1, 1, 1, 1, 2, 1, 3, 1, 2}, {2, 1}}};
        for (DType dt : FLOATS) {
            for (Binary.Kind k : Binary.Kind.values()) {
                for (int[][] sh : shapes) {
                    if (k == Binary.Kind.PRELU && !Shape.broadcast(Shape.of(sh[0]), Shape.of(sh[1])).equals(Shape.of(sh[0]))) {
                        continue;
                    }
                    boolean pow = k == Binary.Kind.POW;
                    HostTensor a = random(rnd, dt, pow ? 0.1 : -4, 4, sh[0]);
                    HostTensor b = random(rnd, dt, pow ? -2 : -4, pow ? 2 : 4, sh[1]);
                    if (k == Binary.Kind.DIV) {
                        for (long i = 0; i < b.numel(); i++) {
                            b.setDouble(i, Math.copySign(Math.abs(b.getDouble(i)) + 0.5, b.getDouble(i)));
                        }
                    }
                    HostTensor y = run(new Binary(k), a, b)[0];
                    assertClose(k + " " + a.shape() + " " + b.shape(), broadcast(a, b, y.shape(), (p, q) -> binaryRef(k, p, q)), y);
                }
            }
        }
    }

    @Test
    void powFollowsC() {
        HostTensor a = tensor(DType.F32, new int[] {8}, -2, -2, -8, 0, 0, 1, Double.NaN, -0.0);
        HostTensor b = tensor(DType.F32, new int[] {8}, 3, 0.5, 1.0 / 3, -1, 2, Double.NaN, 0, 3);
        HostTensor y = run(new Binary(Binary.Kind.POW), a, b)[0];
        assertClose("pow", broadcast(a, b, y.shape(), VulkanElementwiseTest::cPow), y);
        assertEquals(1.0, y.getDouble(5), "pow(1, NaN) is 1 in C");
        assertTrue(Double.doubleToRawLongBits(y.getDouble(7)) < 0, "pow(-0, 3) is -0, got " + y.getDouble(7));
    }

    @Test
    void sumOfOneToFourInputs() {
        Random rnd = new Random(3);
        for (DType dt : new DType[] {DType.F32, DType.F16}) {
            int[][] shapes = {{4, 5}, {5}, {4, 1}, {1}};
            for (int n = 1; n <= 4; n++) {
                HostTensor[] in = new HostTensor[n];
                for (int i = 0; i < n; i++) {
                    in[i] = random(rnd, dt, -3, 3, shapes[i]);
                }
                HostTensor y = run(new Sum(), in)[0];
                double[] want = new double[(int) y.numel()];
                for (HostTensor t : in) {
                    HostTensor acc = HostTensor.fromDoubles(DType.F32, y.shape(), want);
                    want = broadcast(acc, t, y.shape(), Double::sum);
                }
                assertClose("Sum of " + n, want, y);
            }
        }
    }

    @Test
    void batchNormalization() {
        Random rnd = new Random(5);
        for (DType dt : FLOATS) {
            for (int[] dims : new int[][] {{2, 3, 4, 5}, {3, 7}, {1, 1, 1}}) {
                int c = dims[1];
                HostTensor x = random(rnd, dt, -2, 2, dims);
                HostTensor scale = random(rnd, dt, 0.5, 2, c);
                HostTensor bias = random(rnd, dt, -1, 1, c);
                HostTensor mean = random(rnd, dt, -1, 1, c);
                HostTensor var = random(rnd, dt, 0.1, 2, c);
                HostTensor y = run(new BatchNorm(1e-5f), x, scale, bias, mean, var)[0];
                long inner = x.shape().product(2, dims.length);
                double[] want = new double[(int) x.numel()];
                for (int i = 0; i < want.length; i++) {
                    int ch = (int) ((i / inner) % c);
                    want[i] = (x.getDouble(i) - mean.getDouble(ch)) / Math.sqrt(var.getDouble(ch) + 1e-5) * scale.getDouble(ch)
                            + bias.getDouble(ch);
                }
                assertClose("BatchNorm " + x.shape(), want, y);
            }
        }
    }

    @Test
    void localResponseNormalization() {
        Random rnd = new Random(9);
        for (int size : new int[] {1, 2, 3, 5}) {
            HostTensor x = random(rnd, DType.F32, -2, 2, 2, 7, 3, 3);
            Lrn op = new Lrn(size, 1e-2f, 0.75f, 1.5f);
            HostTensor y = run(op, x)[0];
            int cN = 7;
            int hw = 9;
            double[] want = new double[(int) x.numel()];
            for (int i = 0; i < want.length; i++) {
                int c = (i / hw) % cN;
                int base = i - c * hw;
                double s = 0;
                for (int k = Math.max(0, c - (size - 1) / 2); k <= Math.min(cN - 1, c + (size - 1 + 1) / 2); k++) {
                    double v = x.getDouble(base + (long) k * hw);
                    s += v * v;
                }
                want[i] = x.getDouble(i) / Math.pow(1.5 + 1e-2 / size * s, 0.75);
            }
            assertClose("LRN size " + size, want, y);
        }
    }

    @Test
    void emptyTensorsRunAndHalfTypesReportTheirRoute() {
        HostTensor x = HostTensor.allocate(DType.F32, 0, 3);
        assertEquals(0, run(Unary.of(Unary.Kind.EXP), x)[0].numel());
        Support bf = device.capabilities().support(OpSpec.of(Unary.of(Unary.Kind.EXP), TensorType.of(DType.BF16, 4)));
        assertEquals(Support.Level.EMULATED, bf.level(), bf.toString());
        assertTrue(bf.reason().contains("bfloat16"), bf.reason());
        Support f16 = device.capabilities().support(OpSpec.of(Unary.of(Unary.Kind.EXP), TensorType.of(DType.F16, 4)));
        assertEquals(device.features().shaderFloat16() ? Support.Level.NATIVE : Support.Level.EMULATED, f16.level(), f16.toString());
    }

    static double[] map(HostTensor x, DoubleUnaryOperator f) {
        double[] r = new double[(int) x.numel()];
        for (int i = 0; i < r.length; i++) {
            r[i] = f.applyAsDouble(x.getDouble(i));
        }
        return r;
    }
}
