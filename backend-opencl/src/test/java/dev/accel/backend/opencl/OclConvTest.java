package dev.accel.backend.opencl;

import static dev.accel.backend.opencl.OclTestSupport.assertClose;
import static dev.accel.backend.opencl.OclTestSupport.random;
import static dev.accel.backend.opencl.OclTestSupport.randomInt;
import static dev.accel.backend.opencl.OclTestSupport.run1;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.ConvInteger;
import dev.accel.hal.op.QLinearConv;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Conv2d (im2col + GEMM, and direct for one channel per group), ConvInteger and QLinearConv. */
class OclConvTest {
    private static OclDevice device;
    private static boolean defaultMode;

    @BeforeAll
    static void open() {
        device = OclTestSupport.open();
        defaultMode = device.tiles().registerBlocked();
    }

    @AfterAll
    static void close() {
        if (device != null) {
            device.tiles().useRegisterBlocks(defaultMode);
            device.close();
        }
    }

    /** x dims, w dims, geometry. */
    private record Case(int[] x, int[] w, Conv2d g) {
    }

    private static final Case[] CASES = {
        new Case(new int[] {1, 3, 8, 8}, new int[] {4, 3, 3, 3}, Conv2d.simple()),
        new Case(new int[] {2, 3, 9, 7}, new int[] {5, 3, 3, 2}, new Conv2d(2, 1, 1, 0, 2, 1, 1, 1, 1)),
        new Case(new int[] {1, 2, 11, 10}, new int[] {3, 2, 3, 3}, new Conv2d(1, 2, 2, 2, 2, 2, 2, 3, 1)),
        new Case(new int[] {3, 4, 6, 6}, new int[] {6, 2, 3, 3}, Conv2d.of(1, 1, 2)),
        new Case(new int[] {2, 6, 7, 7}, new int[] {6, 1, 3, 3}, new Conv2d(2, 2, 1, 1, 1, 1, 1, 1, 6)),
        new Case(new int[] {1, 4, 5, 5}, new int[] {8, 1, 3, 3}, new Conv2d(1, 1, 0, 1, 2, 0, 1, 1, 4)),
        new Case(new int[] {1, 16, 5, 5}, new int[] {8, 16, 1, 1}, Conv2d.simple())};

    @Test
    void conv2dGeometriesTypesAndKernels() {
        Random r = new Random(20);
        for (boolean registers : new boolean[] {true, false}) {
            device.tiles().useRegisterBlocks(registers);
            // The tiled kernel reads every type through the same macros; the type sweep runs once.
            for (DType t : registers ? new DType[] {DType.F32, DType.F16, DType.BF16} : new DType[] {DType.F32}) {
                for (Case c : CASES) {
                    for (boolean bias : new boolean[] {false, true}) {
                        HostTensor x = random(r, t, -1, 1, c.x());
                        HostTensor w = random(r, t, -1, 1, c.w());
                        HostTensor b = random(r, t, -1, 1, c.w()[0]);
                        Conv2d g = c.g();
                        double[] e = Ref.conv(x.toDoubleArray(), c.x(), w.toDoubleArray(), c.w(), bias ? b.toDoubleArray() : null,
                                g.strideH(), g.strideW(), g.padTop(), g.padLeft(), g.padBottom(), g.padRight(), g.dilationH(),
                                g.dilationW(), g.groups());
                        HostTensor y = bias ? run1(device, g, x, w, b) : run1(device, g, x, w);
                        double tol = OclTestSupport.tolerance(t) * (t == DType.F32 ? 1 : 4);
                        assertClose(e, y, tol, "conv " + t + " " + x.shape() + " * " + w.shape() + " " + g
                                + (bias ? " + bias" : "") + (registers ? " (registers)" : " (tiles)"));
                    }
                }
            }
        }
    }

    @Test
    void convIntegerWithZeroPoints() {
        Random r = new Random(21);
        for (boolean registers : new boolean[] {true, false}) {
            device.tiles().useRegisterBlocks(registers);
            for (Case c : CASES) {
                HostTensor x = randomInt(r, DType.U8, 0, 255, c.x());
                HostTensor w = randomInt(r, DType.I8, -128, 127, c.w());
                HostTensor xzp = OclTestSupport.scalar(DType.U8, 100);
                HostTensor wzp = randomInt(r, DType.I8, -4, 4, c.w()[0]);
                double[] xs = x.toDoubleArray();
                for (int i = 0; i < xs.length; i++) {
                    xs[i] -= 100;
                }
                double[] ws = w.toDoubleArray();
                int per = ws.length / c.w()[0];
                for (int i = 0; i < ws.length; i++) {
                    ws[i] -= wzp.getDouble(i / per);
                }
                Conv2d g = c.g();
                double[] e = Ref.conv(xs, c.x(), ws, c.w(), null, g.strideH(), g.strideW(), g.padTop(), g.padLeft(),
                        g.padBottom(), g.padRight(), g.dilationH(), g.dilationW(), g.groups());
                HostTensor y = run1(device, new ConvInteger(g), x, w, xzp, wzp);
                assertEquals(DType.I32, y.dtype());
                assertClose(e, y, 0, "ConvInteger " + x.shape() + " * " + w.shape() + " " + g
                        + (registers ? " (registers)" : " (tiles)"));
            }
        }
    }

    @Test
    void qlinearConvRequantizesPerChannel() {
        Random r = new Random(22);
        for (boolean registers : new boolean[] {true, false}) {
            device.tiles().useRegisterBlocks(registers);
            for (Case c : CASES) {
                int m = c.w()[0];
                HostTensor x = randomInt(r, DType.I8, -128, 127, c.x());
                HostTensor xs = OclTestSupport.scalar(DType.F32, 0.03);
                HostTensor xzp = OclTestSupport.scalar(DType.I8, -5);
                HostTensor w = randomInt(r, DType.I8, -127, 127, c.w());
                HostTensor ws = random(r, DType.F32, 0.002, 0.01, m);
                HostTensor wzp = HostTensor.allocate(DType.I8, m);
                HostTensor ys = OclTestSupport.scalar(DType.F32, 0.04);
                HostTensor yzp = OclTestSupport.scalar(DType.U8, 128);
                HostTensor bias = randomInt(r, DType.I32, -2000, 2000, m);
                double[] xd = x.toDoubleArray();
                for (int i = 0; i < xd.length; i++) {
                    xd[i] = (xd[i] + 5) * 0.03f;
                }
                double[] wd = w.toDoubleArray();
                int per = wd.length / m;
                double[] bd = new double[m];
                for (int i = 0; i < wd.length; i++) {
                    wd[i] *= ws.getDouble(i / per);
                }
                for (int i = 0; i < m; i++) {
                    bd[i] = bias.getDouble(i) * 0.03f * ws.getDouble(i);
                }
                Conv2d g = c.g();
                double[] real = Ref.conv(xd, c.x(), wd, c.w(), bd, g.strideH(), g.strideW(), g.padTop(), g.padLeft(),
                        g.padBottom(), g.padRight(), g.dilationH(), g.dilationW(), g.groups());
                double[] e = new double[real.length];
                for (int i = 0; i < e.length; i++) {
                    e[i] = Ref.saturate(real[i] / 0.04f + 128, 0, 255);
                }
                HostTensor y = run1(device, new QLinearConv(g), x, xs, xzp, w, ws, wzp, ys, yzp, bias);
                assertEquals(DType.U8, y.dtype());
                OclTestSupport.assertWithin(e, y, 1, "QLinearConv " + x.shape() + " * " + w.shape() + " " + g
                        + (registers ? " (registers)" : " (tiles)"));
            }
        }
    }
}
