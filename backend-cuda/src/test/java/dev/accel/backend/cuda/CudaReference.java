package dev.accel.backend.cuda;

import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Pad;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Unary;
import java.util.ArrayList;
import java.util.List;

/**
 * A float64 reference of the elementwise, layout, normalisation and pooling ops, written
 * directly from the op records' Javadoc (ONNX semantics) and independent of the kernels: plain
 * loops over row-major index tuples. Tests compare both the GPU and the plan emulator with it.
 */
final class CudaReference {
    private CudaReference() {
    }

    static int numel(int[] d) {
        int n = 1;
        for (int v : d) {
            n *= v;
        }
        return n;
    }

    static int[] unravel(int i, int[] d) {
        int[] idx = new int[d.length];
        for (int k = d.length - 1; k >= 0; k--) {
            idx[k] = d[k] == 0 ? 0 : i % d[k];
            i = d[k] == 0 ? 0 : i / d[k];
        }
        return idx;
    }

    static int ravel(int[] idx, int[] d) {
        int r = 0;
        for (int k = 0; k < d.length; k++) {
            r = r * d[k] + idx[k];
        }
        return r;
    }

    /** Flat index into a tensor of dims {@code d} read broadcast at output index {@code out} (right-aligned). */
    static int broadcastIndex(int[] out, int[] d) {
        int r = 0;
        int off = out.length - d.length;
        for (int k = 0; k < d.length; k++) {
            r = r * d[k] + (d[k] == 1 ? 0 : out[k + off]);
        }
        return r;
    }

    static double unary(Unary u, double v) {
        double a = u.alpha();
        double b = u.beta();
        return switch (u.kind()) {
            case RELU -> v > 0 ? v : 0;
            case LEAKY_RELU -> v < 0 ? a * v : v;
            case SIGMOID -> 1 / (1 + Math.exp(-v));
            case TANH -> Math.tanh(v);
            case GELU -> 0.5 * v * (1 + erf(v / Math.sqrt(2)));
            case GELU_TANH -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
            case ERF -> erf(v);
            case SQRT -> Math.sqrt(v);
            case EXP -> Math.exp(v);
            case CLIP -> Double.isNaN(v) ? v : Math.max(a, Math.min(b, v));
            case HARD_SIGMOID -> Math.max(0, Math.min(1, a * v + b));
            case HARD_SWISH -> v * Math.max(0, Math.min(1, v / 6 + 0.5));
        };
    }

    /** erf by its Maclaurin series near 0 and the continued fraction of erfc beyond; about 1e-14 accurate. */
    static double erf(double x) {
        double ax = Math.abs(x);
        if (ax < 2.5) {
            double sum = 0;
            double term = ax;
            for (int n = 0; n < 200; n++) {
                double t = term / (2 * n + 1);
                sum += t;
                if (Math.abs(t) < 1e-17 * Math.abs(sum)) {
                    break;
                }
                term *= -ax * ax / (n + 1);
            }
            return Math.copySign(2 / Math.sqrt(Math.PI) * sum, x);
        }
        double f = ax;
        for (int k = 60; k >= 1; k--) {
            f = ax + (k / 2.0) / f;
        }
        double erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        return Math.copySign(1 - erfc, x);
    }

