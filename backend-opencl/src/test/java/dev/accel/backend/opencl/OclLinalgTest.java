package dev.accel.backend.opencl;

import static dev.accel.backend.opencl.OclTestSupport.assertClose;
import static dev.accel.backend.opencl.OclTestSupport.random;
import static dev.accel.backend.opencl.OclTestSupport.randomInt;
import static dev.accel.backend.opencl.OclTestSupport.run1;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Shape;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.QLinearMatMul;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** MatMul, Gemm and the integer products, on both GEMM kernels (register-blocked and local-memory tiled). */
class OclLinalgTest {
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

    private static final int[][][] MATMUL_SHAPES = {
        {{1, 1}, {1, 1}}, {{3, 17}, {17, 5}}, {{70, 33}, {33, 65}}, {{2, 1, 3, 4}, {5, 4, 6}}, {{7}, {7, 3}},
        {{4, 7}, {7}}, {{9}, {9}}, {{3, 0}, {0, 4}}, {{129, 40}, {40, 31}}};

    @Test
    void matMulShapesTypesAndKernels() {
        Random r = new Random(10);
        for (boolean registers : new boolean[] {true, false}) {
            device.tiles().useRegisterBlocks(registers);
            for (DType t : new DType[] {DType.F32, DType.F16, DType.BF16}) {
                for (int[][] s : MATMUL_SHAPES) {
                    HostTensor a = random(r, t, -1, 1, s[0]);
                    HostTensor b = random(r, t, -1, 1, s[1]);
                    HostTensor y = run1(device, new MatMul(), a, b);
                    double tol = OclTestSupport.tolerance(t) * (t == DType.F32 ? 1 : 4);
                    assertClose(Ref.matmul(a, b), y, tol, "matmul " + t + " " + a.shape() + " x " + b.shape()
                            + (registers ? " (registers)" : " (tiles)"));
                }
            }
        }
    }

