package dev.accel.backend.npu;

import dev.accel.hal.Shape;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.Pool2d;

/**
 * Float64 references for the ops the NPU runs, written from the ONNX definitions and independent
 * of the C kernels. Each dot-product reference also returns, per output, the sum of the absolute
 * values of its terms, which bounds the rounding error of an accumulation.
 */
final class NpuReference {
    /** Values and, per value, the sum of |terms| that produced it. */
    record Result(double[] values, double[] magnitude) {
    }

    private NpuReference() {
    }

    /** ONNX Conv over NCHW: x [N, C, H, W], w [M, C / groups, kH, kW], optional bias [M]. */
    static Result conv(double[] x, int[] xs, double[] w, int[] ws, double[] bias, Conv2d c, int[] ys) {
        int n = xs[0], ch = xs[1], h = xs[2], wd = xs[3];
        int m = ws[0], cg = ws[1], kh = ws[2], kw = ws[3];
        int oh = ys[2], ow = ys[3];
        int mg = m / c.groups();
        double[] y = new double[n * m * oh * ow];
        double[] mag = new double[y.length];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < m; o++) {
                int g = o / mg;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double acc = bias == null ? 0 : bias[o];
                        double abs = bias == null ? 0 : Math.abs(bias[o]);
                        for (int q = 0; q < cg; q++) {
                            int ic = g * cg + q;
                            for (int u = 0; u < kh; u++) {
                                int ih = i * c.strideH() - c.padTop() + u * c.dilationH();
                                for (int v = 0; v < kw; v++) {
                                    int iw = j * c.strideW() - c.padLeft() + v * c.dilationW();
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= wd) {
                                        continue;
                                    }
                                    double t = x[((b * ch + ic) * h + ih) * wd + iw] * w[((o * cg + q) * kh + u) * kw + v];
                                    acc += t;
                                    abs += Math.abs(t);
                                }
                            }
                        }
                        int yi = ((b * m + o) * oh + i) * ow + j;
                        y[yi] = acc;
                        mag[yi] = abs;
                    }
                }
            }
        }
        return new Result(y, mag);
    }

    /** numpy matmul of a [..., M, K] by b [..., K, N] (ranks >= 2), batch dimensions broadcast. */
    static Result matmul(double[] a, int[] as, double[] b, int[] bs) {
        int m = as[as.length - 2], k = as[as.length - 1], n = bs[bs.length - 1];
        Shape batchA = Shape.of(java.util.Arrays.copyOf(as, as.length - 2));
        Shape batchB = Shape.of(java.util.Arrays.copyOf(bs, bs.length - 2));
        Shape batch = Shape.broadcast(batchA, batchB);
        long[] sa = batchA.broadcastStrides(batch);
        long[] sb = batchB.broadcastStrides(batch);
        int batches = (int) batch.numel();
        double[] y = new double[batches * m * n];
        double[] mag = new double[y.length];
        int[] bd = batch.dims();
        for (int t = 0; t < batches; t++) {
            long oa = 0, ob = 0;
            int rest = t;
            for (int d = bd.length - 1; d >= 0; d--) {
                int idx = rest % bd[d];
                rest /= bd[d];
                oa += idx * sa[d];
                ob += idx * sb[d];
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0, abs = 0;
                    for (int q = 0; q < k; q++) {
                        double p = a[(int) (oa * m * k) + i * k + q] * b[(int) (ob * k * n) + q * n + j];
                        acc += p;
                        abs += Math.abs(p);
                    }
                    y[(t * m + i) * n + j] = acc;
                    mag[(t * m + i) * n + j] = abs;
                }
            }
        }
        return new Result(y, mag);
    }

    /** ONNX Gemm: alpha * op(A) * op(B) + beta * C, C broadcast to [M, N]. */
    static Result gemm(double[] a, int[] as, double[] b, int[] bs, double[] c, int[] cs, float alpha, float beta,
                       boolean ta, boolean tb) {
        int m = ta ? as[1] : as[0], k = ta ? as[0] : as[1], n = tb ? bs[0] : bs[1];
        double[] y = new double[m * n];
        double[] mag = new double[y.length];
        long[] cst = c == null ? null : Shape.of(cs).broadcastStrides(Shape.of(m, n));
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0, abs = 0;
                for (int q = 0; q < k; q++) {
                    double p = a[ta ? q * m + i : i * k + q] * b[tb ? j * k + q : q * n + j];
                    acc += p;
                    abs += Math.abs(p);
                }
                double r = alpha * acc;
                abs = Math.abs(alpha) * abs;
                if (c != null) {
                    double cv = c[(int) (i * cst[0] + j * cst[1])];
                    r += beta * cv;
                    abs += Math.abs(beta * cv);
                }
                y[i * n + j] = r;
                mag[i * n + j] = abs;
            }
        }
        return new Result(y, mag);
    }

    /** Elementwise add (mul when {@code multiply}) with numpy broadcasting. */
    static double[] binary(double[] a, Shape as, double[] b, Shape bs, boolean multiply) {
        Shape out = Shape.broadcast(as, bs);
        long[] sa = as.broadcastStrides(out);
        long[] sb = bs.broadcastStrides(out);
        int[] od = out.dims();
        double[] y = new double[(int) out.numel()];
        for (int i = 0; i < y.length; i++) {
            long oa = 0, ob = 0;
            int rest = i;
            for (int d = od.length - 1; d >= 0; d--) {
                int idx = rest % od[d];
                rest /= od[d];
                oa += idx * sa[d];
                ob += idx * sb[d];
            }
            y[i] = multiply ? a[(int) oa] * b[(int) ob] : a[(int) oa] + b[(int) ob];
        }
        return y;
    }

    /** ONNX MaxPool / AveragePool over NCHW with explicit pads, dilation, ceil mode, count_include_pad. */
    static double[] pool(double[] x, int[] xs, Pool2d p, int[] ys) {
        int h = xs[2], w = xs[3], oh = ys[2], ow = ys[3];
        double[] y = new double[xs[0] * xs[1] * oh * ow];
        for (int plane = 0; plane < xs[0] * xs[1]; plane++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    int real = 0, padded = 0;
                    for (int u = 0; u < p.kernelH(); u++) {
                        for (int v = 0; v < p.kernelW(); v++) {
                            int ih = i * p.strideH() - p.padTop() + u * p.dilationH();
                            int iw = j * p.strideW() - p.padLeft() + v * p.dilationW();
                            boolean insidePadding = ih >= -p.padTop() && ih < h + p.padBottom()
                                    && iw >= -p.padLeft() && iw < w + p.padRight();
                            if (insidePadding) {
                                padded++;
                            }
                            if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
                                double v2 = x[(plane * h + ih) * w + iw];
                                max = Math.max(max, v2);
                                sum += v2;
                                real++;
                            }
                        }
                    }
                    y[(plane * oh + i) * ow + j] = p.kind() == Pool2d.PoolKind.MAX ? max
                            : sum / (p.countIncludePad() ? padded : real);
                }
            }
        }
        return y;
    }

    /** Softmax along {@code axis} (non-negative). */
    static double[] softmax(double[] x, int[] dims, int axis) {
        int len = dims[axis];
        int inner = 1;
        for (int i = axis + 1; i < dims.length; i++) {
            inner *= dims[i];
        }
        int outer = x.length / (len * inner);
        double[] y = new double[x.length];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < len; k++) {
                    max = Math.max(max, x[(o * len + k) * inner + in]);
                }
                double sum = 0;
                for (int k = 0; k < len; k++) {
                    sum += Math.exp(x[(o * len + k) * inner + in] - max);
                }
                for (int k = 0; k < len; k++) {
                    y[(o * len + k) * inner + in] = Math.exp(x[(o * len + k) * inner + in] - max) / sum;
                }
            }
        }
        return y;
    }

    /** The ONNX quantization step: round half to even, add the zero point, saturate to int8 or uint8. */
    static int quantize(double real, double scale, int zeroPoint, boolean signed) {
        double r = Math.rint(real / scale) + zeroPoint;
        double lo = signed ? -128 : 0, hi = signed ? 127 : 255;
        return (int) Math.max(lo, Math.min(hi, r));
    }

    /** True when {@code real / scale} lies so close to a rounding tie that float64 evaluation order may decide it. */
    static boolean nearTie(double real, double scale) {
        double q = real / scale;
        return Math.abs(Math.abs(q - Math.floor(q)) - 0.5) < 1e-9;
    }
}
