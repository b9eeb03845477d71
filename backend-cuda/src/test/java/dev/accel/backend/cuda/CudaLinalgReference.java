package dev.accel.backend.cuda;

import static dev.accel.backend.cuda.CudaReference.broadcastIndex;
import static dev.accel.backend.cuda.CudaReference.numel;
import static dev.accel.backend.cuda.CudaReference.unravel;

import dev.accel.hal.Shape;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.Gemm;
import java.util.Arrays;

/**
 * Float64 reference of MatMul (numpy broadcasting), Gemm, Conv2d, attention and the quantized
 * ops, from the op records' Javadoc, independent of the kernels.
 */
final class CudaLinalgReference {
    private CudaLinalgReference() {
    }

    /** numpy matmul; zero points (null for none) are subtracted first: za per tensor, zb per tensor or per column. */
    static double[] matmul(double[] a, int[] ad, double[] b, int[] bd) {
        int[] a2 = ad.length == 1 ? new int[] {1, ad[0]} : ad;
        int[] b2 = bd.length == 1 ? new int[] {bd[0], 1} : bd;
        int m = a2[a2.length - 2];
        int k = a2[a2.length - 1];
        int n = b2[b2.length - 1];
        int[] ba = Arrays.copyOf(a2, a2.length - 2);
        int[] bb = Arrays.copyOf(b2, b2.length - 2);
        int[] batch = Shape.broadcast(Shape.of(ba), Shape.of(bb)).dims();
        int nb = numel(batch);
        double[] y = new double[nb * m * n];
        for (int z = 0; z < nb; z++) {
            int[] idx = unravel(z, batch);
            int oa = broadcastIndex(idx, ba) * m * k;
            int ob = broadcastIndex(idx, bb) * k * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int q = 0; q < k; q++) {
                        s += a[oa + i * k + q] * b[ob + q * n + j];
                    }
                    y[(z * m + i) * n + j] = s;
                }
            }
        }
        return y;
    }

    static double[] gemm(Gemm g, double[] a, int[] ad, double[] b, int[] bd, double[] c, int[] cd) {
        int m = g.transA() ? ad[1] : ad[0];
        int k = g.transA() ? ad[0] : ad[1];
        int n = g.transB() ? bd[0] : bd[1];
        double[] y = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int q = 0; q < k; q++) {
                    double av = g.transA() ? a[q * m + i] : a[i * k + q];
                    double bv = g.transB() ? b[j * k + q] : b[q * n + j];
                    s += av * bv;
                }
                double v = g.alpha() * s;
                if (c != null) {
                    v += g.beta() * c[broadcastIndex(new int[] {i, j}, cd)];
                }
                y[i * n + j] = v;
            }
        }
        return y;
    }

    /** Conv2d over NCHW with groups; {@code bias} may be null. */
    static double[] conv(Conv2d g, double[] x, int[] xd, double[] w, int[] wd, double[] bias) {
        int n = xd[0];
        int c = xd[1];
        int h = xd[2];
        int wi = xd[3];
        int m = wd[0];
        int kh = wd[2];
        int kw = wd[3];
        int oh = (h + g.padTop() + g.padBottom() - g.dilationH() * (kh - 1) - 1) / g.strideH() + 1;
        int ow = (wi + g.padLeft() + g.padRight() - g.dilationW() * (kw - 1) - 1) / g.strideW() + 1;
        int cg = c / g.groups();
        int mg = m / g.groups();
        double[] y = new double[n * m * oh * ow];
        for (int img = 0; img < n; img++) {
            for (int oc = 0; oc < m; oc++) {
                int grp = oc / mg;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double s = bias == null ? 0 : bias[oc];
                        for (int ic = 0; ic < cg; ic++) {
                            for (int r = 0; r < kh; r++) {
                                int iy = oy * g.strideH() - g.padTop() + r * g.dilationH();
                                for (int q = 0; q < kw; q++) {
                                    int ix = ox * g.strideW() - g.padLeft() + q * g.dilationW();
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < wi) {
                                        s += x[((img * c + grp * cg + ic) * h + iy) * wi + ix] * w[((oc * cg + ic) * kh + r) * kw + q];
                                    }
                                }
                            }
                        }
                        y[((img * m + oc) * oh + oy) * ow + ox] = s;
                    }
                }
            }
        }
        return y;
    }

    /** softmax(scale Q K^T + mask) V; mask null, additive, or bool (boolMask true: 0 means masked). */
    static double[] attention(double[] q, double[] k, double[] v, int[] qd, int sk, int dv, double scale, boolean causal,
                              double[] mask, int[] md, boolean boolMask) {
        int b = qd[0];
        int h = qd[1];
        int sq = qd[2];
        int d = qd[3];
        double[] y = new double[b * h * sq * dv];
        double[] s = new double[sk];
        for (int bi = 0; bi < b; bi++) {
            for (int hi = 0; hi < h; hi++) {
                int bh = bi * h + hi;
                for (int i = 0; i < sq; i++) {
                    double mx = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < sk; j++) {
                        double dot = 0;
                        for (int e = 0; e < d; e++) {
                            dot += q[(bh * sq + i) * d + e] * k[(bh * sk + j) * d + e];
                        }
                        double sc = dot * scale;
                        if (mask != null) {
                            double mv = mask[broadcastIndex(new int[] {bi, hi, i, j}, md)];
                            sc = boolMask ? (mv == 0 ? Double.NEGATIVE_INFINITY : sc) : sc + mv;
                        }
                        if (causal && j > i) {
                            sc = Double.NEGATIVE_INFINITY;
                        }
                        s[j] = sc;
                        mx = Math.max(mx, sc);
                    }
                    double sum = 0;
                    for (int j = 0; j < sk; j++) {
                        s[j] = Math.exp(s[j] - mx);
                        sum += s[j];
                    }
                    for (int e = 0; e < dv; e++) {
                        double o = 0;
                        for (int j = 0; j < sk; j++) {
                            o += s[j] * v[(bh * sk + j) * dv + e];
                        }
                        y[(bh * sq + i) * dv + e] = o / sum;
                    }
                }
            }
        }
        return y;
    }

    /** Round half to even, then clamp to [lo, hi]; NaN gives 0. */
    static double saturate(double v, double lo, double hi) {
        return Double.isNaN(v) ? 0 : Math.max(lo, Math.min(hi, Math.rint(v)));
    }

    /** {@code v - zp}, zp per tensor (one value) or cycling over the last {@code columns} values. */
    static double[] shift(double[] v, double[] zp, int columns) {
        double[] r = v.clone();
        for (int i = 0; zp != null && i < r.length; i++) {
            r[i] -= zp[zp.length == 1 ? 0 : i % columns];
        }
        return r;
    }

    /** {@code w - zp} with zp per output channel (dimension 0). */
    static double[] shiftRows(double[] w, int rows, double[] zp) {
        double[] r = w.clone();
        int per = rows == 0 ? 0 : w.length / rows;
        for (int i = 0; zp != null && i < r.length; i++) {
            r[i] -= zp[zp.length == 1 ? 0 : i / per];
        }
        return r;
    }

    /** Requantizes accumulators: {@code saturate(rint(acc * s1 * s2[channel] / ys) + yzp)}. */
    static double[] requantize(double[] acc, double s1, double[] s2, int[] channelOf, double ys, double yzp, double lo, double hi) {
        double[] y = new double[acc.length];
        for (int i = 0; i < acc.length; i++) {
            double real = acc[i] * s1 * s2[s2.length == 1 ? 0 : channelOf[i]];
            y[i] = saturate(Math.rint(real / ys) + yzp, lo, hi);
        }
        return y;
    }
}
