package dev.accel.backend.cpu.kernels;

import static dev.accel.backend.cpu.kernels.KernelHarness.assertClose;
import static dev.accel.backend.cpu.kernels.KernelHarness.assertTwinsClose;
import static dev.accel.backend.cpu.kernels.KernelHarness.assertTwinsExact;
import static dev.accel.backend.cpu.kernels.KernelHarness.floats;
import static dev.accel.backend.cpu.kernels.KernelHarness.randomFloats;
import static dev.accel.backend.cpu.kernels.KernelHarness.runFloats;
import static dev.accel.backend.cpu.kernels.KernelHarness.spec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.GlobalAveragePool;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.Pool2d.PoolKind;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PoolKernelsTest {
    private static TensorType f32(int... dims) {
        return TensorType.of(DType.F32, dims);
    }

    /** 1, 2, ..., n. */
    private static MemorySegment iota(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i + 1;
        }
        return floats(v);
    }

    private static void expect(OpSpec s, float[] want, MemorySegment x) {
        assertClose(want, runFloats(PoolKernels::compile, true, s, x), 1e-6, 1e-6, "scalar " + s);
        assertClose(want, runFloats(PoolKernels::compile, false, s, x), 1e-6, 1e-6, "vector " + s);
    }

    private static Pool2d pool(PoolKind kind, int k, int s, int[] pads, int d, boolean ceil, boolean countPad) {
        return new Pool2d(kind, k, k, s, s, pads[0], pads[1], pads[2], pads[3], d, d, ceil, countPad);
    }

    @Test
    void maxAndAverageOnFourByFourHandComputed() {
        // x[r][c] = 4r + c + 1.
        TensorType x = f32(1, 1, 4, 4);
        expect(spec(Pool2d.max(2, 2, 0), x), new float[] {6, 8, 14, 16}, iota(16));
        expect(spec(Pool2d.max(3, 2, 1), x), new float[] {6, 8, 14, 16}, iota(16));
        // 3x3 stride 2 pad 1: windows hold 4, 6, 6 and 9 real elements.
        expect(spec(Pool2d.average(3, 2, 1, false), x), new float[] {14f / 4, 30f / 6, 57f / 6, 99f / 9}, iota(16));
        expect(spec(Pool2d.average(3, 2, 1, true), x), new float[] {14f / 9, 30f / 9, 57f / 9, 99f / 9}, iota(16));
    }

    @Test
    void ceilModeDropsNothingButCountsOnlyRealOrPaddedPositions() {
        // 5x5, kernel 2, stride 2, ceil: 3x3 outputs; the last row and column of windows hang past the input.
        TensorType x = f32(1, 1, 5, 5);
        Pool2d avg = new Pool2d(PoolKind.AVERAGE, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, true, false);
        float[] want = {4, 6, 7.5f, 14, 16, 17.5f, 21.5f, 23.5f, 25};
        expect(spec(avg, x), want, iota(25));
        // countIncludePad changes nothing without explicit padding: positions past it never count.
        Pool2d avgPad = new Pool2d(PoolKind.AVERAGE, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, true, true);
        expect(spec(avgPad, x), want, iota(25));
        Pool2d max = new Pool2d(PoolKind.MAX, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, true, false);
        expect(spec(max, x), new float[] {7, 9, 10, 17, 19, 20, 22, 24, 25}, iota(25));
        // With padding 1 at the bottom/right only, counted: the last window holds x[4][4] and three padded cells.
        Pool2d asym = new Pool2d(PoolKind.AVERAGE, 2, 2, 2, 2, 0, 0, 1, 1, 1, 1, true, true);
        float[] wantAsym = {4, 6, 15f / 4, 14, 16, 35f / 4, 43f / 4, 47f / 4, 25f / 4};
        expect(spec(asym, x), wantAsym, iota(25));
    }

    @Test
    void dilationSkipsColumns() {
        // One row [1, 2, 3, 4, 5], kernel 1x2, dilation 2: windows {0, 2}, {1, 3}, {2, 4}.
        Pool2d p = new Pool2d(PoolKind.MAX, 1, 2, 1, 1, 0, 0, 0, 0, 1, 2, false, false);
        expect(spec(p, f32(1, 1, 1, 5)), new float[] {3, 4, 5}, iota(5));
        Pool2d a = new Pool2d(PoolKind.AVERAGE, 1, 2, 1, 1, 0, 0, 0, 0, 1, 2, false, false);
        expect(spec(a, f32(1, 1, 1, 5)), new float[] {2, 3, 4}, iota(5));
    }

    @Test
    void windowWithoutRealElements() {
        // H = 1, kernel 2 with dilation 2 and padding 1: the window reads rows -1 and 1, both outside.
        Pool2d max = new Pool2d(PoolKind.MAX, 2, 1, 1, 1, 1, 0, 1, 0, 2, 1, false, false);
        expect(spec(max, f32(1, 1, 1, 2)), new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, floats(1, 2));
        Pool2d avg = new Pool2d(PoolKind.AVERAGE, 2, 1, 1, 1, 1, 0, 1, 0, 2, 1, false, false);
        expect(spec(avg, f32(1, 1, 1, 2)), new float[] {Float.NaN, Float.NaN}, floats(1, 2));
        Pool2d avgPad = new Pool2d(PoolKind.AVERAGE, 2, 1, 1, 1, 1, 0, 1, 0, 2, 1, false, true);
        expect(spec(avgPad, f32(1, 1, 1, 2)), new float[] {0, 0}, floats(1, 2));
    }

    @Test
    void twinsAgreeOverAttributeCombinations() {
        Random r = new Random(8);
        int[][] shapes = {{2, 3, 17, 13}, {1, 2, 7, 127}, {1, 1, 1, 1}, {0, 2, 5, 5}, {2, 8, 64, 64}};
        int[][] pads = {{0, 0, 0, 0}, {1, 1, 1, 1}, {0, 1, 2, 0}, {2, 0, 1, 2}};
        for (int[] dims : shapes) {
            TensorType x = f32(dims);
            MemorySegment xs = floats(randomFloats(r, x.numel(), -5, 5));
            for (int k : new int[] {1, 3}) {
                for (int s : new int[] {1, 2}) {
                    for (int[] p : pads) {
                        if (p[0] >= k || p[1] >= k || p[2] >= k || p[3] >= k) {
                            continue;
                        }
                        for (int d : new int[] {1, 2}) {
                            for (boolean ceil : new boolean[] {false, true}) {
                                Pool2d mp = pool(PoolKind.MAX, k, s, p, d, ceil, false);
                                if (!fits(mp, dims)) {
                                    continue;
                                }
                                assertTwinsExact(PoolKernels::compile, spec(mp, x), xs);
                                for (boolean countPad : new boolean[] {false, true}) {
                                    Pool2d ap = pool(PoolKind.AVERAGE, k, s, p, d, ceil, countPad);
                                    assertTwinsClose(PoolKernels::compile, spec(ap, x), 1e-6, 1e-6, xs);
                                }
                            }
                        }
                    }
                }
            }
        }
        // A rectangular kernel with unequal strides.
        Pool2d rect = new Pool2d(PoolKind.AVERAGE, 2, 5, 3, 1, 1, 2, 0, 4, 1, 1, true, true);
        TensorType x = f32(2, 2, 11, 40);
        assertTwinsClose(PoolKernels::compile, spec(rect, x), 1e-6, 1e-6, floats(randomFloats(r, x.numel(), -1, 1)));
    }

    /**
     * The stride-2 pooling kernel against the scalar twin over row widths on both sides of one and
     * two vectors (rows narrower than a vector, and the last rows of the tensor that take the element
     * path), windows of 2 and 3 columns, row strides 1 and 2, padding on either side, ceil mode: max
     * bit for bit, on inputs holding -inf and NaN; average within rounding (rows are summed before
     * columns), counting the padding or not.
     */
    @Test
    void strideTwoPoolingMatchesTheScalarTwinAroundTheVectorWidth() {
        Random r = new Random(12);
        int l = Vec.L;
        int[] widths = {1, 2, 3, l - 1, l, l + 1, 2 * l - 1, 2 * l, 2 * l + 1, 2 * l + 3, 3 * l + 5, 111};
        int[][] pads = {{0, 0, 0, 0}, {1, 1, 1, 1}, {0, 1, 1, 0}, {1, 0, 0, 1}};
        int cases = 0;
        for (int w : widths) {
            for (int h : new int[] {1, 4, 7}) {
                TensorType x = f32(2, 3, h, w);
                float[] v = randomFloats(r, x.numel(), -5, 5);
                MemorySegment finite = floats(v);
                v[r.nextInt(v.length)] = Float.NEGATIVE_INFINITY;
                if (w > 3) {
                    v[r.nextInt(v.length)] = Float.NaN;
                }
                MemorySegment special = floats(v);
                for (int k : new int[] {2, 3}) {
                    for (int sh : new int[] {1, 2}) {
                        for (int[] p : pads) {
                            for (boolean ceil : new boolean[] {false, true}) {
                                Pool2d mp = new Pool2d(PoolKind.MAX, k, k, sh, 2, p[0], p[1], p[2], p[3], 1, 1, ceil, false);
                                if (!fits(mp, x.shape().dims())) {
                                    continue;
                                }
                                OpSpec spec = spec(mp, x);
                                assertArrayEquals(runFloats(PoolKernels::compile, true, spec, special), stride2(mp, x, special),
                                        spec.toString());
                                for (boolean countPad : new boolean[] {false, true}) {
                                    Pool2d ap = new Pool2d(PoolKind.AVERAGE, k, k, sh, 2, p[0], p[1], p[2], p[3], 1, 1, ceil, countPad);
                                    OpSpec as = spec(ap, x);
                                    assertClose(runFloats(PoolKernels::compile, true, as, finite), stride2(ap, x, finite), 1e-6, 1e-6,
                                            as.toString());
                                }
                                cases++;
                            }
                        }
                    }
                }
            }
        }
        assertTrue(cases > 500, "cases run: " + cases);
        // Not taken: stride 1 or 3 along the row, windows of 1 or 4 columns, dilation.
        assertFalse(PoolStride2.applies(new Pool2d(PoolKind.MAX, 3, 3, 2, 1, 0, 0, 0, 0, 1, 1, false, false)));
        assertFalse(PoolStride2.applies(new Pool2d(PoolKind.MAX, 3, 3, 3, 3, 0, 0, 0, 0, 1, 1, false, false)));
        assertFalse(PoolStride2.applies(new Pool2d(PoolKind.MAX, 3, 4, 2, 2, 0, 0, 0, 0, 1, 1, false, false)));
        assertFalse(PoolStride2.applies(new Pool2d(PoolKind.AVERAGE, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, false, false)));
        assertFalse(PoolStride2.applies(new Pool2d(PoolKind.MAX, 3, 3, 2, 2, 0, 0, 0, 0, 1, 2, false, false)));
    }

    /** {@code p} on {@code xs} through {@link PoolStride2} directly (which {@link PoolKernels} picks for it). */
    private static float[] stride2(Pool2d p, TensorType x, MemorySegment xs) {
        assertTrue(PoolStride2.applies(p), p::toString);
        TensorType y = spec(p, x).outputs().get(0);
        MemorySegment got = KernelHarness.alloc(y);
        new PoolStride2(p, x.shape(), y.shape()).compile().run(new MemorySegment[] {xs}, new MemorySegment[] {got});
        return KernelHarness.toFloats(got);
    }

    private static boolean fits(Pool2d p, int[] dims) {
        int span = p.dilationH() * (p.kernelH() - 1) + 1;
        return dims[2] + p.padTop() + p.padBottom() >= span && dims[3] + p.padLeft() + p.padRight() >= span;
    }

    @Test
    void globalAveragePool() {
        expect(spec(new GlobalAveragePool(), f32(1, 2, 2, 2)), new float[] {2.5f, 6.5f}, iota(8));
        Random r = new Random(9);
        for (int[] dims : new int[][] {{2, 3, 17, 13}, {1, 1, 1, 1}, {1, 3, 127, 1}, {0, 3, 2, 2}, {4, 64, 30, 30}}) {
            TensorType x = f32(dims);
            assertTwinsClose(PoolKernels::compile, spec(new GlobalAveragePool(), x), 1e-6, 1e-7,
                    floats(randomFloats(r, x.numel(), -1, 1)));
        }
        expect(spec(new GlobalAveragePool(), f32(1, 2, 0, 3)), new float[] {Float.NaN, Float.NaN}, floats());
    }
}
