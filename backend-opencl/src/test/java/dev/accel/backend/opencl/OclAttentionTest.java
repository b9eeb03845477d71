package dev.accel.backend.opencl;

import static dev.accel.backend.opencl.OclTestSupport.assertClose;
import static dev.accel.backend.opencl.OclTestSupport.random;
import static dev.accel.backend.opencl.OclTestSupport.run1;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Shape;
import dev.accel.hal.op.Attention;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OclAttentionTest {
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

    /** softmax(scale Q K^T + mask) V in double; a BOOL mask removes false positions. */
    static double[] reference(HostTensor q, HostTensor k, HostTensor v, HostTensor mask, Attention op) {
        int b = q.shape().dim(0);
        int h = q.shape().dim(1);
        int sq = q.shape().dim(2);
        int d = q.shape().dim(3);
        int sk = k.shape().dim(2);
        int dv = v.shape().dim(3);
        double scale = op.effectiveScale(d);
        Shape full = Shape.of(b, h, sq, sk);
        double[] out = new double[b * h * sq * dv];
        for (int bh = 0; bh < b * h; bh++) {
            for (int i = 0; i < sq; i++) {
                double[] s = new double[sk];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < sk; j++) {
                    double dot = 0;
                    for (int x = 0; x < d; x++) {
                        dot += q.getDouble(((long) bh * sq + i) * d + x) * k.getDouble(((long) bh * sk + j) * d + x);
                    }
                    s[j] = dot * scale;
                    if (op.causal() && j > i) {
                        s[j] = Double.NEGATIVE_INFINITY;
                    }
                    if (mask != null) {
                        double m = Ref.at(mask, full, ((long) bh * sq + i) * sk + j);
                        if (mask.dtype() == DType.BOOL) {
                            s[j] = m == 0 ? Double.NEGATIVE_INFINITY : s[j];
                        } else {
                            s[j] += m;
                        }
                    }
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j < sk; j++) {
                    s[j] = Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int x = 0; x < dv; x++) {
                    double acc = 0;
                    for (int j = 0; j < sk; j++) {
                        acc += s[j] / sum * v.getDouble(((long) bh * sk + j) * dv + x);
                    }
                    out[(bh * sq + i) * dv + x] = max == Double.NEGATIVE_INFINITY ? Double.NaN : acc;
                }
            }
        }
        return out;
    }

    @Test
    void attentionWithMasksCausalAndTypes() {
        Random r = new Random(40);
        for (boolean registers : new boolean[] {true, false}) {
            device.tiles().useRegisterBlocks(registers);
            for (DType t : registers ? new DType[] {DType.F32, DType.F16, DType.BF16} : new DType[] {DType.F32}) {
                HostTensor q = random(r, t, -1, 1, 2, 3, 5, 8);
                HostTensor k = random(r, t, -1, 1, 2, 3, 7, 8);
                HostTensor v = random(r, t, -1, 1, 2, 3, 7, 6);
                HostTensor additive = random(r, t, -2, 0, 1, 1, 5, 7);
                HostTensor bool = OclTestSupport.randomInt(r, DType.BOOL, 0, 1, 2, 1, 1, 7);
                bool.setDouble(0, 1);
                bool.setDouble(7, 1);
                double tol = OclTestSupport.tolerance(t) * (t == DType.F32 ? 1 : 4);
                String mode = registers ? " (registers)" : " (tiles)";
                Attention plain = Attention.standard();
                assertClose(reference(q, k, v, null, plain), run1(device, plain, q, k, v), tol, "attention " + t + mode);
                Attention causal = new Attention(0.3f, true);
                assertClose(reference(q, k, v, null, causal), run1(device, causal, q, k, v), tol, "causal " + t + mode);
                assertClose(reference(q, k, v, additive, plain), run1(device, plain, q, k, v, additive), tol,
                        "additive mask " + t + mode);
                assertClose(reference(q, k, v, bool, causal), run1(device, causal, q, k, v, bool), tol,
                        "bool mask " + t + mode);
            }
        }
    }

    @Test
    void aFullyMaskedRowIsNaN() {
        HostTensor q = OclTestSupport.of(DType.F32, new int[] {1, 1, 2, 1}, 1, 1);
        HostTensor k = OclTestSupport.of(DType.F32, new int[] {1, 1, 2, 1}, 1, 2);
        HostTensor v = OclTestSupport.of(DType.F32, new int[] {1, 1, 2, 1}, 3, 5);
        HostTensor mask = OclTestSupport.of(DType.BOOL, new int[] {2, 1}, 0, 1);
        double w = Math.exp(1) / (Math.exp(1) + Math.exp(2));
        assertClose(new double[] {Double.NaN, 3 * w + 5 * (1 - w)},
                run1(device, new Attention(1f, false), q, k, v, mask), "masked row");
    }
}
