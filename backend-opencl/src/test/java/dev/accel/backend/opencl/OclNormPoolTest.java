package dev.accel.backend.opencl;

import static dev.accel.backend.opencl.OclTestSupport.assertClose;
import static dev.accel.backend.opencl.OclTestSupport.of;
import static dev.accel.backend.opencl.OclTestSupport.random;
import static dev.accel.backend.opencl.OclTestSupport.run1;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Shape;
import dev.accel.hal.op.GlobalAveragePool;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.ReduceMean;
import dev.accel.hal.op.Softmax;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OclNormPoolTest {
    private static final DType[] FLOATS = {DType.F32, DType.F16, DType.BF16};
    private static OclDevice device;

    @BeforeAll
    static void open() {
        device = OclTestSupport.open();
    }

    @AfterAll
    static void close() {
        if (device != null) {
            device.close();
        }
    }

    @Test
    void layerNormOverTrailingAxes() {
        Random r = new Random(30);
        int[][] cases = {{2, 3, 5}, {4, 300}, {1, 1}};
        for (DType t : FLOATS) {
            for (int[] dims : cases) {
                for (int axis : new int[] {-1, 1}) {
                    HostTensor x = random(r, t, -3, 3, dims);
                    int a = Shape.of(dims).normalizeAxis(axis);
                    int[] norm = Arrays.copyOfRange(dims, a, dims.length);
                    int len = (int) Shape.of(norm).numel();
                    HostTensor scale = random(r, t, 0.5, 1.5, norm.length == 1 ? new int[] {1} : new int[] {norm[norm.length - 1]});
                    HostTensor bias = random(r, t, -1, 1, norm);
                    double[] e = new double[(int) x.numel()];
                    for (int row = 0; row < e.length / len; row++) {
                        double mean = 0;
                        for (int j = 0; j < len; j++) {
                            mean += x.getDouble(row * len + j);
                        }
                        mean /= len;
                        double var = 0;
                        for (int j = 0; j < len; j++) {
                            double d = x.getDouble(row * len + j) - mean;
                            var += d * d;
                        }
                        var /= len;
                        for (int j = 0; j < len; j++) {
                            e[row * len + j] = (x.getDouble(row * len + j) - mean) / Math.sqrt(var + 1e-5)
                                    * Ref.at(scale, Shape.of(norm), j) + Ref.at(bias, Shape.of(norm), j);
                        }
                    }
                    assertClose(e, run1(device, new LayerNorm(axis, 1e-5f), x, scale, bias), OclTestSupport.tolerance(t) * 4,
                            "layernorm " + t + " " + x.shape() + " axis " + axis);
                }
            }
        }
        HostTensor x = of(DType.F32, new int[] {1, 4}, 1, 2, 3, 4);
        HostTensor s = of(DType.F32, new int[] {4}, 1, 1, 1, 1);
        double sd = Math.sqrt(1.25 + 1e-5);
        assertClose(new double[] {-1.5 / sd, -0.5 / sd, 0.5 / sd, 1.5 / sd}, run1(device, new LayerNorm(-1, 1e-5f), x, s),
                "layernorm without bias");
    }

    @Test
    void softmaxAlongAnyAxis() {
        Random r = new Random(31);
        for (DType t : FLOATS) {
            HostTensor x = random(r, t, -5, 5, 3, 4, 5);
            for (int axis : new int[] {0, 1, -1}) {
                Shape s = x.shape();
                int a = s.normalizeAxis(axis);
                long inner = s.product(a + 1, 3);
                int len = s.dim(a);
                double[] e = new double[60];
                for (int i = 0; i < 60; i++) {
                    long base = i - ((i / inner) % len) * inner;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < len; k++) {
                        max = Math.max(max, x.getDouble(base + k * inner));
                    }
                    double sum = 0;
                    for (int k = 0; k < len; k++) {
                        sum += Math.exp(x.getDouble(base + k * inner) - max);
                    }
                    e[i] = Math.exp(x.getDouble(i) - max) / sum;
                }
                assertClose(e, run1(device, new Softmax(axis), x), "softmax " + t + " axis " + axis);
            }
        }
        HostTensor big = random(r, DType.F32, -1, 1, 2, 1000);
        HostTensor y = run1(device, new Softmax(-1), big);
        double sum = 0;
        for (int i = 0; i < 1000; i++) {
            sum += y.getDouble(i);
        }
        assertEquals(1, sum, 1e-4, "a long row sums to one");
    }

    @Test
    void reduceMeanOverAxisSets() {
        Random r = new Random(32);
        HostTensor x = random(r, DType.F32, -2, 2, 2, 3, 4, 5);
        List<List<Integer>> axesCases = List.of(List.of(), List.of(1), List.of(-1, 0), List.of(1, 3), List.of(0, 1, 2, 3));
        for (DType t : FLOATS) {
            HostTensor xt = HostTensor.allocate(t, 2, 3, 4, 5);
            for (int i = 0; i < 120; i++) {
                xt.setDouble(i, x.getDouble(i));
            }
            for (List<Integer> axes : axesCases) {
                for (boolean keep : new boolean[] {true, false}) {
                    ReduceMean op = new ReduceMean(axes, keep);
                    int[] red = op.resolvedAxes(4);
                    double[] e = reduceRef(xt, red);
                    HostTensor y = run1(device, op, xt);
                    assertEquals(op.inferOutputs(List.of(xt.type())).getFirst(), y.type());
                    assertClose(e, y, OclTestSupport.tolerance(t) * 2, "reducemean " + t + " " + axes + " keep=" + keep);
                }
            }
        }
        HostTensor empty = HostTensor.allocate(DType.F32, 2, 0);
        assertClose(new double[] {Double.NaN, Double.NaN}, run1(device, new ReduceMean(List.of(1), false), empty),
                "mean over an empty axis");
    }

    private static double[] reduceRef(HostTensor x, int[] red) {
        int[] d = x.shape().dims();
        boolean[] isRed = new boolean[d.length];
        for (int a : red) {
            isRed[a] = true;
        }
        int outN = 1;
        int cnt = 1;
        for (int i = 0; i < d.length; i++) {
            if (isRed[i]) {
                cnt *= d[i];
            } else {
                outN *= d[i];
            }
        }
        double[] sum = new double[outN];
        for (int i = 0; i < x.numel(); i++) {
            int rem = i;
            int o = 0;
            int mul = 1;
            for (int k = d.length - 1; k >= 0; k--) {
                int c = rem % d[k];
                rem /= d[k];
                if (!isRed[k]) {
                    o += c * mul;
                    mul *= d[k];
                }
            }
            sum[o] += x.getDouble(i);
        }
        for (int i = 0; i < outN; i++) {
            sum[i] /= cnt;
        }
        return sum;
    }

    @Test
    void globalAveragePool() {
        Random r = new Random(33);
        for (DType t : FLOATS) {
            HostTensor x = random(r, t, -2, 2, 2, 3, 7, 9);
            HostTensor y = run1(device, new GlobalAveragePool(), x);
            assertEquals(Shape.of(2, 3, 1, 1), y.shape());
            assertClose(reduceRef(x, new int[] {2, 3}), y, OclTestSupport.tolerance(t) * 2, "gap " + t);
        }
    }

    private static double[] poolRef(HostTensor x, Pool2d p, Shape out) {
        int h = x.shape().dim(2);
        int w = x.shape().dim(3);
        int oh = out.dim(2);
        int ow = out.dim(3);
        int planes = (int) (x.numel() / ((long) h * w));
        double[] e = new double[(int) out.numel()];
        for (int pl = 0; pl < planes; pl++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double m = Double.NEGATIVE_INFINITY;
                    double s = 0;
                    int real = 0;
                    int padded = 0;
                    for (int a = 0; a < p.kernelH(); a++) {
                        int hh = i * p.strideH() - p.padTop() + a * p.dilationH();
                        for (int b = 0; b < p.kernelW(); b++) {
                            int ww = j * p.strideW() - p.padLeft() + b * p.dilationW();
                            if (hh >= 0 && hh < h && ww >= 0 && ww < w) {
                                double v = x.getDouble((long) pl * h * w + (long) hh * w + ww);
                                m = Math.max(m, v);
                                s += v;
                                real++;
                            }
                            if (hh >= -p.padTop() && hh < h + p.padBottom() && ww >= -p.padLeft() && ww < w + p.padRight()) {
                                padded++;
                            }
                        }
                    }
                    e[(pl * oh + i) * ow + j] = p.kind() == Pool2d.PoolKind.MAX ? m
                            : s / (p.countIncludePad() ? padded : real);
                }
            }
        }
        return e;
    }

    @Test
    void maxAndAveragePoolWithPaddingStridesDilationAndCeil() {
        Random r = new Random(34);
        Pool2d[] pools = {
            Pool2d.max(2, 2, 0), Pool2d.max(3, 2, 1), Pool2d.average(3, 1, 1, false), Pool2d.average(3, 1, 1, true),
            new Pool2d(Pool2d.PoolKind.MAX, 3, 2, 2, 1, 1, 0, 0, 1, 2, 1, true, false),
            new Pool2d(Pool2d.PoolKind.AVERAGE, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, true, true),
            new Pool2d(Pool2d.PoolKind.AVERAGE, 2, 3, 3, 2, 0, 1, 1, 2, 1, 1, true, false)};
        for (DType t : FLOATS) {
            HostTensor x = random(r, t, -3, 3, 2, 3, 9, 8);
            for (Pool2d p : pools) {
                HostTensor y = run1(device, p, x);
                assertClose(poolRef(x, p, y.shape()), y, OclTestSupport.tolerance(t) * 2, p + " " + t);
            }
        }
        HostTensor nan = of(DType.F32, new int[] {1, 1, 2, 2}, 1, Double.NaN, 3, 0);
        assertClose(new double[] {Double.NaN}, run1(device, Pool2d.max(2, 2, 0), nan), "max pool propagates NaN");
    }
}
