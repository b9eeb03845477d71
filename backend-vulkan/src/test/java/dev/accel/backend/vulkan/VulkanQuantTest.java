package dev.accel.backend.vulkan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Shape;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.ConvInteger;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;
import dev.accel.hal.op.QuantizeLinear;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The 8-bit ops: QuantizeLinear / DequantizeLinear per tensor and per axis, and the integer and requantizing matmuls and convolutions. */
class VulkanQuantTest extends VulkanTestSupport {

    static double sat(double v, DType t) {
        return Math.max(t.minValue(), Math.min(t.maxValue(), v));
    }

    /**
     * Asserts integer outputs: exactly equal where {@code slack} is 0; otherwise within one unit
     * (float32 requantization may round a value lying within an ulp of .5 the other way), with at
     * least 99% exact.
     */
    static void assertInts(String what, double[] want, HostTensor got, int slack) {
        int exact = 0;
        for (int i = 0; i < want.length; i++) {
            double g = got.getDouble(i);
            assertTrue(Math.abs(g - want[i]) <= slack, what + ": element " + i + " is " + g + ", want " + want[i]);
            exact += g == want[i] ? 1 : 0;
        }
        assertTrue(exact >= 0.99 * want.length, what + ": only " + exact + " of " + want.length + " exact");
    }

    static HostTensor ints(Random rnd, DType dt, int... dims) {
        HostTensor t = HostTensor.allocate(dt, dims);
        for (long i = 0; i < t.numel(); i++) {
            t.setDouble(i, dt.minValue() + rnd.nextInt((int) (dt.maxValue() - dt.minValue() + 1)));
        }
        return t;
    }

    @Test
    void quantizeAndDequantizePerTensorAndPerAxis() {
        Random rnd = new Random(61);
        for (DType q : new DType[] {DType.I8, DType.U8}) {
            for (DType xf : new DType[] {DType.F32, DType.F16}) {
                HostTensor x = random(rnd, xf, -20, 20, 2, 3, 5);
                for (int axis : new int[] {-1, 1}) {
                    int channels = x.shape().dim(axis);
                    for (boolean perAxis : new boolean[] {false, true}) {
                        int n = perAxis ? channels : 1;
                        HostTensor scale = random(rnd, DType.F32, 0.05, 0.3, perAxis ? new int[] {n} : new int[] {});
                        HostTensor zp = HostTensor.allocate(q, perAxis ? new int[] {n} : new int[] {});
                        for (int c = 0; c < n; c++) {
                            zp.setDouble(c, q == DType.I8 ? rnd.nextInt(21) - 10 : 120 + rnd.nextInt(20));
                        }
                        HostTensor y = run(new QuantizeLinear(axis), x, scale, zp)[0];
                        long inner = x.shape().product(x.shape().normalizeAxis(axis) + 1, 3);
                        double[] want = new double[(int) x.numel()];
                        double[] deq = new double[want.length];
                        for (int i = 0; i < want.length; i++) {
                            int c = perAxis ? (int) ((i / inner) % channels) : 0;
                            want[i] = sat(Math.rint(x.getDouble(i) / scale.getDouble(c)) + zp.getDouble(c), q);
                            deq[i] = (y.getDouble(i) - zp.getDouble(c)) * scale.getDouble(c);
                        }
                        assertInts("QuantizeLinear " + q + " axis " + axis + " perAxis " + perAxis, want, y, 1);
                        HostTensor back = run(new DequantizeLinear(axis), y, scale, zp)[0];
                        assertClose("DequantizeLinear " + q, deq, back);
                    }
                }
            }
        }
        HostTensor noZp = run(new QuantizeLinear(0), tensor(DType.F32, new int[] {3}, -1, 1.5, 300),
                tensor(DType.F32, new int[] {}, 1))[0];
        assertEquals(DType.U8, noZp.dtype());
        assertInts("QuantizeLinear without zero point", new double[] {0, 2, 255}, noZp, 0);
        HostTensor i32 = tensor(DType.I32, new int[] {3}, -100000, 0, 7);
        assertClose("DequantizeLinear int32", new double[] {-50000, 0, 3.5}, run(new DequantizeLinear(0), i32,
                tensor(DType.F32, new int[] {}, 0.5))[0]);
    }

