package dev.accel.backend.opencl;

import dev.accel.hal.HostTensor;
import dev.accel.hal.Shape;

/** Plain double-precision reference computations, written independently of the kernels. */
final class Ref {
    private Ref() {
    }

    /** numpy matmul of a and b (1-D operands promoted), in double. */
    static double[] matmul(HostTensor a, HostTensor b) {
        int[] ad = a.shape().rank() == 1 ? new int[] {1, a.shape().dim(0)} : a.shape().dims();
        int[] bd = b.shape().rank() == 1 ? new int[] {b.shape().dim(0), 1} : b.shape().dims();
        int m = ad[ad.length - 2];
        int k = ad[ad.length - 1];
        int n = bd[bd.length - 1];
        Shape batchA = Shape.of(java.util.Arrays.copyOf(ad, ad.length - 2));
        Shape batchB = Shape.of(java.util.Arrays.copyOf(bd, bd.length - 2));
        Shape batch = Shape.broadcast(batchA, batchB);
        long[] sa = batchA.broadcastStrides(batch);
        long[] sb = batchB.broadcastStrides(batch);
        int nb = (int) batch.numel();
        double[] out = new double[nb * m * n];
        int[] bdims = batch.dims();
        for (int bi = 0; bi < nb; bi++) {
            long rem = bi;
            long ao = 0;
            long bo = 0;
            for (int d = bdims.length - 1; d >= 0; d--) {
                long c = rem % bdims[d];
                rem /= bdims[d];
                ao += c * sa[d];
                bo += c * sb[d];
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int x = 0; x < k; x++) {
                        s += a.getDouble(ao * m * k + (long) i * k + x) * b.getDouble(bo * k * n + (long) x * n + j);
                    }
                    out[(bi * m + i) * n + j] = s;
                }
            }
        }
        return out;
    }

    /** Value of {@code t} at the position of flat index {@code i} of {@code out}, numpy-broadcast. */
    static double at(HostTensor t, Shape out, long i) {
        long[] s = t.shape().broadcastStrides(out);
        int[] d = out.dims();
        long off = 0;
        for (int k = d.length - 1; k >= 0; k--) {
            off += (i % d[k]) * s[k];
            i /= d[k];
        }
        return t.getDouble(off);
    }

    /** Direct NCHW convolution in double: x [N,C,H,W], w [M,C/g,kh,kw], optional bias [M]. */
    static double[] conv(double[] x, int[] xd, double[] w, int[] wd, double[] bias, int sh, int sw, int pt, int pl,
                         int pb, int pr, int dh, int dw, int groups) {
        int n = xd[0];
        int c = xd[1];
        int h = xd[2];
        int wi = xd[3];
        int m = wd[0];
        int cg = wd[1];
        int kh = wd[2];
        int kw = wd[3];
        int oh = (h + pt + pb - dh * (kh - 1) - 1) / sh + 1;
        int ow = (wi + pl + pr - dw * (kw - 1) - 1) / sw + 1;
        int mg = m / groups;
        double[] y = new double[n * m * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < m; o++) {
                int g = o / mg;
                for (int p = 0; p < oh; p++) {
                    for (int q = 0; q < ow; q++) {
                        double s = bias == null ? 0 : bias[o];
                        for (int cc = 0; cc < cg; cc++) {
                            int ch = g * cg + cc;
                            for (int i = 0; i < kh; i++) {
                                int hh = p * sh - pt + i * dh;
                                for (int j = 0; j < kw; j++) {
                                    int ww = q * sw - pl + j * dw;
                                    if (hh >= 0 && hh < h && ww >= 0 && ww < wi) {
                                        s += x[((b * c + ch) * h + hh) * wi + ww] * w[((o * cg + cc) * kh + i) * kw + j];
                                    }
                                }
                            }
                        }
                        y[((b * m + o) * oh + p) * ow + q] = s;
                    }
                }
            }
        }
        return y;
    }

    /** Round half to even, then clamp to [lo, hi]. */
    static double saturate(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, Math.rint(v)));
    }
}