    @Test
    void gemmTransposesAlphaBetaAndBroadcastC() {
        Random r = new Random(11);
        int m = 19;
        int n = 37;
        int k = 23;
        int[][] cShapes = {null, {}, {n}, {m, 1}, {m, n}};
        for (boolean registers : new boolean[] {true, false}) {
            device.tiles().useRegisterBlocks(registers);
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (int[] cs : cShapes) {
                        HostTensor a = random(r, DType.F32, -1, 1, ta ? new int[] {k, m} : new int[] {m, k});
                        HostTensor b = random(r, DType.F32, -1, 1, tb ? new int[] {n, k} : new int[] {k, n});
                        Gemm op = new Gemm(0.5f, cs == null ? 0f : -2f, ta, tb);
                        HostTensor c = cs == null ? null : random(r, DType.F32, -1, 1, cs);
                        double[] e = new double[m * n];
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                double s = 0;
                                for (int x = 0; x < k; x++) {
                                    s += a.getDouble(ta ? x * m + i : i * k + x) * b.getDouble(tb ? j * k + x : x * n + j);
                                }
                                e[i * n + j] = 0.5 * s + (c == null ? 0 : -2 * Ref.at(c, Shape.of(m, n), i * n + j));
                            }
                        }
                        HostTensor y = c == null ? run1(device, op, a, b) : run1(device, op, a, b, c);
                        assertClose(e, y, "gemm transA=" + ta + " transB=" + tb + " C=" + (c == null ? "none" : c.shape())
                                + (registers ? " (registers)" : " (tiles)"));
                    }
                }
            }
        }
    }

    @Test
    void matMulIntegerWithZeroPoints() {
        Random r = new Random(12);
        for (boolean registers : new boolean[] {true, false}) {
            device.tiles().useRegisterBlocks(registers);
            // The tiled kernel reads both 8-bit types through the same macros: one pairing suffices there.
            for (DType at : registers ? new DType[] {DType.U8, DType.I8} : new DType[] {DType.U8}) {
                for (DType bt : registers ? new DType[] {DType.U8, DType.I8} : new DType[] {DType.I8}) {
                    int lo = at == DType.U8 ? 0 : -128;
                    int hi = at == DType.U8 ? 255 : 127;
                    int blo = bt == DType.U8 ? 0 : -128;
                    int bhi = bt == DType.U8 ? 255 : 127;
                    HostTensor a = randomInt(r, at, lo, hi, 2, 9, 45);
                    HostTensor b = randomInt(r, bt, blo, bhi, 45, 33);
                    HostTensor azp = randomInt(r, at, lo, hi, 1);
                    HostTensor bzp = randomInt(r, bt, blo, bhi, 33);
                    double[] e = new double[2 * 9 * 33];
                    for (int bi = 0; bi < 2; bi++) {
                        for (int i = 0; i < 9; i++) {
                            for (int j = 0; j < 33; j++) {
                                long s = 0;
                                for (int x = 0; x < 45; x++) {
                                    s += (long) (a.getDouble((bi * 9 + i) * 45 + x) - azp.getDouble(0))
                                            * (long) (b.getDouble(x * 33 + j) - bzp.getDouble(j));
                                }
                                e[(bi * 9 + i) * 33 + j] = s;
                            }
                        }
                    }
                    HostTensor y = run1(device, new MatMulInteger(), a, b, azp, bzp);
                    assertEquals(DType.I32, y.dtype());
                    assertClose(e, y, 0, "MatMulInteger " + at + " x " + bt + (registers ? " (registers)" : " (tiles)"));
                    HostTensor plain = run1(device, new MatMulInteger(), a, b);
                    double[] e0 = new double[2 * 9 * 33];
                    for (int q = 0; q < e0.length; q++) {
                        int bi = q / (9 * 33);
                        int i = (q / 33) % 9;
                        int j = q % 33;
                        long s = 0;
                        for (int x = 0; x < 45; x++) {
                            s += (long) a.getDouble((bi * 9 + i) * 45 + x) * (long) b.getDouble(x * 33 + j);
                        }
                        e0[q] = s;
                    }
                    assertClose(e0, plain, 0, "MatMulInteger without zero points " + at + " x " + bt);
                }
            }
        }
    }

    @Test
    void qlinearMatMulRequantizes() {
        Random r = new Random(13);
        for (boolean registers : new boolean[] {true, false}) {
            device.tiles().useRegisterBlocks(registers);
            for (DType yt : new DType[] {DType.U8, DType.I8}) {
                for (boolean perColumn : new boolean[] {false, true}) {
                    int n = 21;
                    HostTensor a = randomInt(r, DType.U8, 0, 255, 13, 30);
                    HostTensor as = OclTestSupport.scalar(DType.F32, 0.02);
                    HostTensor azp = OclTestSupport.scalar(DType.U8, 120);
                    HostTensor b = randomInt(r, DType.I8, -128, 127, 30, n);
                    HostTensor bs = perColumn ? random(r, DType.F32, 0.005, 0.02, n) : OclTestSupport.scalar(DType.F32, 0.01);
                    HostTensor bzp = perColumn ? randomInt(r, DType.I8, -5, 5, n) : OclTestSupport.scalar(DType.I8, 3);
                    HostTensor ys = OclTestSupport.scalar(DType.F32, 0.05);
                    HostTensor yzp = OclTestSupport.scalar(yt, yt == DType.U8 ? 128 : -2);
                    double[] e = new double[13 * n];
                    for (int i = 0; i < 13; i++) {
                        for (int j = 0; j < n; j++) {
                            double s = 0;
                            int c = perColumn ? j : 0;
                            for (int x = 0; x < 30; x++) {
                                s += (a.getDouble(i * 30 + x) - 120) * 0.02f * (b.getDouble(x * n + j) - bzp.getDouble(c))
                                        * bs.getDouble(c);
                            }
                            e[i * n + j] = Ref.saturate(s / 0.05f + yzp.getDouble(0), yt.minValue(), yt.maxValue());
                        }
                    }
                    HostTensor y = run1(device, new QLinearMatMul(), a, as, azp, b, bs, bzp, ys, yzp);
                    assertEquals(yt, y.dtype());
                    // One step of the output scale: float rounding of a tie may land either side.
                    OclTestSupport.assertWithin(e, y, 1, "QLinearMatMul -> " + yt + (perColumn ? " per column" : "")
                            + (registers ? " (registers)" : " (tiles)"));
                }
            }
        }
    }
}