    /** (a - azp)(b - bzp) over [M, K] x [K, N], bzp per column when it has N elements. */
    static long[] intMatmul(HostTensor a, HostTensor b, double azp, HostTensor bzp, int m, int k, int n) {
        long[] y = new long[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                long s = 0;
                double bz = bzp == null ? 0 : bzp.getDouble(bzp.numel() > 1 ? j : 0);
                for (int p = 0; p < k; p++) {
                    s += (long) ((a.getDouble((long) i * k + p) - azp) * (b.getDouble((long) p * n + j) - bz));
                }
                y[i * n + j] = s;
            }
        }
        return y;
    }

    @Test
    void matMulIntegerAndQLinearMatMul() {
        Random rnd = new Random(62);
        int m = 19;
        int k = 33;
        int n = 21;
        for (DType at : new DType[] {DType.I8, DType.U8}) {
            for (DType bt : new DType[] {DType.I8, DType.U8}) {
                HostTensor a = ints(rnd, at, m, k);
                HostTensor b = ints(rnd, bt, k, n);
                HostTensor azp = tensor(at, new int[] {}, at == DType.I8 ? -3 : 128);
                HostTensor bzp = HostTensor.allocate(bt, n);
                for (int j = 0; j < n; j++) {
                    bzp.setDouble(j, bt == DType.I8 ? rnd.nextInt(11) - 5 : 120 + rnd.nextInt(16));
                }
                long[] acc = intMatmul(a, b, azp.getDouble(0), bzp, m, k, n);
                double[] want = new double[acc.length];
                for (int i = 0; i < acc.length; i++) {
                    want[i] = acc[i];
                }
                assertInts("MatMulInteger " + at + " x " + bt, want, run(new MatMulInteger(), a, b, azp, bzp)[0], 0);
                long[] plain = intMatmul(a, b, 0, null, m, k, n);
                double[] wantPlain = new double[plain.length];
                for (int i = 0; i < plain.length; i++) {
                    wantPlain[i] = plain[i];
                }
                assertInts("MatMulInteger without zero points", wantPlain, run(new MatMulInteger(), a, b)[0], 0);

                HostTensor as = tensor(DType.F32, new int[] {}, 0.02);
                HostTensor bs = random(rnd, DType.F32, 0.01, 0.03, n);
                HostTensor ys = tensor(DType.F32, new int[] {}, 0.5);
                for (DType yt : new DType[] {DType.I8, DType.U8}) {
                    HostTensor yzp = tensor(yt, new int[] {}, yt == DType.I8 ? 5 : 130);
                    HostTensor y = run(new QLinearMatMul(), a, as, azp, b, bs, bzp, ys, yzp)[0];
                    double[] q = new double[acc.length];
                    for (int i = 0; i < acc.length; i++) {
                        q[i] = sat(Math.rint(acc[i] * 0.02f * bs.getDouble(i % n) / 0.5) + yzp.getDouble(0), yt);
                    }
                    assertInts("QLinearMatMul " + at + " x " + bt + " -> " + yt, q, y, 1);
                }
            }
        }
    }

    @Test
    void convIntegerAndQLinearConv() {
        Random rnd = new Random(63);
        Conv2d g = new Conv2d(2, 1, 1, 0, 1, 2, 1, 2, 2);
        HostTensor x = ints(rnd, DType.U8, 1, 4, 7, 6);
        HostTensor w = ints(rnd, DType.I8, 6, 2, 3, 2);
        HostTensor xzp = tensor(DType.U8, new int[] {}, 128);
        HostTensor wzp = HostTensor.allocate(DType.I8, 6);
        for (int i = 0; i < 6; i++) {
            wzp.setDouble(i, i - 3);
        }
        HostTensor y = run(new ConvInteger(g), x, w, xzp, wzp)[0];
        HostTensor xs = HostTensor.allocate(DType.F32, x.shape().dims());
        HostTensor wsh = HostTensor.allocate(DType.F32, w.shape().dims());
        for (int i = 0; i < x.numel(); i++) {
            xs.setDouble(i, x.getDouble(i) - 128);
        }
        for (int i = 0; i < w.numel(); i++) {
            wsh.setDouble(i, w.getDouble(i) - wzp.getDouble(i / 12));
        }
        double[] acc = VulkanConvPoolTest.convRef(g, xs, wsh, null, y.shape().dim(2), y.shape().dim(3));
        assertInts("ConvInteger", acc, y, 0);

        HostTensor xScale = tensor(DType.F32, new int[] {}, 0.05);
        HostTensor wScale = random(rnd, DType.F32, 0.01, 0.04, 6);
        HostTensor yScale = tensor(DType.F32, new int[] {}, 0.25);
        HostTensor yzp = tensor(DType.I8, new int[] {}, -7);
        HostTensor bias = HostTensor.allocate(DType.I32, 6);
        for (int i = 0; i < 6; i++) {
            bias.setDouble(i, (i - 2) * 500);
        }
        HostTensor q = run(new QLinearConv(g), x, xScale, xzp, w, wScale, wzp, yScale, yzp, bias)[0];
        int plane = y.shape().dim(2) * y.shape().dim(3);
        double[] want = new double[acc.length];
        for (int i = 0; i < acc.length; i++) {
            int mo = (i / plane) % 6;
            want[i] = sat(Math.rint((acc[i] + bias.getDouble(mo)) * 0.05f * wScale.getDouble(mo) / 0.25) - 7, DType.I8);
        }
        assertInts("QLinearConv", want, q, 1);
        assertEquals(Shape.of(1, 6, 4, 6), q.shape());
    }
}
