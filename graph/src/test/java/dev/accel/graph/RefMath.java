package dev.accel.graph;

import dev.accel.hal.op.Conv2d;

/** Naive reference arithmetic for pass tests, written independently of the code under test. */
final class RefMath {
    private RefMath() {
    }

    /** NCHW convolution with bias (may be null). */
    static double[] conv(double[] x, int n, int c, int h, int w, double[] wt, int m, int kh, int kw, double[] bias, Conv2d g) {
        int oh = (h + g.padTop() + g.padBottom() - g.dilationH() * (kh - 1) - 1) / g.strideH() + 1;
        int ow = (w + g.padLeft() + g.padRight() - g.dilationW() * (kw - 1) - 1) / g.strideW() + 1;
        int cg = c / g.groups();
        int mg = m / g.groups();
        double[] y = new double[n * m * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < m; o++) {
                int grp = o / mg;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double s = bias == null ? 0 : bias[o];
                        for (int ci = 0; ci < cg; ci++) {
                            for (int u = 0; u < kh; u++) {
                                for (int v = 0; v < kw; v++) {
                                    int yy = i * g.strideH() - g.padTop() + u * g.dilationH();
                                    int xx = j * g.strideW() - g.padLeft() + v * g.dilationW();
                                    if (yy < 0 || yy >= h || xx < 0 || xx >= w) {
                                        continue;
                                    }
                                    int cin = grp * cg + ci;
                                    s += x[((b * c + cin) * h + yy) * w + xx] * wt[((o * cg + ci) * kh + u) * kw + v];
                                }
                            }
                        }
                        y[((b * m + o) * oh + i) * ow + j] = s;
                    }
                }
            }
        }
        return y;
    }

    static double[] values(Constant c) {
        double[] v = new double[(int) c.numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = c.getDouble(i);
        }
        return v;
    }

    static double[] seeded(int n, long seed) {
        java.util.Random r = new java.util.Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }
}
