package dev.accel.conformance.reference;

import dev.accel.hal.op.Pool2d;

/** Reference MaxPool, AveragePool (floor or ceil mode, padding counted or not) and GlobalAveragePool. */
final class RefPool {
    private RefPool() {
    }

    /**
     * Output length of a pooling axis. In ceil mode a last window that would start inside the end
     * padding (or past it) is dropped.
     */
    static int outDim(int size, int k, int stride, int p0, int p1, int dilation, boolean ceil) {
        int span = dilation * (k - 1) + 1;
        int room = size + p0 + p1 - span;
        int out = (ceil ? -Math.floorDiv(-room, stride) : Math.floorDiv(room, stride)) + 1;
        if (ceil && (out - 1) * stride >= size + p0) {
            out--;
        }
        return out;
    }

    static double[] pool(Pool2d p, double[] x, int[] xd) {
        int n = xd[0] * xd[1];
        int h = xd[2];
        int w = xd[3];
        int oh = outDim(h, p.kernelH(), p.strideH(), p.padTop(), p.padBottom(), p.dilationH(), p.ceilMode());
        int ow = outDim(w, p.kernelW(), p.strideW(), p.padLeft(), p.padRight(), p.dilationW(), p.ceilMode());
        boolean max = p.kind() == Pool2d.PoolKind.MAX;
        double[] y = new double[n * oh * ow];
        for (int plane = 0; plane < n; plane++) {
            int base = plane * h * w;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    int real = 0;
                    int padded = 0;
                    for (int r = 0; r < p.kernelH(); r++) {
                        int iy = oy * p.strideH() - p.padTop() + r * p.dilationH();
                        for (int s = 0; s < p.kernelW(); s++) {
                            int ix = ox * p.strideW() - p.padLeft() + s * p.dilationW();
                            if (iy >= -p.padTop() && iy < h + p.padBottom() && ix >= -p.padLeft() && ix < w + p.padRight()) {
                                padded++;
                            }
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                continue;
                            }
                            real++;
                            double v = x[base + iy * w + ix];
                            acc = max ? Math.max(acc, v) : acc + v;
                        }
                    }
                    y[(plane * oh + oy) * ow + ox] = max ? acc : acc / (p.countIncludePad() ? padded : real);
                }
            }
        }
        return y;
    }

    static double[] globalAverage(double[] x, int[] xd) {
        int n = xd[0] * xd[1];
        int plane = xd[2] * xd[3];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < plane; j++) {
                s += x[i * plane + j];
            }
            y[i] = s / plane;
        }
        return y;
    }
}
