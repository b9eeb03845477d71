package dev.accel.backend.cpu.linalg;

/**
 * Naive float64 references written for the tests, independent of the kernels: numpy matmul with
 * batch broadcasting, ONNX Gemm and direct convolution. Integer ops use them too, with zero points
 * already subtracted: their sums are exact in double. Each result carries, per output, the sum of
 * the magnitudes of its terms, the scale FP32 rounding error is measured against.
 */
final class References {
    private References() {
    }

    /** Output values and, per output, the sum of |term|. */
    record Result(double[] values, double[] magnitudes) {
    }

    /** numpy matmul of A (dims {@code ad}) and B (dims {@code bd}), rank >= 1 each. */
    static Result matMul(double[] a, int[] ad, double[] b, int[] bd) {
        int[] a2 = ad.length == 1 ? new int[] {1, ad[0]} : ad;
        int[] b2 = bd.length == 1 ? new int[] {bd[0], 1} : bd;
        int m = a2[a2.length - 2];
        int k = a2[a2.length - 1];
        int n = b2[b2.length - 1];
        int rank = Math.max(a2.length, b2.length) - 2;
        int[] batch = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = dimFromRight(a2, rank - i + 2);
            int db = dimFromRight(b2, rank - i + 2);
            batch[i] = da == 1 ? db : da;
        }
        long count = 1;
        for (int d : batch) {
            count *= d;
        }
        double[] v = new double[(int) (count * m * n)];
        double[] mag = new double[v.length];
        int[] idx = new int[rank];
        for (int t = 0; t < count; t++) {
            long ao = batchOffset(a2, idx) * m * k;
            long bo = batchOffset(b2, idx) * k * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    double g = 0;
                    for (int p = 0; p < k; p++) {
                        double term = a[(int) (ao + (long) i * k + p)] * b[(int) (bo + (long) p * n + j)];
                        s += term;
                        g += Math.abs(term);
                    }
                    int o = (int) (((long) t * m + i) * n + j);
                    v[o] = s;
                    mag[o] = g;
                }
            }
            for (int d = rank - 1; d >= 0; d--) {
                if (++idx[d] < batch[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return new Result(v, mag);
    }

    /** The dimension {@code fromRight} places from the end (1 = last), or 1 when the shape is shorter. */
    private static int dimFromRight(int[] dims, int fromRight) {
        int i = dims.length - fromRight;
        return i < 0 ? 1 : dims[i];
    }

    /** Index of the matrix that batch index {@code idx} (of the broadcast batch shape) selects in {@code dims}. */
    private static long batchOffset(int[] dims, int[] idx) {
        int own = dims.length - 2;
        long off = 0;
        for (int d = 0; d < own; d++) {
            int i = idx[idx.length - own + d];
            off = off * dims[d] + (dims[d] == 1 ? 0 : i);
        }
        return off;
    }

    /**
     * ONNX Gemm: {@code alpha * op(A) op(B) + beta * C}, C of dims {@code cd} (rank 0 to 2)
     * broadcast to [m, n], or null.
     */
    static Result gemm(double[] a, double[] b, double[] c, int[] cd, int m, int n, int k, boolean transA, boolean transB,
            double alpha, double beta) {
        double[] v = new double[m * n];
        double[] mag = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                double g = 0;
                for (int p = 0; p < k; p++) {
                    double term = a[transA ? p * m + i : i * k + p] * b[transB ? j * k + p : p * n + j];
                    s += term;
                    g += Math.abs(term);
                }
                s *= alpha;
                g *= Math.abs(alpha);
                if (c != null && beta != 0) {
                    int ci = cd.length == 0 ? 0 : cd.length == 1 ? (cd[0] == 1 ? 0 : j)
                            : (cd[0] == 1 ? 0 : i) * cd[1] + (cd[1] == 1 ? 0 : j);
                    s += beta * c[ci];
                    g += Math.abs(beta * c[ci]);
                }
                v[i * n + j] = s;
                mag[i * n + j] = g;
            }
        }
        return new Result(v, mag);
    }

    /** Convolution geometry for the reference: strides, pads (top, left, bottom, right), dilations, groups. */
    record Conv(int sh, int sw, int pt, int pl, int pb, int pr, int dh, int dw, int groups) {
    }

    /** Direct convolution of X [n, c, h, w] by W [m, c / groups, kh, kw], optional bias [m]. */
    static Result conv(double[] x, int[] xd, double[] w, int[] wd, double[] bias, Conv cv) {
        int n = xd[0];
        int c = xd[1];
        int h = xd[2];
        int wi = xd[3];
        int m = wd[0];
        int cg = wd[1];
        int kh = wd[2];
        int kw = wd[3];
        int oh = (h + cv.pt() + cv.pb() - cv.dh() * (kh - 1) - 1) / cv.sh() + 1;
        int ow = (wi + cv.pl() + cv.pr() - cv.dw() * (kw - 1) - 1) / cv.sw() + 1;
        int mg = m / cv.groups();
        double[] v = new double[n * m * oh * ow];
        double[] mag = new double[v.length];
        for (int b = 0; b < n; b++) {
            for (int mo = 0; mo < m; mo++) {
                int g = mo / mg;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double s = bias == null ? 0 : bias[mo];
                        double gsum = Math.abs(s);
                        for (int ci = 0; ci < cg; ci++) {
                            int chan = g * cg + ci;
                            for (int i = 0; i < kh; i++) {
                                for (int j = 0; j < kw; j++) {
                                    int iy = oy * cv.sh() - cv.pt() + i * cv.dh();
                                    int ix = ox * cv.sw() - cv.pl() + j * cv.dw();
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wi) {
                                        continue;
                                    }
                                    double term = x[((b * c + chan) * h + iy) * wi + ix] * w[((mo * cg + ci) * kh + i) * kw + j];
                                    s += term;
                                    gsum += Math.abs(term);
                                }
                            }
                        }
                        int o = ((b * m + mo) * oh + oy) * ow + ox;
                        v[o] = s;
                        mag[o] = gsum;
                    }
                }
            }
        }
        return new Result(v, mag);
    }
}
