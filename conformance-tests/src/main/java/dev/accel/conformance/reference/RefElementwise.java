package dev.accel.conformance.reference;

import dev.accel.hal.DType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Unary;

/** Reference unary and binary elementwise ops, variadic Sum and Cast. */
final class RefElementwise {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final double SQRT_2 = Math.sqrt(2.0);

    private RefElementwise() {
    }

    static double[] unary(Unary u, double[] x) {
        double[] y = new double[x.length];
        double alpha = u.alpha();
        double beta = u.beta();
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            y[i] = switch (u.kind()) {
                case RELU -> v > 0 ? v : 0.0;
                case LEAKY_RELU -> v < 0 ? alpha * v : v;
                case SIGMOID -> 1.0 / (1.0 + Math.exp(-v));
                case TANH -> Math.tanh(v);
                case GELU -> gelu(v);
                case GELU_TANH -> 0.5 * v * (1.0 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
                case ERF -> RefMath.erf(v);
                case SQRT -> Math.sqrt(v);
                case EXP -> Math.exp(v);
                case CLIP -> Double.isNaN(v) ? v : Math.max(alpha, Math.min(beta, v));
                case HARD_SIGMOID -> Math.max(0.0, Math.min(1.0, alpha * v + beta));
                case HARD_SWISH -> v * Math.max(0.0, Math.min(1.0, v / 6.0 + 0.5));
            };
        }
        return y;
    }

    /** {@code 0.5 x (1 + erf(x / sqrt 2))}, through erfc on the negative side to avoid cancellation. */
    static double gelu(double x) {
        double z = x / SQRT_2;
        double onePlusErf = z < 0 ? RefMath.erfc(-z) : 1.0 + RefMath.erf(z);
        return 0.5 * x * onePlusErf;
    }

    static double[] binary(Binary.Kind kind, double[] a, int[] ad, double[] b, int[] bd) {
        int[] out = Index.broadcast(ad, bd);
        int[] ma = Index.broadcastMap(ad, out);
        int[] mb = Index.broadcastMap(bd, out);
        double[] y = new double[ma.length];
        for (int i = 0; i < y.length; i++) {
            double x1 = a[ma[i]];
            double x2 = b[mb[i]];
            y[i] = switch (kind) {
                case ADD -> x1 + x2;
                case SUB -> x1 - x2;
                case MUL -> x1 * x2;
                case DIV -> x1 / x2;
                case POW -> Math.pow(x1, x2);
                case MAX -> Double.isNaN(x1) || Double.isNaN(x2) ? Double.NaN : Math.max(x1, x2);
                case MIN -> Double.isNaN(x1) || Double.isNaN(x2) ? Double.NaN : Math.min(x1, x2);
                case PRELU -> x1 < 0 ? x2 * x1 : x1;
            };
        }
        return y;
    }

    static double[] sum(double[][] in, int[][] dims) {
        int[] out = dims[0];
        for (int i = 1; i < dims.length; i++) {
            out = Index.broadcast(out, dims[i]);
        }
        double[] y = new double[Index.numel(out)];
        for (int i = 0; i < in.length; i++) {
            int[] m = Index.broadcastMap(dims[i], out);
            for (int e = 0; e < y.length; e++) {
                y[e] += in[i][m[e]];
            }
        }
        return y;
    }

    static double[] cast(double[] x, DType from, DType to) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = RefMath.cast(x[i], from, to);
        }
        return y;
    }
}
