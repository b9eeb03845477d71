package dev.accel.conformance.reference;

import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.Lrn;
import java.util.Arrays;
import java.util.List;

/** Reference normalisations and reductions: BatchNormalization, LayerNormalization, LRN, Softmax, ReduceMean. */
final class RefNorm {
    private RefNorm() {
    }

    /** Inference BatchNormalization: inputs X, scale, B, mean, var; per channel (dimension 1). */
    static double[] batchNorm(BatchNorm b, double[][] in, int[] xd) {
        double[] x = in[0];
        int c = xd[1];
        int inner = Index.product(xd, 2, xd.length);
        double eps = b.epsilon();
        double[] y = new double[x.length];
        for (int e = 0; e < x.length; e++) {
            int ch = (e / inner) % c;
            y[e] = (x[e] - in[3][ch]) / Math.sqrt(in[4][ch] + eps) * in[1][ch] + in[2][ch];
        }
        return y;
    }

    /** LayerNormalization over {@code [axis, rank)}: population variance, scale and optional B broadcast there. */
    static double[] layerNorm(LayerNorm l, double[][] in, int[][] dims) {
        double[] x = in[0];
        int[] xd = dims[0];
        int a = Index.axis(l.axis(), xd.length);
        int[] norm = Arrays.copyOfRange(xd, a, xd.length);
        int len = Index.numel(norm);
        int outer = Index.product(xd, 0, a);
        int[] sMap = Index.broadcastMap(dims[1], norm);
        int[] bMap = in.length > 2 ? Index.broadcastMap(dims[2], norm) : null;
        double eps = l.epsilon();
        double[] y = new double[x.length];
        for (int o = 0; o < outer; o++) {
            int base = o * len;
            double mean = 0;
            for (int i = 0; i < len; i++) {
                mean += x[base + i];
            }
            mean /= len;
            double var = 0;
            for (int i = 0; i < len; i++) {
                double d = x[base + i] - mean;
                var += d * d;
            }
            var /= len;
            double inv = 1.0 / Math.sqrt(var + eps);
            for (int i = 0; i < len; i++) {
                double v = (x[base + i] - mean) * inv * in[1][sMap[i]];
                y[base + i] = bMap == null ? v : v + in[2][bMap[i]];
            }
        }
        return y;
    }

    /** LRN across channels of NCHW: {@code x / (bias + alpha / size * sum(x^2))^beta}. */
    static double[] lrn(Lrn l, double[] x, int[] xd) {
        int n = xd[0];
        int c = xd[1];
        int plane = xd[2] * xd[3];
        int before = (l.size() - 1) / 2;
        int after = l.size() - 1 - before;
        double[] y = new double[x.length];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                int lo = Math.max(0, ch - before);
                int hi = Math.min(c - 1, ch + after);
                for (int p = 0; p < plane; p++) {
                    double sq = 0;
                    for (int k = lo; k <= hi; k++) {
                        double v = x[(b * c + k) * plane + p];
                        sq += v * v;
                    }
                    int e = (b * c + ch) * plane + p;
                    y[e] = x[e] / Math.pow((double) l.bias() + (double) l.alpha() / l.size() * sq, l.beta());
                }
            }
        }
        return y;
    }

    /** Softmax along one axis, shifted by the maximum. */
    static double[] softmax(int axis, double[] x, int[] xd) {
        int a = Index.axis(axis, xd.length);
        int len = xd[a];
        int inner = Index.product(xd, a + 1, xd.length);
        int outer = Index.product(xd, 0, a);
        double[] y = new double[x.length];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * len * inner + i;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < len; k++) {
                    max = Math.max(max, x[base + k * inner]);
                }
                double sum = 0;
                for (int k = 0; k < len; k++) {
                    double e = Math.exp(x[base + k * inner] - max);
                    y[base + k * inner] = e;
                    sum += e;
                }
                for (int k = 0; k < len; k++) {
                    y[base + k * inner] /= sum;
                }
            }
        }
        return y;
    }

    /** Mean over {@code axes} (negative from the end; empty means all); the flat layout ignores keepDims. */
    static double[] reduceMean(List<Integer> axes, double[] x, int[] xd) {
        boolean[] reduced = new boolean[xd.length];
        if (axes.isEmpty()) {
            Arrays.fill(reduced, true);
        } else {
            for (int ax : axes) {
                reduced[Index.axis(ax, xd.length)] = true;
            }
        }
        int[] outDims = new int[xd.length];
        int count = 1;
        for (int i = 0; i < xd.length; i++) {
            outDims[i] = reduced[i] ? 1 : xd[i];
            count *= reduced[i] ? xd[i] : 1;
        }
        int[] outStrides = Index.strides(outDims);
        double[] y = new double[Index.numel(outDims)];
        int[] coords = new int[xd.length];
        for (int e = 0; e < x.length; e++) {
            Index.unflatten(e, xd, coords);
            int o = 0;
            for (int i = 0; i < xd.length; i++) {
                o += reduced[i] ? 0 : coords[i] * outStrides[i];
            }
            y[o] += x[e];
        }
        for (int i = 0; i < y.length; i++) {
            y[i] /= count;
        }
        return y;
    }
}