    static double binary(Binary.Kind k, double x, double y) {
        return switch (k) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case POW -> Math.pow(x, y);
            case MAX -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.max(x, y);
            case MIN -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.min(x, y);
            case PRELU -> x < 0 ? y * x : x;
        };
    }

    static double[] binary(Binary.Kind k, double[] a, int[] ad, double[] b, int[] bd, int[] od) {
        double[] y = new double[numel(od)];
        for (int i = 0; i < y.length; i++) {
            int[] idx = unravel(i, od);
            y[i] = binary(k, a[broadcastIndex(idx, ad)], b[broadcastIndex(idx, bd)]);
        }
        return y;
    }

    static double[] sum(List<double[]> xs, List<int[]> dims, int[] od) {
        double[] y = new double[numel(od)];
        for (int i = 0; i < y.length; i++) {
            int[] idx = unravel(i, od);
            for (int j = 0; j < xs.size(); j++) {
                y[i] += xs.get(j)[broadcastIndex(idx, dims.get(j))];
            }
        }
        return y;
    }

    static double[] transpose(double[] x, int[] xd, int[] perm) {
        int[] od = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            od[i] = xd[perm[i]];
        }
        double[] y = new double[x.length];
        for (int i = 0; i < y.length; i++) {
            int[] o = unravel(i, od);
            int[] src = new int[xd.length];
            for (int k = 0; k < perm.length; k++) {
                src[perm[k]] = o[k];
            }
            y[i] = x[ravel(src, xd)];
        }
        return y;
    }

    static double[] slice(double[] x, int[] xd, Slice.Range[] r) {
        int[] od = new int[r.length];
        for (int k = 0; k < r.length; k++) {
            od[k] = r[k].count();
        }
        double[] y = new double[numel(od)];
        for (int i = 0; i < y.length; i++) {
            int[] o = unravel(i, od);
            int[] src = new int[xd.length];
            for (int k = 0; k < xd.length; k++) {
                src[k] = r[k].start() + o[k] * r[k].step();
            }
            y[i] = x[ravel(src, xd)];
        }
        return y;
    }

    static double[] concat(List<double[]> xs, List<int[]> dims, int axis) {
        int[] od = dims.getFirst().clone();
        od[axis] = 0;
        for (int[] d : dims) {
            od[axis] += d[axis];
        }
        double[] y = new double[numel(od)];
        for (int i = 0; i < y.length; i++) {
            int[] o = unravel(i, od);
            int j = 0;
            int at = o[axis];
            while (at >= dims.get(j)[axis]) {
                at -= dims.get(j)[axis];
                j++;
            }
            int[] src = o.clone();
            src[axis] = at;
            y[i] = xs.get(j)[ravel(src, dims.get(j))];
        }
        return y;
    }

    static List<double[]> split(double[] x, int[] xd, int axis, List<Integer> sizes) {
        List<double[]> out = new ArrayList<>();
        int at = 0;
        for (int s : sizes) {
            int[] od = xd.clone();
            od[axis] = s;
            double[] y = new double[numel(od)];
            for (int i = 0; i < y.length; i++) {
                int[] o = unravel(i, od);
                o[axis] += at;
                y[i] = x[ravel(o, xd)];
            }
            out.add(y);
            at += s;
        }
        return out;
    }

    static double[] pad(double[] x, int[] xd, Pad p, double fill) {
        int r = xd.length;
        int[] od = new int[r];
        for (int k = 0; k < r; k++) {
            od[k] = xd[k] + p.pads().get(k) + p.pads().get(k + r);
        }
        double[] y = new double[numel(od)];
        for (int i = 0; i < y.length; i++) {
            int[] o = unravel(i, od);
            int[] src = new int[r];
            boolean outside = false;
            for (int k = 0; k < r; k++) {
                int c = o[k] - p.pads().get(k);
                if (c < 0 || c >= xd[k]) {
                    switch (p.mode()) {
                        case CONSTANT -> outside = true;
                        case EDGE -> c = c < 0 ? 0 : xd[k] - 1;
                        case REFLECT -> c = c < 0 ? -c : 2 * (xd[k] - 1) - c;
                    }
                }
                src[k] = c;
            }
            y[i] = outside ? fill : x[ravel(src, xd)];
        }
        return y;
    }

    static double[] softmax(double[] x, int[] xd, int axis) {
        int outer = numel(java.util.Arrays.copyOfRange(xd, 0, axis));
        int len = xd[axis];
        int inner = numel(java.util.Arrays.copyOfRange(xd, axis + 1, xd.length));
        double[] y = new double[x.length];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                double mx = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < len; j++) {
                    mx = Math.max(mx, x[(o * len + j) * inner + in]);
                }
                double s = 0;
                for (int j = 0; j < len; j++) {
                    s += Math.exp(x[(o * len + j) * inner + in] - mx);
                }
                for (int j = 0; j < len; j++) {
                    y[(o * len + j) * inner + in] = Math.exp(x[(o * len + j) * inner + in] - mx) / s;
                }
            }
        }
        return y;
    }

    static double[] layerNorm(double[] x, int[] xd, int axis, double eps, double[] scale, int[] sd, double[] bias, int[] bd) {
        int[] nd = java.util.Arrays.copyOfRange(xd, axis, xd.length);
        int cols = numel(nd);
        int rows = cols == 0 ? 0 : x.length / cols;
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int j = 0; j < cols; j++) {
                mean += x[r * cols + j];
            }
            mean /= cols;
            double var = 0;
            for (int j = 0; j < cols; j++) {
                var += (x[r * cols + j] - mean) * (x[r * cols + j] - mean);
            }
            var /= cols;
            for (int j = 0; j < cols; j++) {
                int[] idx = unravel(j, nd);
                double v = (x[r * cols + j] - mean) / Math.sqrt(var + eps) * scale[broadcastIndex(idx, sd)];
                y[r * cols + j] = bias == null ? v : v + bias[broadcastIndex(idx, bd)];
            }
        }
        return y;
    }

    static double[] reduceMean(double[] x, int[] xd, int[] axes) {
        boolean[] red = new boolean[xd.length];
        for (int a : axes) {
            red[a] = true;
        }
        List<Integer> kept = new ArrayList<>();
        int count = 1;
        for (int k = 0; k < xd.length; k++) {
            if (red[k]) {
                count *= xd[k];
            } else {
                kept.add(xd[k]);
            }
        }
        int[] od = kept.stream().mapToInt(Integer::intValue).toArray();
        double[] y = new double[numel(od)];
        for (int i = 0; i < x.length; i++) {
            int[] idx = unravel(i, xd);
            int[] o = new int[od.length];
            for (int k = 0, q = 0; k < xd.length; k++) {
                if (!red[k]) {
                    o[q++] = idx[k];
                }
            }
            y[ravel(o, od)] += x[i];
        }
        for (int i = 0; i < y.length; i++) {
            y[i] /= count;
        }
        return y;
    }

    static double[] batchNorm(double[] x, int[] xd, double[] scale, double[] bias, double[] mean, double[] var, double eps) {
        int inner = numel(java.util.Arrays.copyOfRange(xd, 2, xd.length));
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int c = (i / inner) % xd[1];
            y[i] = (x[i] - mean[c]) / Math.sqrt(var[c] + eps) * scale[c] + bias[c];
        }
        return y;
    }

    static double[] lrn(double[] x, int[] xd, int size, double alpha, double beta, double bias) {
        int plane = xd[2] * xd[3];
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int c = (i / plane) % xd[1];
            int base = i - c * plane;
            double sq = 0;
            for (int k = Math.max(0, c - (size - 1) / 2); k <= Math.min(xd[1] - 1, c + size / 2); k++) {
                sq += x[base + k * plane] * x[base + k * plane];
            }
            y[i] = x[i] / Math.pow(bias + alpha / size * sq, beta);
        }
        return y;
    }

    static double[] pool(Pool2d p, double[] x, int[] xd, int oh, int ow) {
        int planes = xd[0] * xd[1];
        int h = xd[2];
        int w = xd[3];
        double[] y = new double[planes * oh * ow];
        for (int pl = 0; pl < planes; pl++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double acc = p.kind() == Pool2d.PoolKind.MAX ? Double.NEGATIVE_INFINITY : 0;
                    int real = 0;
                    int padded = 0;
                    for (int r = 0; r < p.kernelH(); r++) {
                        int iy = oy * p.strideH() - p.padTop() + r * p.dilationH();
                        for (int s = 0; s < p.kernelW(); s++) {
                            int ix = ox * p.strideW() - p.padLeft() + s * p.dilationW();
                            if (iy >= -p.padTop() && iy < h + p.padBottom() && ix >= -p.padLeft() && ix < w + p.padRight()) {
                                padded++;
                            }
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                real++;
                                double v = x[(pl * h + iy) * w + ix];
                                acc = p.kind() == Pool2d.PoolKind.MAX ? Math.max(acc, v) : acc + v;
                            }
                        }
                    }
                    y[(pl * oh + oy) * ow + ox] = p.kind() == Pool2d.PoolKind.MAX ? acc
                            : acc / (p.countIncludePad() ? padded : real);
                }
            }
        }
        return y;
    }
}
