package dev.accel.backend.vulkan;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Shape;
import dev.accel.hal.op.Attention;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.MatMul;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** MatMul (batched, broadcasting, 1-D), Gemm and Attention against double references. */
class VulkanLinalgTest extends VulkanTestSupport {

    /** numpy matmul in double. */
    static double[] matmulRef(HostTensor a, HostTensor b) {
        Shape as = a.shape();
        Shape bs = b.shape();
        int[] ad = as.rank() == 1 ? new int[] {1, as.dim(0)} : as.dims();
        int[] bd = bs.rank() == 1 ? new int[] {bs.dim(0), 1} : bs.dims();
        int m = ad[ad.length - 2];
        int k = ad[ad.length - 1];
        int n = bd[bd.length - 1];
        Shape ba = Shape.of(Arrays.copyOf(ad, ad.length - 2));
        Shape bb = Shape.of(Arrays.copyOf(bd, bd.length - 2));
        Shape batch = Shape.broadcast(ba, bb);
        long[] sa = ba.broadcastStrides(batch);
        long[] sb = bb.broadcastStrides(batch);
        int[] bdims = batch.dims();
        double[] y = new double[(int) (batch.numel() * m * n)];
        for (int z = 0; z < batch.numel(); z++) {
            long rem = z;
            long oa = 0;
            long ob = 0;
            for (int d = bdims.length - 1; d >= 0; d--) {
                long c = rem % bdims[d];
                rem /= bdims[d];
                oa += c * sa[d];
                ob += c * sb[d];
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        s += a.getDouble(oa * m * k + (long) i * k + p) * b.getDouble(ob * k * n + (long) p * n + j);
                    }
                    y[(int) (((long) z * m + i) * n + j)] = s;
                }
            }
        }
        return y;
    }

    @Test
    void matMulShapes() {
        Random rnd = new Random(21);
        int[][][] cases = {
            {{1, 1}, {1, 1}}, {{3, 17}, {17, 5}}, {{65, 70}, {70, 67}}, {{127, 33}, {33, 129}}, {{7}, {7, 3}}, {{4, 7}, {7}},
            {{9}, {9}}, {{2, 3, 4}, {4, 5}}, {{2, 1, 3, 4}, {3, 4, 6}}, {{5, 0}, {0, 3}}, {{0, 4}, {4, 2}}};
        for (DType dt : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            for (int[][] c : cases) {
                HostTensor a = random(rnd, dt, -1, 1, c[0]);
                HostTensor b = random(rnd, dt, -1, 1, c[1]);
                HostTensor y = run(new MatMul(), a, b)[0];
                assertClose("MatMul " + a.type() + " x " + b.type(), matmulRef(a, b), y, tolFor(dt, a.shape().dim(-1)));
            }
        }
    }

    /** The tiles a GPU gets (64 x 64 and 128 x 128 outputs, K slices of 8), run here on whatever device this is. */
    @Test
    void gpuTilesComputeTheSame() {
        for (VulkanLinalg.Tile t : new VulkanLinalg.Tile[] {new VulkanLinalg.Tile(16, 16, 4, 4, 8), new VulkanLinalg.Tile(16, 16, 8, 8, 8)}) {
            VulkanLinalg.override = t;
            try {
                matMulShapes();
                gemmTransposesAlphaBetaAndBias();
            } catch (AssertionError e) {
                throw new AssertionError("with tile " + t + ": " + e.getMessage(), e);
            } finally {
                VulkanLinalg.override = null;
            }
        }
    }

    /** Accumulated rounding grows with K; float32 accumulation keeps half types to output rounding. */
    static Tol tolFor(DType dt, int k) {
        Tol t = Tol.of(dt);
        return new Tol(t.abs() * Math.max(1, Math.sqrt(k)), t.rel());
    }

    @Test
    void gemmTransposesAlphaBetaAndBias() {
        Random rnd = new Random(22);
        int m = 37;
        int k = 45;
        int n = 29;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (int[] cShape : new int[][] {null, {n}, {m, 1}, {m, n}, {}}) {
                    HostTensor a = random(rnd, DType.F32, -1, 1, ta ? new int[] {k, m} : new int[] {m, k});
                    HostTensor b = random(rnd, DType.F32, -1, 1, tb ? new int[] {n, k} : new int[] {k, n});
                    Gemm op = new Gemm(0.75f, -1.5f, ta, tb);
                    HostTensor c = cShape == null ? null : random(rnd, DType.F32, -1, 1, cShape);
                    HostTensor y = c == null ? run(op, a, b)[0] : run(op, a, b, c)[0];
                    long[] cs = c == null ? null : c.shape().broadcastStrides(Shape.of(m, n));
                    double[] want = new double[m * n];
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double s = 0;
                            for (int p = 0; p < k; p++) {
                                double av = ta ? a.getDouble((long) p * m + i) : a.getDouble((long) i * k + p);
                                double bv = tb ? b.getDouble((long) j * k + p) : b.getDouble((long) p * n + j);
                                s += av * bv;
                            }
                            want[i * n + j] = 0.75 * s + (c == null ? 0 : -1.5 * c.getDouble(i * cs[0] + j * cs[1]));
                        }
                    }
                    assertClose("Gemm transA=" + ta + " transB=" + tb + " C=" + Arrays.toString(cShape), want, y);
                }
            }
        }
    }

    /** Attention in double: softmax(scale Q K^T + mask) V, causal removing j > i. */
    static double[] attentionRef(Attention op, HostTensor q, HostTensor k, HostTensor v, HostTensor mask) {
        int bN = q.shape().dim(0);
        int h = q.shape().dim(1);
        int sq = q.shape().dim(2);
        int d = q.shape().dim(3);
        int sk = k.shape().dim(2);
        int dv = v.shape().dim(3);
        double scale = op.effectiveScale(d);
        long[] ms = mask == null ? null : mask.shape().broadcastStrides(Shape.of(bN, h, sq, sk));
        double[] y = new double[bN * h * sq * dv];
        for (int b = 0; b < bN; b++) {
            for (int hh = 0; hh < h; hh++) {
                int bh = b * h + hh;
                for (int i = 0; i < sq; i++) {
                    double[] s = new double[sk];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < sk; j++) {
                        double dot = 0;
                        for (int p = 0; p < d; p++) {
                            dot += q.getDouble(((long) bh * sq + i) * d + p) * k.getDouble(((long) bh * sk + j) * d + p);
                        }
                        s[j] = scale * dot;
                        if (mask != null) {
                            double mv = mask.getDouble(b * ms[0] + hh * ms[1] + i * ms[2] + j * ms[3]);
                            s[j] = mask.dtype() == DType.BOOL ? (mv == 0 ? Double.NEGATIVE_INFINITY : s[j]) : s[j] + mv;
                        }
                        if (op.causal() && j > i) {
                            s[j] = Double.NEGATIVE_INFINITY;
                        }
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < sk; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int e = 0; e < dv; e++) {
                        double acc = 0;
                        for (int j = 0; j < sk; j++) {
                            acc += s[j] / sum * v.getDouble(((long) bh * sk + j) * dv + e);
                        }
                        y[((bh * sq) + i) * dv + e] = acc;
                    }
                }
            }
        }
        return y;
    }

    @Test
    void attentionWithMasksAndCausality() {
        Random rnd = new Random(23);
        for (DType dt : new DType[] {DType.F32, DType.F16}) {
            int b = 2;
            int h = 3;
            int sq = 5;
            int sk = 7;
            int d = 8;
            int dv = 6;
            HostTensor q = random(rnd, dt, -1, 1, b, h, sq, d);
            HostTensor k = random(rnd, dt, -1, 1, b, h, sk, d);
            HostTensor v = random(rnd, dt, -1, 1, b, h, sk, dv);
            for (Attention op : new Attention[] {Attention.standard(), new Attention(0.3f, true)}) {
                assertClose("Attention " + op + " " + dt, attentionRef(op, q, k, v, null), run(op, q, k, v)[0]);
                HostTensor add = random(rnd, dt, -2, 2, 1, h, sq, sk);
                assertClose("Attention additive mask " + op, attentionRef(op, q, k, v, add), run(op, q, k, v, add)[0]);
                HostTensor keep = HostTensor.allocate(DType.BOOL, b, 1, 1, sk);
                for (int i = 0; i < keep.numel(); i++) {
                    keep.setDouble(i, i % 3 == 0 ? 0 : 1);
                }
                assertClose("Attention bool mask " + op, attentionRef(op, q, k, v, keep), run(op, q, k, v, keep)[0]);
            }
        }
    }

    @Test
    void fullyMaskedQueryRowIsNaN() {
        HostTensor q = random(new Random(1), DType.F32, -1, 1, 1, 1, 2, 4);
        HostTensor k = random(new Random(2), DType.F32, -1, 1, 1, 1, 3, 4);
        HostTensor v = random(new Random(3), DType.F32, -1, 1, 1, 1, 3, 2);
        HostTensor mask = tensor(DType.BOOL, new int[] {2, 3}, 0, 0, 0, 1, 0, 1);
        HostTensor y = run(Attention.standard(), q, k, v, mask)[0];
        assertTrue(Double.isNaN(y.getDouble(0)) && Double.isNaN(y.getDouble(1)), "row 0 has every key masked: " + Arrays.toString(y.toFloatArray()));
        assertClose("Attention partly masked", attentionRef(Attention.standard(), q, k, v, mask), y);
    }
}
