package dev.accel.backend.cpu.linalg;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.backend.cpu.CpuParallel;
import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Scalar twins of the matrix-multiply kernels: plain loops in float (or exact int), one output row
 * at a time, with no packing or blocking, so that they share nothing with the vector path but the
 * shape resolution and the requantization rule. Rows are still split across cores so that the
 * scalar path stays usable on real sizes.
 */
final class ScalarMatMul {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    private ScalarMatMul() {
    }

    static CpuOp matMul(OpSpec spec) {
        MatMulShape s = MatMulShape.of(spec.inputs().get(0).shape(), spec.inputs().get(1).shape());
        int m = s.m();
        int k = s.k();
        int n = s.n();
        return (in, out) -> CpuParallel.forRange(s.batch() * m, grain(n, k), (from, to) -> {
            float[] acc = new float[n];
            for (int r = from; r < to; r++) {
                int t = r / Math.max(1, m);
                long aRow = s.aOffsets()[t] + (long) (r % m) * k;
                long b = s.bOffsets()[t];
                java.util.Arrays.fill(acc, 0f);
                for (int p = 0; p < k; p++) {
                    float av = in[0].getAtIndex(FLOAT, aRow + p);
                    long bRow = b + (long) p * n;
                    for (int j = 0; j < n; j++) {
                        acc[j] += av * in[1].getAtIndex(FLOAT, bRow + j);
                    }
                }
                MemorySegment.copy(acc, 0, out[0], FLOAT, (long) r * n * 4, n);
            }
        });
    }

    static CpuOp gemm(OpSpec spec, Gemm g) {
        Shape as = spec.inputs().get(0).shape();
        Shape bs = spec.inputs().get(1).shape();
        int m = g.transA() ? as.dim(1) : as.dim(0);
        int k = g.transA() ? as.dim(0) : as.dim(1);
        int n = g.transB() ? bs.dim(0) : bs.dim(1);
        boolean useC = spec.inputs().size() == 3 && g.beta() != 0f;
        long[] cs = useC ? spec.inputs().get(2).shape().broadcastStrides(Shape.of(m, n)) : null;
        return (in, out) -> CpuParallel.forRange(m, grain(n, k), (from, to) -> {
            float[] acc = new float[n];
            for (int i = from; i < to; i++) {
                java.util.Arrays.fill(acc, 0f);
                for (int p = 0; p < k; p++) {
                    float av = in[0].getAtIndex(FLOAT, g.transA() ? (long) p * m + i : (long) i * k + p);
                    for (int j = 0; j < n; j++) {
                        acc[j] += av * in[1].getAtIndex(FLOAT, g.transB() ? (long) j * k + p : (long) p * n + j);
                    }
                }
                for (int j = 0; j < n; j++) {
                    float v = g.alpha() * acc[j];
                    if (useC) {
                        v += g.beta() * in[2].getAtIndex(FLOAT, i * cs[0] + j * cs[1]);
                    }
                    out[0].setAtIndex(FLOAT, (long) i * n + j, v);
                }
            }
        });
    }

    static CpuOp matMulInteger(OpSpec spec) {
        TensorType at = spec.inputs().get(0);
        TensorType bt = spec.inputs().get(1);
        int nIn = spec.inputs().size();
        MatMulShape s = MatMulShape.of(at.shape(), bt.shape());
        long bZpCount = nIn > 3 ? spec.inputs().get(3).numel() : 0;
        return (in, out) -> {
            int za = nIn > 2 ? Quant.zeroPoint(in[2], at.dtype()) : 0;
            int[] zb = nIn > 3 ? expand(in[3], bt.dtype(), bZpCount, s.n()) : new int[s.n()];
            integer(s, in[0], at.dtype(), za, in[1], bt.dtype(), zb, out[0]);
        };
    }

    static CpuOp qlinearMatMul(OpSpec spec) {
        TensorType at = spec.inputs().get(0);
        TensorType bt = spec.inputs().get(3);
        DType yt = spec.outputs().get(0).dtype();
        MatMulShape s = MatMulShape.of(at.shape(), bt.shape());
        int n = s.n();
        long bScaleCount = spec.inputs().get(4).numel();
        long bZpCount = spec.inputs().get(5).numel();
        return (in, out) -> {
            int za = Quant.zeroPoint(in[2], at.dtype());
            int[] zb = expand(in[5], bt.dtype(), bZpCount, n);
            double[] mult = Quant.multipliers(in[1].get(FLOAT, 0), Quant.scales(in[4], bScaleCount, n), in[6].get(FLOAT, 0));
            int yzp = Quant.zeroPoint(in[7], yt);
            int rows = s.batch() * s.m();
            MemorySegment acc = MemorySegment.ofArray(new int[Math.max(1, rows * n)]);
            integer(s, in[0], at.dtype(), za, in[3], bt.dtype(), zb, acc);
            int lo = Quant.lo(yt);
            int hi = Quant.hi(yt);
            for (long e = 0; e < (long) rows * n; e++) {
                int v = Quant.requantize(acc.getAtIndex(INT, e), mult[(int) (e % n)], yzp, lo, hi);
                out[0].set(ValueLayout.JAVA_BYTE, e, (byte) v);
            }
        };
    }

    private static void integer(MatMulShape s, MemorySegment a, DType aType, int za, MemorySegment b, DType bType, int[] zb,
            MemorySegment c) {
        int m = s.m();
        int k = s.k();
        int n = s.n();
        CpuParallel.forRange(s.batch() * m, grain(n, k), (from, to) -> {
            int[] acc = new int[n];
            for (int r = from; r < to; r++) {
                int t = r / Math.max(1, m);
                long aRow = s.aOffsets()[t] + (long) (r % m) * k;
                long bBase = s.bOffsets()[t];
                java.util.Arrays.fill(acc, 0);
                for (int p = 0; p < k; p++) {
                    int av = byteAt(a, aType, aRow + p) - za;
                    long bRow = bBase + (long) p * n;
                    for (int j = 0; j < n; j++) {
                        acc[j] += av * (byteAt(b, bType, bRow + j) - zb[j]);
                    }
                }
                MemorySegment.copy(acc, 0, c, INT, (long) r * n * 4, n);
            }
        });
    }

    /** An 8-bit element widened to int. */
    static int byteAt(MemorySegment seg, DType t, long i) {
        byte v = seg.get(ValueLayout.JAVA_BYTE, i);
        return t == DType.U8 ? v & 0xFF : v;
    }

    /** Zero points for {@code channels} channels, a per-tensor value repeated. */
    static int[] expand(MemorySegment seg, DType t, long numel, int channels) {
        int[] r = new int[channels];
        for (int i = 0; i < channels; i++) {
            r[i] = byteAt(seg, t, numel <= 1 ? 0 : i);
        }
        return r;
    }

    private static int grain(int n, int k) {
        return (int) Math.max(1, (1 << 16) / Math.max(1L, (long) n * k));
    }
}
