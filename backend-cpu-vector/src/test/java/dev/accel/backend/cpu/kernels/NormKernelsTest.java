package dev.accel.backend.cpu.kernels;

import static dev.accel.backend.cpu.kernels.KernelHarness.assertClose;
import static dev.accel.backend.cpu.kernels.KernelHarness.assertTwinsClose;
import static dev.accel.backend.cpu.kernels.KernelHarness.assertTwinsExact;
import static dev.accel.backend.cpu.kernels.KernelHarness.floats;
import static dev.accel.backend.cpu.kernels.KernelHarness.randomFloats;
import static dev.accel.backend.cpu.kernels.KernelHarness.runFloats;
import static dev.accel.backend.cpu.kernels.KernelHarness.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.Lrn;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.ReduceMean;
import dev.accel.hal.op.Softmax;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NormKernelsTest {
    private static final float NAN = Float.NaN;
    private static final float INF = Float.POSITIVE_INFINITY;

    private static TensorType f32(int... dims) {
        return TensorType.of(DType.F32, dims);
    }

    private static MemorySegment rnd(Random r, TensorType t, float lo, float hi) {
        return floats(randomFloats(r, t.numel(), lo, hi));
    }

    private static void expect(OpSpec s, float[] want, double tol, MemorySegment... in) {
        assertClose(want, runFloats(NormKernels::compile, true, s, in), tol, tol, "scalar " + s);
        assertClose(want, runFloats(NormKernels::compile, false, s, in), tol, tol, "vector " + s);
    }

    @Test
    void batchNormHandComputed() {
        // Channel 0: (x - 1) / 2 * 1 + 0; channel 1: (x - 3) / 0.5 * 2 + 1.
        TensorType c = f32(2);
        OpSpec s = spec(new BatchNorm(0f), f32(1, 2, 1, 2), c, c, c, c);
        expect(s, new float[] {0, 0.5f, 1, 5}, 0, floats(1, 2, 3, 4), floats(1, 2), floats(0, 1), floats(1, 3),
                floats(4, 0.25f));
    }

    @Test
    void batchNormTwinsAreEqual() {
        Random r = new Random(1);
        for (int[] dims : new int[][] {{2, 3, 17}, {1, 5}, {3, 7, 5, 5}, {2, 4, 70001}, {0, 3, 2}}) {
            TensorType x = f32(dims);
            TensorType c = f32(dims[1]);
            assertTwinsExact(NormKernels::compile, spec(new BatchNorm(1e-5f), x, c, c, c, c), rnd(r, x, -3, 3),
                    rnd(r, c, 0.5f, 2), rnd(r, c, -1, 1), rnd(r, c, -1, 1), rnd(r, c, 0.1f, 2));
        }
    }

    @Test
    void layerNormHandComputed() {
        // Row [1, 2, 3, 4]: mean 2.5, variance 1.25; a constant row normalises to 0, leaving B.
        OpSpec s = spec(new LayerNorm(-1, 1e-5f), f32(2, 4), f32(4), f32(4));
        expect(s, new float[] {-1.3416354f, -0.4472118f, 0.4472118f, 1.3416354f + 1, 0, 0, 0, 1}, 2e-7,
                floats(1, 2, 3, 4, 2, 2, 2, 2), floats(1, 1, 1, 1), floats(0, 0, 0, 1));
        // Scale broadcast from [1] and no B.
        OpSpec s2 = spec(new LayerNorm(0, 0f), f32(2), f32(1));
        expect(s2, new float[] {-3, 3}, 1e-6, floats(-1, 1), floats(3));
    }

    @Test
    void layerNormTwinsAgree() {
        Random r = new Random(2);
        int[][][] cases = {{{3, 127}, {127}, {127}}, {{2, 3, 17}, {3, 17}, {17}}, {{5, 1}, {1}, {}}, {{4, 1000}, {1000}, {1}},
            {{0, 8}, {8}, {8}}, {{64, 4096}, {4096}, {4096}}};
        int[] axes = {-1, 1, 1, 1, 1, 1};
        for (int i = 0; i < cases.length; i++) {
            TensorType x = f32(cases[i][0]);
            TensorType g = f32(cases[i][1]);
            TensorType b = f32(cases[i][2]);
            assertTwinsClose(NormKernels::compile, spec(new LayerNorm(axes[i], 1e-5f), x, g, b), 2e-5, 2e-5,
                    rnd(r, x, 2, 6), rnd(r, g, 0.5f, 2), rnd(r, b, -1, 1));
        }
    }

    @Test
    void softmaxHandComputed() {
        expect(spec(new Softmax(-1), f32(2, 3)), new float[] {0.09003057f, 0.24472847f, 0.66524096f, 0.5f, 0.5f, 0}, 1e-7,
                floats(1, 2, 3, 1000, 1000, -INF));
        // Along axis 0 of [3, 2]: the columns [1, 2, 3] and [0, 0, 0].
        expect(spec(new Softmax(0), f32(3, 2)), new float[] {0.09003057f, 1f / 3, 0.24472847f, 1f / 3, 0.66524096f, 1f / 3},
                1e-7, floats(1, 0, 2, 0, 3, 0));
        // A row of only -inf is NaN, as exp(-inf - -inf) is: short (the scalar tail) and long (whole vectors).
        expect(spec(new Softmax(1), f32(1, 2)), new float[] {NAN, NAN}, 0, floats(-INF, -INF));
        float[] ninf = new float[80];
        float[] nan = new float[80];
        java.util.Arrays.fill(ninf, -INF);
        java.util.Arrays.fill(nan, NAN);
        expect(spec(new Softmax(1), f32(1, 80)), nan, 0, floats(ninf));
        expect(spec(new Softmax(0), f32(2, 40)), nan, 0, floats(ninf));
    }

    @Test
    void softmaxTwinsAgreeAlongAndAcrossRows() {
        Random r = new Random(3);
        int[][] shapes = {{4, 127}, {3, 17, 5}, {127}, {2, 3, 70}, {1, 1}, {0, 5}, {2, 1100, 3}, {300, 1000}, {2, 30, 3000}};
        int[] axes = {-1, 1, 0, 0, 0, 1, 1, 1, 1};
        for (int i = 0; i < shapes.length; i++) {
            TensorType x = f32(shapes[i]);
            assertTwinsClose(NormKernels::compile, spec(new Softmax(axes[i]), x), 2e-6, 1e-8, rnd(r, x, -20, 20));
        }
    }

    @Test
    void lrnHandComputed() {
        // alpha / size = 1, beta 1, bias 1: y = x / (1 + sum of squares over the window).
        OpSpec s3 = spec(new Lrn(3, 3f, 1f, 1f), f32(1, 3, 1, 1));
        expect(s3, new float[] {1f / 6, 2f / 15, 3f / 14}, 1e-7, floats(1, 2, 3));
        // size 2: the window is [c, c + 1].
        OpSpec s2 = spec(new Lrn(2, 2f, 1f, 1f), f32(1, 3, 1, 1));
        expect(s2, new float[] {1f / 6, 2f / 14, 3f / 10}, 1e-7, floats(1, 2, 3));
        // beta 0.5 and bias 2: 4 / sqrt(2 + 16 / 1) with size 1.
        expect(spec(new Lrn(1, 1f, 0.5f, 2f), f32(1, 1, 1, 1)), new float[] {(float) (4 / Math.sqrt(18))}, 1e-7, floats(4));
    }

    @Test
    void lrnTwinsAgree() {
        Random r = new Random(4);
        for (int[] dims : new int[][] {{2, 5, 3, 7}, {1, 3, 17, 1}, {1, 8, 13, 13}, {2, 16, 40, 40}}) {
            TensorType x = f32(dims);
            for (int size : new int[] {1, 2, 5}) {
                assertTwinsClose(NormKernels::compile, spec(new Lrn(size, 1e-2f, 0.75f, 1f), x), 1e-6, 1e-8,
                        rnd(r, x, -3, 3));
            }
        }
    }

    @Test
    void reduceMeanHandComputed() {
        MemorySegment x = floats(1, 2, 3, 4, 5, 6);
        expect(spec(new ReduceMean(List.of(1), true), f32(2, 3)), new float[] {2, 5}, 0, x);
        expect(spec(new ReduceMean(List.of(0), false), f32(2, 3)), new float[] {2.5f, 3.5f, 4.5f}, 0, x);
        expect(spec(new ReduceMean(List.of(), false), f32(2, 3)), new float[] {3.5f}, 0, x);
        expect(spec(new ReduceMean(List.of(-1, 0), true), f32(2, 3)), new float[] {3.5f}, 0, x);
        // [2, 1, 3] over axis 1 (size 1): a copy.
        expect(spec(new ReduceMean(List.of(1), false), f32(2, 1, 3)), new float[] {1, 2, 3, 4, 5, 6}, 0, x);
        // A mean over no elements is NaN; no outputs is no work.
        expect(spec(new ReduceMean(List.of(1), false), f32(2, 0)), new float[] {NAN, NAN}, 0, floats());
        expect(spec(new ReduceMean(List.of(1), false), f32(0, 3)), new float[0], 0, floats());
    }

    @Test
    void reduceMeanTwinsAgreeWithADoubleReference() {
        Random r = new Random(5);
        int[] dims = {3, 4, 5, 6};
        int[][] axesSets = {{0}, {1}, {2}, {3}, {0, 2}, {1, 3}, {0, 1}, {2, 3}, {0, 3}, {}, {1, 2}, {0, 1, 3}};
        TensorType x = f32(dims);
        float[] xs = randomFloats(r, x.numel(), -1, 1);
        for (int[] axes : axesSets) {
            List<Integer> al = java.util.Arrays.stream(axes).boxed().toList();
            OpSpec s = spec(new ReduceMean(al, false), x);
            // An empty axes list means every axis, as in ONNX.
            float[] want = referenceMean(xs, dims, axes.length == 0 ? new int[] {0, 1, 2, 3} : axes);
            assertClose(want, runFloats(NormKernels::compile, true, s, floats(xs)), 1e-6, 1e-6, "scalar " + al);
            assertClose(want, runFloats(NormKernels::compile, false, s, floats(xs)), 1e-6, 1e-6, "vector " + al);
        }
        for (int n : KernelHarness.SIZES) {
            TensorType t = f32(n);
            float[] v = randomFloats(r, n, 0, 1);
            OpSpec s = spec(new ReduceMean(List.of(), true), t);
            float[] want = referenceMean(v, new int[] {n}, new int[] {0});
            assertClose(want, runFloats(NormKernels::compile, false, s, floats(v)), 1e-5, 0, "vector mean of " + n);
            assertClose(want, runFloats(NormKernels::compile, true, s, floats(v)), 1e-4, 0, "scalar mean of " + n);
            TensorType rows = f32(2, n);
            assertTwinsClose(NormKernels::compile, spec(new ReduceMean(List.of(0), false), rows), 0, 0,
                    rnd(r, rows, -1, 1));
        }
        // Split across cores: many outputs of one row each, and many columns summed down rows.
        TensorType big = f32(300, 1000);
        MemorySegment bigX = rnd(r, big, -1, 1);
        assertTwinsClose(NormKernels::compile, spec(new ReduceMean(List.of(1), false), big), 1e-5, 1e-6, bigX);
        assertTwinsClose(NormKernels::compile, spec(new ReduceMean(List.of(0), false), big), 0, 0, bigX);
    }

    /** The mean in double, each output visiting its inputs by index arithmetic. */
    private static float[] referenceMean(float[] x, int[] dims, int[] axes) {
        boolean[] red = new boolean[dims.length];
        for (int a : axes) {
            red[a] = true;
        }
        int outN = 1;
        for (int d = 0; d < dims.length; d++) {
            outN *= red[d] ? 1 : dims[d];
        }
        double[] sum = new double[outN];
        int[] cnt = new int[outN];
        for (int i = 0; i < x.length; i++) {
            int rem = i;
            int o = 0;
            int mul = 1;
            for (int d = dims.length - 1; d >= 0; d--) {
                int id = rem % dims[d];
                rem /= dims[d];
                if (!red[d]) {
                    o += id * mul;
                    mul *= dims[d];
                }
            }
            sum[o] += x[i];
            cnt[o]++;
        }
        float[] r = new float[outN];
        for (int o = 0; o < outN; o++) {
            r[o] = (float) (sum[o] / cnt[o]);
        }
        assertEquals(x.length, java.util.Arrays.stream(cnt).sum());
        return r;
    }
}
