package dev.accel.conformance.reference;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.Gemm;
import java.util.Arrays;

/** Reference MatMul (numpy matmul), Gemm and 2-D convolution, accumulating in double. */
final class RefLinalg {
    private RefLinalg() {
    }

    /**
     * numpy {@code matmul}: a 1-D A is a row, a 1-D B a column; batch dimensions broadcast. The
     * result's flat layout is the same whether or not the added dimensions are removed.
     */
    static double[] matmul(double[] a, int[] aDims, double[] b, int[] bDims) {
        int[] ad = aDims.length == 1 ? new int[] {1, aDims[0]} : aDims;
        int[] bd = bDims.length == 1 ? new int[] {bDims[0], 1} : bDims;
        int m = ad[ad.length - 2];
        int k = ad[ad.length - 1];
        int n = bd[bd.length - 1];
        if (bd[bd.length - 2] != k) {
            throw new InvalidArgumentException("reference MatMul: K differs: " + Arrays.toString(aDims) + " x "
                    + Arrays.toString(bDims));
        }
        int[] batchA = Arrays.copyOf(ad, ad.length - 2);
        int[] batchB = Arrays.copyOf(bd, bd.length - 2);
        int[] batch = Index.broadcast(batchA, batchB);
        int[] mapA = Index.broadcastMap(batchA, batch);
        int[] mapB = Index.broadcastMap(batchB, batch);
        int batches = mapA.length;
        double[] out = new double[batches * m * n];
        for (int bi = 0; bi < batches; bi++) {
            int offA = mapA[bi] * m * k;
            int offB = mapB[bi] * k * n;
            int offY = bi * m * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        s += a[offA + i * k + p] * b[offB + p * n + j];
                    }
                    out[offY + i * n + j] = s;
                }
            }
        }
        return out;
    }

    /** ONNX Gemm: {@code alpha * op(A) op(B) + beta * C}, C broadcast to [M, N]. */
    static double[] gemm(Gemm g, double[][] in, int[][] dims) {
        double[] a = in[0];
        double[] b = in[1];
        int m = g.transA() ? dims[0][1] : dims[0][0];
        int k = g.transA() ? dims[0][0] : dims[0][1];
        int n = g.transB() ? dims[1][0] : dims[1][1];
        double[] out = new double[m * n];
        int[] cMap = in.length > 2 ? Index.broadcastMap(dims[2], new int[] {m, n}) : null;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = g.transA() ? a[p * m + i] : a[i * k + p];
                    double bv = g.transB() ? b[j * k + p] : b[p * n + j];
                    s += av * bv;
                }
                double y = (double) g.alpha() * s;
                if (cMap != null) {
                    y += (double) g.beta() * in[2][cMap[i * n + j]];
                }
                out[i * n + j] = y;
            }
        }
        return out;
    }

    /**
     * Cross-correlation over NCHW with explicit (possibly asymmetric) padding, stride, dilation and
     * groups; padded positions contribute nothing. {@code bias} may be null.
     */
    static double[] conv(Conv2d g, double[] x, int[] xd, double[] w, int[] wd, double[] bias) {
        int batch = xd[0];
        int c = xd[1];
        int h = xd[2];
        int wid = xd[3];
        int m = wd[0];
        int cg = wd[1];
        int kh = wd[2];
        int kw = wd[3];
        int groups = g.groups();
        if (c != cg * groups || m % groups != 0) {
            throw new InvalidArgumentException("reference Conv: channels " + c + ", W " + Arrays.toString(wd)
                    + ", groups " + groups + " do not fit");
        }
        int oh = outDim(h, kh, g.strideH(), g.padTop(), g.padBottom(), g.dilationH());
        int ow = outDim(wid, kw, g.strideW(), g.padLeft(), g.padRight(), g.dilationW());
        int mPerGroup = m / groups;
        double[] out = new double[batch * m * oh * ow];
        for (int nb = 0; nb < batch; nb++) {
            for (int oc = 0; oc < m; oc++) {
                int group = oc / mPerGroup;
                int yBase = (nb * m + oc) * oh * ow;
                double b0 = bias == null ? 0 : bias[oc];
                for (int i = 0; i < oh * ow; i++) {
                    out[yBase + i] = b0;
                }
                for (int ci = 0; ci < cg; ci++) {
                    int ic = group * cg + ci;
                    int xBase = (nb * c + ic) * h * wid;
                    for (int r = 0; r < kh; r++) {
                        for (int s = 0; s < kw; s++) {
                            double wv = w[((oc * cg + ci) * kh + r) * kw + s];
                            for (int y = 0; y < oh; y++) {
                                int iy = y * g.strideH() - g.padTop() + r * g.dilationH();
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                for (int xo = 0; xo < ow; xo++) {
                                    int ix = xo * g.strideW() - g.padLeft() + s * g.dilationW();
                                    if (ix >= 0 && ix < wid) {
                                        out[yBase + y * ow + xo] += wv * x[xBase + iy * wid + ix];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Output length of a convolution axis (floor). */
    static int outDim(int size, int k, int stride, int p0, int p1, int dilation) {
        int span = dilation * (k - 1) + 1;
        int padded = size + p0 + p1;
        if (padded < span) {
            throw new InvalidArgumentException("reference Conv: padded size " + padded + " < kernel span " + span);
        }
        return Math.floorDiv(padded - span, stride) + 1;
    }
}
