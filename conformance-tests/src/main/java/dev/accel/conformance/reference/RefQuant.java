package dev.accel.conformance.reference;

import dev.accel.hal.DType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.QuantizeLinear;

/**
 * Reference quantization ops (ONNX QuantizeLinear, DequantizeLinear, MatMulInteger, QLinearMatMul,
 * ConvInteger, QLinearConv). Integer accumulation is exact in double for the sizes the suite uses;
 * requantization divides in double and rounds half to even, then saturates.
 */
final class RefQuant {
    private RefQuant() {
    }

    /** {@code saturate(round_half_even(x / scale) + zero_point)}, per tensor or along {@code axis}. */
    static double[] quantize(QuantizeLinear q, double[][] in, int[][] dims, DType out) {
        double[] x = in[0];
        double[] scale = in[1];
        double[] zp = in.length > 2 ? in[2] : new double[] {0};
        int[] channel = channels(dims[0], q.axis());
        double[] y = new double[x.length];
        for (int e = 0; e < x.length; e++) {
            int c = channel == null ? 0 : channel[e];
            double s = scale[scale.length == 1 ? 0 : c];
            double z = zp[zp.length == 1 ? 0 : c];
            y[e] = RefMath.saturateRound(Math.rint(x[e] / s) + z, out);
        }
        return y;
    }

    /** {@code (x - zero_point) * scale}, per tensor or along {@code axis}. */
    static double[] dequantize(DequantizeLinear d, double[][] in, int[][] dims) {
        double[] x = in[0];
        double[] scale = in[1];
        double[] zp = in.length > 2 ? in[2] : new double[] {0};
        int[] channel = channels(dims[0], d.axis());
        double[] y = new double[x.length];
        for (int e = 0; e < x.length; e++) {
            int c = channel == null ? 0 : channel[e];
            y[e] = (x[e] - zp[zp.length == 1 ? 0 : c]) * scale[scale.length == 1 ? 0 : c];
        }
        return y;
    }

    /** The index along {@code axis} of every element, or null for a scalar. */
    private static int[] channels(int[] dims, int axis) {
        if (dims.length == 0) {
            return null;
        }
        int a = Index.axis(axis, dims.length);
        int inner = Index.product(dims, a + 1, dims.length);
        int n = Index.numel(dims);
        int[] c = new int[n];
        for (int e = 0; e < n; e++) {
            c[e] = (e / inner) % dims[a];
        }
        return c;
    }

    /** {@code (A - a_zero_point)(B - b_zero_point)}, b_zero_point per tensor or per column. */
    static double[] matMulInteger(double[][] in, int[][] dims) {
        double[] a = shift(in[0], in.length > 2 ? in[2] : null, 1);
        double[] b = shift(in[1], in.length > 3 ? in[3] : null, dims[1][dims[1].length - 1]);
        return RefLinalg.matmul(a, dims[0], b, dims[1]);
    }

    /** QLinearMatMul: inputs a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp. */
    static double[] qLinearMatMul(double[][] in, int[][] dims, DType out) {
        int[] bd = dims[3];
        int n = bd[bd.length - 1];
        double[] a = shift(in[0], in[2], 1);
        double[] b = shift(in[3], in[5], n);
        double[] acc = RefLinalg.matmul(a, dims[0], b, bd);
        double as = in[1][0];
        double[] bs = in[4];
        double ys = in[6][0];
        double yzp = in[7][0];
        double[] y = new double[acc.length];
        for (int e = 0; e < acc.length; e++) {
            int col = bd.length == 1 ? 0 : e % n;
            double real = acc[e] * as * bs[bs.length == 1 ? 0 : col];
            y[e] = RefMath.saturateRound(Math.rint(real / ys) + yzp, out);
        }
        return y;
    }

    /** ConvInteger: inputs x, w, optional x_zp (scalar), optional w_zp (scalar or per output channel). */
    static double[] convInteger(Conv2d g, double[][] in, int[][] dims) {
        double[] x = shift(in[0], in.length > 2 ? in[2] : null, 1);
        double[] w = shiftPerOutputChannel(in[1], dims[1], in.length > 3 ? in[3] : null);
        return RefLinalg.conv(g, x, dims[0], w, dims[1], null);
    }

    /** QLinearConv: inputs x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, optional bias (int32). */
    static double[] qLinearConv(Conv2d g, double[][] in, int[][] dims, DType out) {
        int[] wd = dims[3];
        int m = wd[0];
        double[] x = shift(in[0], in[2], 1);
        double[] w = shiftPerOutputChannel(in[3], wd, in[5]);
        double[] acc = RefLinalg.conv(g, x, dims[0], w, wd, in.length > 8 ? in[8] : null);
        double xs = in[1][0];
        double[] ws = in[4];
        double ys = in[6][0];
        double yzp = in[7][0];
        int plane = acc.length == 0 ? 1 : acc.length / (dims[0][0] * m);
        double[] y = new double[acc.length];
        for (int e = 0; e < acc.length; e++) {
            int oc = (e / plane) % m;
            double real = acc[e] * xs * ws[ws.length == 1 ? 0 : oc];
            y[e] = RefMath.saturateRound(Math.rint(real / ys) + yzp, out);
        }
        return y;
    }

    /** {@code v - zp}, with zp per tensor (one value) or per last-dimension column ({@code columns} values). */
    private static double[] shift(double[] v, double[] zp, int columns) {
        double[] r = v.clone();
        if (zp == null) {
            return r;
        }
        for (int e = 0; e < r.length; e++) {
            r[e] -= zp[zp.length == 1 ? 0 : e % columns];
        }
        return r;
    }

    private static double[] shiftPerOutputChannel(double[] w, int[] wd, double[] zp) {
        double[] r = w.clone();
        if (zp == null) {
            return r;
        }
        int per = wd[1] * wd[2] * wd[3];
        for (int e = 0; e < r.length; e++) {
            r[e] -= zp[zp.length == 1 ? 0 : e / per];
        }
        return r;
    }
}
