package dev.accel.backend.cpu.kernels;

import static dev.accel.backend.cpu.kernels.KernelHarness.assertClose;
import static dev.accel.backend.cpu.kernels.KernelHarness.assertTwinsClose;
import static dev.accel.backend.cpu.kernels.KernelHarness.bytes;
import static dev.accel.backend.cpu.kernels.KernelHarness.floats;
import static dev.accel.backend.cpu.kernels.KernelHarness.randomFloats;
import static dev.accel.backend.cpu.kernels.KernelHarness.runFloats;
import static dev.accel.backend.cpu.kernels.KernelHarness.spec;

import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Attention;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AttentionKernelsTest {
    private static final float NAN = Float.NaN;
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    private static TensorType f32(int... dims) {
        return TensorType.of(DType.F32, dims);
    }

    private static void expect(OpSpec s, float[] want, double tol, MemorySegment... in) {
        assertClose(want, runFloats(AttentionKernels::compile, true, s, in), tol, tol, "scalar " + s);
        assertClose(want, runFloats(AttentionKernels::compile, false, s, in), tol, tol, "vector " + s);
    }

    @Test
    void oneQueryTwoKeysHandComputed() {
        // Scores 0 and ln 3: softmax [1/4, 3/4]; values 4 and 8 give 1 + 6 = 7.
        OpSpec s = spec(new Attention(1f, false), f32(1, 1, 1, 1), f32(1, 1, 2, 1), f32(1, 1, 2, 1));
        expect(s, new float[] {7}, 1e-6, floats(1), floats(0, (float) Math.log(3)), floats(4, 8));
        // Default scale 1 / sqrt(D), D = 4: q . k = 4 and 0, scaled to 2 and 0.
        OpSpec d = spec(Attention.standard(), f32(1, 1, 1, 4), f32(1, 1, 2, 4), f32(1, 1, 2, 2));
        double e = Math.exp(2);
        float[] want = {(float) ((e * 1 + 1 * 3) / (e + 1)), (float) ((e * 2 + 1 * 4) / (e + 1))};
        expect(d, want, 1e-6, floats(1, 1, 1, 1), floats(1, 1, 1, 1, 0, 0, 0, 0), floats(1, 2, 3, 4));
    }

    @Test
    void causalMasksLaterKeysFromTheUpperLeft() {
        // Equal scores: row 0 sees key 0 only, row 1 both keys, row 2 (Sq > Sk) both keys.
        OpSpec s = spec(new Attention(1f, true), f32(1, 1, 3, 1), f32(1, 1, 2, 1), f32(1, 1, 2, 2));
        expect(s, new float[] {10, 20, 15, 25, 15, 25}, 1e-6, floats(1, 1, 1), floats(0, 0), floats(10, 20, 20, 30));
    }

    @Test
    void boolAndAdditiveMasksBroadcast() {
        TensorType q = f32(1, 2, 2, 1);
        TensorType k = f32(1, 2, 2, 1);
        TensorType v = f32(1, 2, 2, 1);
        MemorySegment qs = floats(1, 1, 1, 1);
        MemorySegment ks = floats(0, 0, 0, 0);
        MemorySegment vs = floats(1, 3, 5, 7);
        // A [Sk] mask [false, true]: every row takes key 1 only, per head.
        OpSpec b = spec(new Attention(1f, false), q, k, v, TensorType.of(DType.BOOL, 2));
        expect(b, new float[] {3, 3, 7, 7}, 0, qs, ks, vs, bytes(0, 1));
        // [Sq, Sk] with row 1 fully masked: NaN there.
        OpSpec full = spec(new Attention(1f, false), q, k, v, TensorType.of(DType.BOOL, 2, 2));
        expect(full, new float[] {2, NAN, 6, NAN}, 1e-6, qs, ks, vs, bytes(1, 1, 0, 0));
        // Additive [1, 2, 1, 2] per head: head 0 adds ln 3 to key 1, head 1 adds -inf to key 0.
        OpSpec add = spec(new Attention(1f, false), q, k, v, f32(1, 2, 1, 2));
        expect(add, new float[] {2.5f, 2.5f, 7, 7}, 1e-6, qs, ks, vs, floats(0, (float) Math.log(3), NEG_INF, 0));
    }

    @Test
    void fullyMaskedRowsAreNanOnTheVectorLoopsToo() {
        // 40 keys: whole vectors of scores, all removed by the mask, or by causal alignment for none.
        OpSpec s = spec(new Attention(1f, false), f32(1, 1, 2, 3), f32(1, 1, 40, 3), f32(1, 1, 40, 2),
                TensorType.of(DType.BOOL, 2, 40));
        MemorySegment mask = KernelHarness.alloc(TensorType.of(DType.BOOL, 2, 40));
        mask.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 40 + 39, (byte) 1); // row 1 keeps only key 39
        MemorySegment v = floats(randomFloats(new Random(1), 80, -1, 1));
        float[] want = {NAN, NAN, v.getAtIndex(KernelHarness.FLOAT, 78), v.getAtIndex(KernelHarness.FLOAT, 79)};
        expect(s, want, 0, floats(randomFloats(new Random(2), 6, -1, 1)), floats(randomFloats(new Random(3), 120, -1, 1)),
                v, mask);
    }

    @Test
    void noKeysGivesZeros() {
        OpSpec s = spec(new Attention(1f, false), f32(1, 1, 2, 3), f32(1, 1, 0, 3), f32(1, 1, 0, 2));
        expect(s, new float[] {0, 0, 0, 0}, 0, floats(1, 2, 3, 4, 5, 6), floats(), floats());
    }

    @Test
    void twinsAgreeWithADoubleReference() {
        Random r = new Random(12);
        int[][] sizes = {{2, 3, 17, 19, 33, 7}, {1, 2, 5, 127, 64, 17}, {1, 1, 1, 1, 1, 1}, {2, 1, 3, 4, 16, 16},
            {1, 4, 64, 64, 32, 32}};
        for (int[] z : sizes) {
            TensorType q = f32(z[0], z[1], z[2], z[4]);
            TensorType k = f32(z[0], z[1], z[3], z[4]);
            TensorType v = f32(z[0], z[1], z[3], z[5]);
            float[] qs = randomFloats(r, q.numel(), -1, 1);
            float[] ks = randomFloats(r, k.numel(), -1, 1);
            float[] vs = randomFloats(r, v.numel(), -1, 1);
            TensorType am = f32(1, z[1], z[2], z[3]);
            float[] amv = randomFloats(r, am.numel(), -2, 2);
            TensorType bm = TensorType.of(DType.BOOL, z[2], z[3]);
            MemorySegment bmv = KernelHarness.random(r, bm, 0, 0);
            for (int j = 0; j < z[3]; j += 2) {
                bmv.set(java.lang.foreign.ValueLayout.JAVA_BYTE, j, (byte) 1); // row 0 keeps some keys
            }
            for (boolean causal : new boolean[] {false, true}) {
                Attention op = new Attention(Float.NaN, causal);
                OpSpec plain = spec(op, q, k, v);
                check(plain, z, qs, ks, vs, null, null, causal);
                check(spec(op, q, k, v, am), z, qs, ks, vs, amv, am.shape(), causal);
                float[] bmf = new float[(int) bm.numel()];
                for (int i = 0; i < bmf.length; i++) {
                    bmf[i] = bmv.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) != 0 ? 0 : NEG_INF;
                }
                OpSpec boolSpec = spec(op, q, k, v, bm);
                float[] want = reference(z, qs, ks, vs, bmf, bm.shape(), causal);
                MemorySegment[] in = {floats(qs), floats(ks), floats(vs), bmv};
                assertClose(want, runFloats(AttentionKernels::compile, true, boolSpec, in), 1e-5, 1e-6, "scalar bool");
                assertClose(want, runFloats(AttentionKernels::compile, false, boolSpec, in), 1e-5, 1e-6, "vector bool");
                assertTwinsClose(AttentionKernels::compile, boolSpec, 1e-5, 1e-6, in);
            }
        }
    }

    private static void check(OpSpec s, int[] z, float[] q, float[] k, float[] v, float[] mask, Shape maskShape,
            boolean causal) {
        float[] want = reference(z, q, k, v, mask, maskShape, causal);
        MemorySegment[] in = mask == null ? new MemorySegment[] {floats(q), floats(k), floats(v)}
                : new MemorySegment[] {floats(q), floats(k), floats(v), floats(mask)};
        assertClose(want, runFloats(AttentionKernels::compile, true, s, in), 1e-5, 1e-6, "scalar " + s);
        assertClose(want, runFloats(AttentionKernels::compile, false, s, in), 1e-5, 1e-6, "vector " + s);
    }

    /** softmax(Q K^T / sqrt(D) + mask) V in double; {@code mask} additive, broadcast from {@code maskShape}. */
    private static float[] reference(int[] z, float[] q, float[] k, float[] v, float[] mask, Shape maskShape,
            boolean causal) {
        int bh = z[0] * z[1];
        int sq = z[2];
        int sk = z[3];
        int d = z[4];
        int dv = z[5];
        long[] ms = maskShape == null ? null : maskShape.broadcastStrides(Shape.of(z[0], z[1], sq, sk));
        float[] y = new float[bh * sq * dv];
        for (int h = 0; h < bh; h++) {
            for (int i = 0; i < sq; i++) {
                double[] s = new double[sk];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < sk; j++) {
                    double dot = 0;
                    for (int c = 0; c < d; c++) {
                        dot += (double) q[(h * sq + i) * d + c] * k[(h * sk + j) * d + c];
                    }
                    s[j] = dot / Math.sqrt(d);
                    if (ms != null) {
                        s[j] += mask[(int) ((h / z[1]) * ms[0] + (h % z[1]) * ms[1] + i * ms[2] + j * ms[3])];
                    }
                    if (causal && j > i) {
                        s[j] = Double.NEGATIVE_INFINITY;
                    }
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j < sk; j++) {
                    s[j] = Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int c = 0; c < dv; c++) {
                    double acc = 0;
                    for (int j = 0; j < sk; j++) {
                        acc += s[j] / sum * v[(h * sk + j) * dv + c];
                    }
                    y[(h * sq + i) * dv + c] = (float) acc;
                }
            }
        }
        return y;
    }
}
