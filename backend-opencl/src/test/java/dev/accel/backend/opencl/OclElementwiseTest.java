package dev.accel.backend.opencl;

import static dev.accel.backend.opencl.OclTestSupport.assertClose;
import static dev.accel.backend.opencl.OclTestSupport.of;
import static dev.accel.backend.opencl.OclTestSupport.random;
import static dev.accel.backend.opencl.OclTestSupport.run1;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Shape;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Lrn;
import dev.accel.hal.op.Sum;
import dev.accel.hal.op.Unary;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OclElementwiseTest {
    private static final DType[] FLOATS = {DType.F32, DType.F16, DType.BF16};
    private static OclDevice device;

    @BeforeAll
    static void open() {
        device = OclTestSupport.open();
    }

    @AfterAll
    static void close() {
        if (device != null) {
            device.close();
        }
    }

    static double erf(double x) {
        // Abramowitz-Stegun 7.1.26 is too coarse; integrate the series, exact to double for |x| < 6.
        double t = Math.abs(x);
        if (t > 6) {
            return Math.signum(x);
        }
        double sum = 0;
        double term = t;
        for (int n = 0; n < 200; n++) {
            sum += term / (2 * n + 1);
            term *= -t * t / (n + 1);
        }
        return Math.signum(x) * 2 / Math.sqrt(Math.PI) * sum;
    }

    private static double unaryRef(Unary u, double v) {
        return switch (u.kind()) {
            case RELU -> v < 0 ? 0 : v;
            case LEAKY_RELU -> v < 0 ? u.alpha() * v : v;
            case SIGMOID -> 1 / (1 + Math.exp(-v));
            case TANH -> Math.tanh(v);
            case GELU -> 0.5 * v * (1 + erf(v / Math.sqrt(2)));
            case GELU_TANH -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
            case ERF -> erf(v);
            case SQRT -> Math.sqrt(v);
            case EXP -> Math.exp(v);
            case CLIP -> v < u.alpha() ? u.alpha() : v > u.beta() ? u.beta() : v;
            case HARD_SIGMOID -> Math.max(0, Math.min(1, u.alpha() * v + u.beta()));
            case HARD_SWISH -> v * Math.max(0, Math.min(1, v / 6 + 0.5));
        };
    }

    @Test
    void everyUnaryKindInEveryFloatType() {
        Random r = new Random(3);
        for (Unary.Kind kind : Unary.Kind.values()) {
            Unary u = switch (kind) {
                case CLIP -> Unary.clip(-0.5f, 0.75f);
                case LEAKY_RELU -> Unary.leakyRelu(0.2f);
                default -> Unary.of(kind);
            };
            for (DType t : FLOATS) {
                for (int n : new int[] {1, 17, 127}) {
                    double lo = kind == Unary.Kind.SQRT ? 0 : -4;
                    HostTensor x = random(r, t, lo, 4, n);
                    double[] e = new double[n];
                    for (int i = 0; i < n; i++) {
                        e[i] = unaryRef(u, x.getDouble(i));
                    }
                    assertClose(e, run1(device, u, x), kind + " " + t + " n=" + n);
                }
            }
        }
    }

    @Test
    void specialValues() {
        HostTensor x = of(DType.F32, new int[] {4}, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0);
        assertClose(new double[] {Double.NaN, Double.POSITIVE_INFINITY, 0, 0}, run1(device, Unary.of(Unary.Kind.RELU), x),
                "relu");
        assertClose(new double[] {Double.NaN, 1, 0, 0.5}, run1(device, Unary.of(Unary.Kind.SIGMOID), x), "sigmoid");
        assertClose(new double[] {Double.NaN, 1, -1, 0}, run1(device, Unary.clip(-1, 1), x), "clip");
        assertClose(new double[] {Double.NaN, Double.POSITIVE_INFINITY, 0, 1}, run1(device, Unary.of(Unary.Kind.EXP), x),
                "exp");
        assertClose(new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NaN, 0},
                run1(device, Unary.of(Unary.Kind.SQRT), x), "sqrt");
    }

    private static DoubleBinaryOperator binaryRef(Binary.Kind k) {
        return switch (k) {
            case ADD -> Double::sum;
            case SUB -> (a, b) -> a - b;
            case MUL -> (a, b) -> a * b;
            case DIV -> (a, b) -> a / b;
            case POW -> Math::pow;
            case MAX -> (a, b) -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
            case MIN -> (a, b) -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b);
            case PRELU -> (a, b) -> a < 0 ? b * a : a;
        };
    }

    @Test
    void everyBinaryKindBroadcasts() {
        Random r = new Random(4);
        int[][][] shapes = {{{3, 1, 5}, {4, 1}}, {{2, 3}, {}}, {{17}, {17}}, {{2, 1, 3}, {1, 4, 1}}};
        for (Binary.Kind kind : Binary.Kind.values()) {
            for (DType t : FLOATS) {
                for (int[][] s : shapes) {
                    int[] as = s[0];
                    int[] bs = s[1];
                    if (kind == Binary.Kind.PRELU && !Shape.broadcast(Shape.of(as), Shape.of(bs)).equals(Shape.of(as))) {
                        continue;
                    }
                    boolean pow = kind == Binary.Kind.POW;
                    HostTensor a = random(r, t, pow ? 0.1 : -3, 3, as);
                    HostTensor b = random(r, t, pow ? -2 : -3, pow ? 2 : 3, bs);
                    Shape out = Shape.broadcast(a.shape(), b.shape());
                    double[] e = new double[(int) out.numel()];
                    for (int i = 0; i < e.length; i++) {
                        e[i] = binaryRef(kind).applyAsDouble(Ref.at(a, out, i), Ref.at(b, out, i));
                    }
                    HostTensor y = run1(device, new Binary(kind), a, b);
                    assertEquals(out, y.shape());
                    assertClose(e, y, kind + " " + t + " " + a.shape() + " " + b.shape());
                }
            }
        }
    }

    @Test
    void binaryNaNAndPowRules() {
        HostTensor a = of(DType.F32, new int[] {4}, Double.NaN, 1, -8, 2);
        HostTensor b = of(DType.F32, new int[] {4}, 1, Double.NaN, 1.0 / 3, 0);
        assertClose(new double[] {Double.NaN, Double.NaN, 1.0 / 3, 2}, run1(device, new Binary(Binary.Kind.MAX), a, b), "max");
        // C pow: pow(1, NaN) is 1, a negative base with a non-integer exponent is NaN.
        assertClose(new double[] {Double.NaN, 1, Double.NaN, 1}, run1(device, new Binary(Binary.Kind.POW), a, b), "pow");
    }

    @Test
    void sumOfThreeBroadcastInputs() {
        Random r = new Random(5);
        for (DType t : FLOATS) {
            HostTensor a = random(r, t, -1, 1, 2, 3, 4);
            HostTensor b = random(r, t, -1, 1, 3, 1);
            HostTensor c = random(r, t, -1, 1, 4);
            Shape out = Shape.of(2, 3, 4);
            double[] e = new double[24];
            for (int i = 0; i < 24; i++) {
                e[i] = Ref.at(a, out, i) + Ref.at(b, out, i) + Ref.at(c, out, i);
            }
            assertClose(e, run1(device, new Sum(), a, b, c), "sum " + t);
            assertClose(a.toDoubleArray(), run1(device, new Sum(), a), "sum of one " + t);
        }
    }

    @Test
    void batchNormPerChannel() {
        Random r = new Random(6);
        for (DType t : FLOATS) {
            HostTensor x = random(r, t, -2, 2, 2, 3, 5);
            HostTensor scale = random(r, t, 0.5, 2, 3);
            HostTensor bias = random(r, t, -1, 1, 3);
            HostTensor mean = random(r, t, -1, 1, 3);
            HostTensor var = random(r, t, 0.1, 2, 3);
            double[] e = new double[30];
            for (int i = 0; i < 30; i++) {
                int c = (i / 5) % 3;
                e[i] = (x.getDouble(i) - mean.getDouble(c)) / Math.sqrt(var.getDouble(c) + 1e-5) * scale.getDouble(c)
                        + bias.getDouble(c);
            }
            assertClose(e, run1(device, new BatchNorm(1e-5f), x, scale, bias, mean, var), "batchnorm " + t);
        }
    }

    @Test
    void lrnAcrossChannels() {
        Random r = new Random(7);
        for (int size : new int[] {1, 2, 3, 5}) {
            HostTensor x = random(r, DType.F32, -2, 2, 2, 6, 2, 3);
            Lrn op = new Lrn(size, 1e-2f, 0.75f, 1.5f);
            double[] e = new double[72];
            for (int i = 0; i < 72; i++) {
                int c = (i / 6) % 6;
                double s = 0;
                for (int k = Math.max(0, c - (size - 1) / 2); k <= Math.min(5, c + size / 2); k++) {
                    double v = x.getDouble(i + (long) (k - c) * 6);
                    s += v * v;
                }
                e[i] = x.getDouble(i) / Math.pow(1.5 + 1e-2 / size * s, 0.75);
            }
            assertClose(e, run1(device, op, x), "lrn size " + size);
        }
    }
}
