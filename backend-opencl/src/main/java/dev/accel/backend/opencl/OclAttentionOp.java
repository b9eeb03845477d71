package dev.accel.backend.opencl;

import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Attention;
import java.util.List;
import org.jocl.cl_mem;

/**
 * Scaled dot-product attention as three launches over float32 scratch S {@code [B*H, Sq, Sk]}:
 * S = scale * Q K^T (GEMM), the masked softmax of each row of S in place, then Y = S V (GEMM).
 */
final class OclAttentionOp {
    private OclAttentionOp() {
    }

    static OclOp attention(OclPrep p, Attention a) {
        List<TensorType> ins = p.spec.inputs();
        Shape q = ins.get(0).shape();
        Shape k = ins.get(1).shape();
        Shape v = ins.get(2).shape();
        DType t = ins.get(0).dtype();
        int b = q.dim(0);
        int h = q.dim(1);
        int sq = q.dim(2);
        int d = q.dim(3);
        int sk = k.dim(2);
        int dv = v.dim(3);
        long bh = (long) b * h;
        float scale = (float) a.effectiveScale(d);
        long[] o1 = new long[(int) (4 * Math.max(1, bh))];
        long[] o2 = new long[o1.length];
        for (int i = 0; i < bh; i++) {
            o1[4 * i] = (long) i * sq * d;
            o1[4 * i + 1] = (long) i * sk * d;
            o1[4 * i + 2] = (long) i * sq * sk;
            o2[4 * i] = (long) i * sq * sk;
            o2[4 * i + 1] = (long) i * sk * dv;
            o2[4 * i + 2] = (long) i * sq * dv;
        }
        boolean pack = p.device.tiles().registerBlocked();
        OclLinalgOps.Transposer tr = pack ? OclLinalgOps.transposer(p, t, bh, sk, d) : null;
        OclLinalgOps.Geometry scores = pack
                ? new OclLinalgOps.Geometry(sq, sk, d, d, 1, sk, 1, sk, bh, p.longs(o1))
                : new OclLinalgOps.Geometry(sq, sk, d, d, 1, 1, d, sk, bh, p.longs(o1));
        OclLinalgOps.Geometry values = new OclLinalgOps.Geometry(sq, dv, sk, sk, 1, dv, 1, dv, bh, p.longs(o2));
        OclLinalgOps.GemmFn g1 = OclLinalgOps.gemmFn(p, sq, sk, OclLinalgOps.floatTypes(t, t, DType.F32, t));
        OclLinalgOps.GemmFn g2 = OclLinalgOps.gemmFn(p, sq, dv, OclLinalgOps.floatTypes(DType.F32, t, t, t));
        boolean hasMask = ins.size() == 4;
        DType mk = hasMask ? ins.get(3).dtype() : DType.F32;
        long[] ms = hasMask ? ins.get(3).shape().broadcastStrides(Shape.of(b, h, sq, sk)) : new long[4];
        String opts = "-DMK=" + mk.name() + " -DHAS_MASK=" + (hasMask ? 1 : 0) + (mk == DType.BOOL ? " -DMASK_BOOL" : "");
        OclFunction soft = p.fn("attn_softmax", opts, "reduce.cl", "attention.cl");
        long local = OclNormOps.rowGroup(soft, p.device, sk);
        long rows = bh * sq;
        cl_mem zeros = p.device.zeros();
        long[] bases = new long[4];
        boolean causal = a.causal();
        return p.done((in, out, plan) -> {
            cl_mem s = plan.scratch(4L * rows * sk);
            cl_mem kt = pack ? tr.run(plan, p, in[1]) : in[1];
            OclLinalgOps.runFloat(plan, g1, scores, in[0], kt, s, null, zeros, 0, 0, scale, 0f, bases);
            plan.runRows(soft, rows, local, s, hasMask ? in[3] : zeros, p.ix(sq), p.ix(sk), p.ix(h), p.ix(ms[0]),
                    p.ix(ms[1]), p.ix(ms[2]), p.ix(ms[3]), causal ? 1 : 0, new OclFunction.Local(4 * local));
            OclLinalgOps.runFloat(plan, g2, values, s, in[2], out[0], null, zeros, 0, 0, 1f, 0f, bases);
        });
    }
}
