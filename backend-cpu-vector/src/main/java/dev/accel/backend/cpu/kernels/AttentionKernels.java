package dev.accel.backend.cpu.kernels;

import static dev.accel.backend.cpu.kernels.Vec.F;
import static dev.accel.backend.cpu.kernels.Vec.L;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.Attention;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * CPU kernel for Attention: per query row, {@code s_j = scale * (q . k_j) + mask_j} (a BOOL mask
 * false, or with causal a key {@code j > i}, gives -inf), {@code p = softmax(s)} with the maximum
 * subtracted, then {@code y = sum_j p_j v_j}. A row whose every key is masked is NaN, as the
 * softmax of all -inf is; with no keys at all (Sk = 0) the output is 0, the empty sum. The vector
 * path takes the dot products along D and accumulates along Dv with the Vector API; rows are split
 * across cores.
 */
public final class AttentionKernels {
    private AttentionKernels() {
    }

    /**
     * Compiles an Attention spec; {@code scalar} selects the scalar reference twin.
     *
     * @throws UnsupportedOpException for another op, or float inputs that are not float32
     */
    public static CpuOp compile(OpSpec spec, boolean scalar) {
        if (!(spec.op() instanceof Attention op)) {
            throw new UnsupportedOpException("cpu: " + spec + " is not Attention");
        }
        TensorType q = spec.inputs().get(0);
        Vec.requireF32(spec, q, "Q");
        Vec.requireF32(spec, spec.inputs().get(1), "K");
        Vec.requireF32(spec, spec.inputs().get(2), "V");
        Shape qs = q.shape();
        int b = qs.dim(0);
        int h = qs.dim(1);
        int sq = qs.dim(2);
        int d = qs.dim(3);
        int sk = spec.inputs().get(1).shape().dim(2);
        int dv = spec.inputs().get(2).shape().dim(3);
        TensorType mask = spec.inputs().size() > 3 ? spec.inputs().get(3) : null;
        if (mask != null && mask.dtype() != DType.BOOL) {
            Vec.requireF32(spec, mask, "mask");
        }
        Plan p = new Plan((long) b * h, h, sq, sk, d, dv, (float) op.effectiveScale(d), op.causal(),
                mask == null ? null : mask.shape().broadcastStrides(Shape.of(b, h, sq, sk)),
                mask != null && mask.dtype() == DType.BOOL);
        return (in, out) -> {
            MemorySegment m = in.length > 3 ? in[3] : null;
            long rows = p.heads * sq;
            if (scalar) {
                float[] s = new float[sk];
                for (long r = 0; r < rows; r++) {
                    rowScalar(p, in[0], in[1], in[2], m, out[0], r, s);
                }
                return;
            }
            Vec.forItems(rows, (long) sk * (d + dv), (from, to) -> {
                float[] s = new float[sk];
                float[] acc = new float[dv];
                for (long r = from; r < to; r++) {
                    rowVector(p, in[0], in[1], in[2], m, out[0], r, s, acc);
                }
            });
        };
    }

    /** Sizes and attributes; {@code maskStrides} over [B, H, Sq, Sk], or null without a mask. */
    private record Plan(long heads, int h, int sq, int sk, int d, int dv, float scale, boolean causal,
            long[] maskStrides, boolean boolMask) {
        /** The mask term for query row {@code r} (flat over B, H, Sq) and key {@code j}: 0, an additive value, or -inf. */
        float mask(MemorySegment m, long r, int j) {
            int i = (int) (r % sq);
            if (causal && j > i) {
                return Float.NEGATIVE_INFINITY;
            }
            if (maskStrides == null) {
                return 0f;
            }
            long head = r / sq;
            long off = head / h * maskStrides[0] + head % h * maskStrides[1] + (long) i * maskStrides[2]
                    + (long) j * maskStrides[3];
            if (boolMask) {
                return m.get(Vec.BYTE, off) != 0 ? 0f : Float.NEGATIVE_INFINITY;
            }
            return Vec.get(m, off);
        }
    }

    private static void rowScalar(Plan p, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment m,
            MemorySegment y, long r, float[] s) {
        long head = r / p.sq;
        long qo = r * p.d;
        long ko = head * p.sk * p.d;
        long vo = head * p.sk * p.dv;
        long yo = r * p.dv;
        if (p.sk == 0) {
            for (int c = 0; c < p.dv; c++) {
                Vec.set(y, yo + c, 0f);
            }
            return;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < p.sk; j++) {
            float dot = 0;
            for (int c = 0; c < p.d; c++) {
                dot += Vec.get(q, qo + c) * Vec.get(k, ko + (long) j * p.d + c);
            }
            s[j] = dot * p.scale + p.mask(m, r, j);
            max = Math.max(max, s[j]);
        }
        float sum = 0;
        for (int j = 0; j < p.sk; j++) {
            s[j] = (float) Math.exp(s[j] - max);
            sum += s[j];
        }
        for (int c = 0; c < p.dv; c++) {
            float acc = 0;
            for (int j = 0; j < p.sk; j++) {
                acc += s[j] / sum * Vec.get(v, vo + (long) j * p.dv + c);
            }
            Vec.set(y, yo + c, acc);
        }
    }

    private static void rowVector(Plan p, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment m,
            MemorySegment y, long r, float[] s, float[] acc) {
        long head = r / p.sq;
        long qo = r * p.d;
        long ko = head * p.sk * p.d;
        long vo = head * p.sk * p.dv;
        long yo = r * p.dv;
        Arrays.fill(acc, 0f);
        if (p.sk > 0) {
            int ubd = F.loopBound(p.d);
            for (int j = 0; j < p.sk; j++) {
                long kj = ko + (long) j * p.d;
                FloatVector dv = FloatVector.zero(F);
                int c = 0;
                for (; c < ubd; c += L) {
                    dv = Vec.load(q, qo + c).fma(Vec.load(k, kj + c), dv);
                }
                float dot = dv.reduceLanes(VectorOperators.ADD);
                for (; c < p.d; c++) {
                    dot += Vec.get(q, qo + c) * Vec.get(k, kj + c);
                }
                s[j] = dot * p.scale + p.mask(m, r, j);
            }
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < p.sk; j++) {
                max = Math.max(max, s[j]);
            }
            int ubk = F.loopBound(p.sk);
            FloatVector vmax = FloatVector.broadcast(F, max);
            FloatVector vsum = FloatVector.zero(F);
            int j = 0;
            for (; j < ubk; j += L) {
                FloatVector e = FloatVector.fromArray(F, s, j).sub(vmax).lanewise(VectorOperators.EXP);
                e.intoArray(s, j);
                vsum = vsum.add(e);
            }
            float sum = vsum.reduceLanes(VectorOperators.ADD);
            for (; j < p.sk; j++) {
                s[j] = (float) Math.exp(s[j] - max);
                sum += s[j];
            }
            int ubv = F.loopBound(p.dv);
            for (j = 0; j < p.sk; j++) {
                float pj = s[j] / sum;
                long vj = vo + (long) j * p.dv;
                FloatVector vp = FloatVector.broadcast(F, pj);
                int c = 0;
                for (; c < ubv; c += L) {
                    vp.fma(Vec.load(v, vj + c), FloatVector.fromArray(F, acc, c)).intoArray(acc, c);
                }
                for (; c < p.dv; c++) {
                    acc[c] += pj * Vec.get(v, vj + c);
                }
            }
        }
        MemorySegment.copy(acc, 0, y, Vec.FLOAT, yo * 4, p.dv);
    }
}
