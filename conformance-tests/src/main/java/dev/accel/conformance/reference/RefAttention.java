package dev.accel.conformance.reference;

import dev.accel.hal.DType;
import dev.accel.hal.op.Attention;

/**
 * Reference scaled dot-product attention: {@code softmax(scale Q K^T + mask) V} per batch and
 * head. A bool mask removes the positions where it is false; an additive mask is added; causal
 * removes key j for query i when {@code j > i}. A row with every key removed is NaN; with no keys
 * at all (Sk = 0) the result is 0.
 */
final class RefAttention {
    private RefAttention() {
    }

    static double[] attention(Attention a, double[][] in, int[][] dims, DType maskType) {
        int[] qd = dims[0];
        int b = qd[0];
        int h = qd[1];
        int sq = qd[2];
        int d = qd[3];
        int sk = dims[1][2];
        int dv = dims[2][3];
        double scale = Float.isNaN(a.scale()) ? 1.0 / Math.sqrt(d) : a.scale();
        int[] maskMap = in.length > 3 ? Index.broadcastMap(dims[3], new int[] {b, h, sq, sk}) : null;
        double[] q = in[0];
        double[] k = in[1];
        double[] v = in[2];
        double[] y = new double[b * h * sq * dv];
        double[] scores = new double[sk];
        for (int bh = 0; bh < b * h; bh++) {
            for (int i = 0; i < sq; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < sk; j++) {
                    double s = 0;
                    for (int t = 0; t < d; t++) {
                        s += q[(bh * sq + i) * d + t] * k[(bh * sk + j) * d + t];
                    }
                    s *= scale;
                    if (maskMap != null) {
                        double m = in[3][maskMap[(bh * sq + i) * sk + j]];
                        if (maskType == DType.BOOL) {
                            s = m != 0 ? s : Double.NEGATIVE_INFINITY;
                        } else {
                            s += m;
                        }
                    }
                    if (a.causal() && j > i) {
                        s = Double.NEGATIVE_INFINITY;
                    }
                    scores[j] = s;
                    max = Math.max(max, s);
                }
                int row = (bh * sq + i) * dv;
                if (max == Double.NEGATIVE_INFINITY) {
                    // No keys at all: the empty weighted sum, 0. Keys all masked: softmax of -inf, NaN.
                    for (int t = 0; t < dv; t++) {
                        y[row + t] = sk == 0 ? 0.0 : Double.NaN;
                    }
                    continue;
                }
                double sum = 0;
                for (int j = 0; j < sk; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int j = 0; j < sk; j++) {
                    double p = scores[j] / sum;
                    for (int t = 0; t < dv; t++) {
                        y[row + t] += p * v[(bh * sk + j) * dv + t];
                    }
                }
            }
        }
        return y;
    }
}
