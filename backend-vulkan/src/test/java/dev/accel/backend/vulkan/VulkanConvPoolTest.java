package dev.accel.backend.vulkan;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.GlobalAveragePool;
import dev.accel.hal.op.Pool2d;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Conv (groups, dilation, asymmetric padding, bias), MaxPool / AveragePool and GlobalAveragePool. */
class VulkanConvPoolTest extends VulkanTestSupport {

    /** ONNX Conv in double over NCHW. */
    static double[] convRef(Conv2d g, HostTensor x, HostTensor w, HostTensor bias, int oh, int ow) {
        int n = x.shape().dim(0);
        int c = x.shape().dim(1);
        int h = x.shape().dim(2);
        int wd = x.shape().dim(3);
        int m = w.shape().dim(0);
        int kh = w.shape().dim(2);
        int kw = w.shape().dim(3);
        int cpg = c / g.groups();
        int mpg = m / g.groups();
        double[] y = new double[n * m * oh * ow];
        int idx = 0;
        for (int b = 0; b < n; b++) {
            for (int mo = 0; mo < m; mo++) {
                int grp = mo / mpg;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double s = bias == null ? 0 : bias.getDouble(mo);
                        for (int ci = 0; ci < cpg; ci++) {
                            for (int p = 0; p < kh; p++) {
                                int ih = i * g.strideH() - g.padTop() + p * g.dilationH();
                                for (int q = 0; q < kw; q++) {
                                    int iw = j * g.strideW() - g.padLeft() + q * g.dilationW();
                                    if (ih >= 0 && ih < h && iw >= 0 && iw < wd) {
                                        s += x.getDouble((((long) b * c + grp * cpg + ci) * h + ih) * wd + iw)
                                                * w.getDouble((((long) mo * cpg + ci) * kh + p) * kw + q);
                                    }
                                }
                            }
                        }
                        y[idx++] = s;
                    }
                }
            }
        }
        return y;
    }

    @Test
    void convolutionGeometries() {
        Random rnd = new Random(31);
        Object[][] cases = {
            {Conv2d.simple(), new int[] {1, 3, 8, 8}, new int[] {4, 3, 3, 3}, true},
            {Conv2d.of(2, 1, 1), new int[] {2, 4, 9, 7}, new int[] {5, 4, 3, 3}, false},
            {new Conv2d(1, 2, 0, 1, 2, 0, 1, 1, 1), new int[] {1, 2, 6, 5}, new int[] {3, 2, 2, 3}, true},
            {new Conv2d(1, 1, 2, 2, 2, 2, 2, 3, 1), new int[] {1, 3, 10, 11}, new int[] {2, 3, 3, 3}, true},
            {Conv2d.of(1, 1, 2), new int[] {1, 4, 5, 5}, new int[] {6, 2, 3, 3}, true},
            {Conv2d.of(1, 1, 6), new int[] {2, 6, 7, 7}, new int[] {6, 1, 3, 3}, true},
            {Conv2d.simple(), new int[] {1, 17, 1, 1}, new int[] {3, 17, 1, 1}, false}};
        for (DType dt : new DType[] {DType.F32, DType.F16}) {
            for (Object[] c : cases) {
                Conv2d g = (Conv2d) c[0];
                HostTensor x = random(rnd, dt, -1, 1, (int[]) c[1]);
                HostTensor w = random(rnd, dt, -1, 1, (int[]) c[2]);
                HostTensor b = (boolean) c[3] ? random(rnd, dt, -1, 1, ((int[]) c[2])[0]) : null;
                HostTensor y = b == null ? run(g, x, w)[0] : run(g, x, w, b)[0];
                double[] want = convRef(g, x, w, b, y.shape().dim(2), y.shape().dim(3));
                assertClose("Conv " + g + " " + x.type() + " * " + w.type(), want, y);
            }
        }
    }

    static double[] poolRef(Pool2d p, HostTensor x, int oh, int ow) {
        int nc = x.shape().dim(0) * x.shape().dim(1);
        int h = x.shape().dim(2);
        int w = x.shape().dim(3);
        double[] y = new double[nc * oh * ow];
        int idx = 0;
        for (int plane = 0; plane < nc; plane++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double best = Double.NEGATIVE_INFINITY;
                    double sum = 0;
                    int real = 0;
                    int padded = 0;
                    for (int a = 0; a < p.kernelH(); a++) {
                        int ih = i * p.strideH() - p.padTop() + a * p.dilationH();
                        for (int b = 0; b < p.kernelW(); b++) {
                            int iw = j * p.strideW() - p.padLeft() + b * p.dilationW();
                            if (ih >= -p.padTop() && ih < h + p.padBottom() && iw >= -p.padLeft() && iw < w + p.padRight()) {
                                padded++;
                            }
                            if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
                                double v = x.getDouble(((long) plane * h + ih) * w + iw);
                                best = Math.max(best, v);
                                sum += v;
                                real++;
                            }
                        }
                    }
                    y[idx++] = p.kind() == Pool2d.PoolKind.MAX ? best : sum / (p.countIncludePad() ? padded : real);
                }
            }
        }
        return y;
    }

    @Test
    void poolingModes() {
        Random rnd = new Random(32);
        Pool2d[] ops = {
            Pool2d.max(2, 2, 0), Pool2d.max(3, 1, 1), Pool2d.average(3, 2, 1, false), Pool2d.average(3, 2, 1, true),
            new Pool2d(Pool2d.PoolKind.MAX, 3, 2, 2, 1, 1, 0, 2, 1, 1, 1, true, false),
            new Pool2d(Pool2d.PoolKind.AVERAGE, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, true, true),
            new Pool2d(Pool2d.PoolKind.AVERAGE, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, true, false),
            new Pool2d(Pool2d.PoolKind.MAX, 2, 2, 1, 1, 0, 0, 0, 0, 2, 2, false, false)};
        for (DType dt : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            for (Pool2d p : ops) {
                HostTensor x = random(rnd, dt, -3, 3, 2, 3, 9, 8);
                HostTensor y = run(p, x)[0];
                assertClose(p.name() + " " + p + " " + dt, poolRef(p, x, y.shape().dim(2), y.shape().dim(3)), y);
            }
        }
    }

    @Test
    void globalAveragePool() {
        Random rnd = new Random(33);
        for (int[] dims : new int[][] {{2, 3, 5, 7}, {1, 1, 1, 1}, {1, 4, 33, 33}}) {
            HostTensor x = random(rnd, DType.F32, -1, 1, dims);
            HostTensor y = run(new GlobalAveragePool(), x)[0];
            int hw = dims[2] * dims[3];
            double[] want = new double[dims[0] * dims[1]];
            for (int i = 0; i < x.numel(); i++) {
                want[i / hw] += x.getDouble(i) / hw;
            }
            assertClose("GlobalAveragePool " + x.shape(), want, y);
        }
    }
}
