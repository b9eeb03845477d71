package dev.accel.backend.opencl;

import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.ReduceMean;
import dev.accel.hal.op.Softmax;
import java.util.Arrays;
import org.jocl.cl_mem;

/**
 * LayerNormalization, Softmax, ReduceMean and GlobalAveragePool (one work-group per row or output,
 * reducing in local memory), and MaxPool / AveragePool (one work item per output).
 */
final class OclNormOps {
    private OclNormOps() {
    }

    /** Power-of-two work-group size for rows of {@code length}, within the kernel's and device's limits. */
    static long rowGroup(OclFunction f, OclDevice d, long length) {
        long cap = Math.min(Math.min(256, d.cl().maxWorkGroupSize()), f.maxWorkGroupSize());
        long g = 1;
        while (g * 2 <= cap && g < length) {
            g *= 2;
        }
        return g;
    }

    private static String t(OclPrep p) {
        return "-DT=" + p.spec.inputs().getFirst().dtype().name();
    }

    static OclOp layerNorm(OclPrep p, LayerNorm l) {
        TensorType x = p.spec.inputs().getFirst();
        int axis = x.shape().normalizeAxis(l.axis());
        long rows = x.shape().product(0, axis);
        long len = x.shape().product(axis, x.rank());
        Shape norm = Shape.of(Arrays.copyOfRange(x.shape().dims(), axis, x.rank()));
        boolean hasBias = p.spec.inputs().size() == 3;
        Shape scale = p.spec.inputs().get(1).shape();
        Shape bias = hasBias ? p.spec.inputs().get(2).shape() : scale;
        cl_mem meta = p.meta(OclShapes.broadcast(norm, scale, bias));
        OclFunction f = p.fn("layernorm", t(p), "reduce.cl", "norm.cl");
        long local = rowGroup(f, p.device, len);
        float eps = l.epsilon();
        return p.done((in, out, plan) -> plan.runRows(f, rows, local, in[0], in[1], hasBias ? in[2] : in[1], out[0], meta,
                p.ix(len), eps, hasBias ? 1 : 0, new OclFunction.Local(4 * local)));
    }

    static OclOp softmax(OclPrep p, Softmax s) {
        Shape x = p.spec.inputs().getFirst().shape();
        int axis = x.normalizeAxis(s.axis());
        long a = x.dim(axis);
        long inner = x.product(axis + 1, x.rank());
        long rows = x.product(0, axis) * inner;
        OclFunction f = p.fn("softmax", t(p), "reduce.cl", "norm.cl");
        long local = rowGroup(f, p.device, a);
        return p.done((in, out, plan) -> plan.runRows(f, rows, local, in[0], out[0], p.ix(a), p.ix(inner),
                new OclFunction.Local(4 * local)));
    }

    static OclOp reduceMean(OclPrep p, ReduceMean r) {
        Shape x = p.spec.inputs().getFirst().shape();
        int[] red = r.resolvedAxes(x.rank());
        boolean[] isRed = new boolean[x.rank()];
        for (int a : red) {
            isRed[a] = true;
        }
        return reduce(p, x, isRed);
    }

    static OclOp globalAveragePool(OclPrep p) {
        Shape x = p.spec.inputs().getFirst().shape();
        return reduce(p, x, new boolean[] {false, false, true, true});
    }

    private static OclOp reduce(OclPrep p, Shape x, boolean[] isRed) {
        long[] strides = x.strides();
        int kr = 0;
        for (boolean b : isRed) {
            kr += b ? 0 : 1;
        }
        int rr = x.rank() - kr;
        long[] meta = new long[2 + 2 * kr + 2 * rr];
        meta[0] = kr;
        meta[1 + 2 * kr] = rr;
        int ki = 0;
        int ri = 0;
        long reduced = 1;
        for (int d = 0; d < x.rank(); d++) {
            if (isRed[d]) {
                meta[2 + 2 * kr + ri] = x.dim(d);
                meta[2 + 2 * kr + rr + ri] = strides[d];
                reduced *= x.dim(d);
                ri++;
            } else {
                meta[1 + ki] = x.dim(d);
                meta[1 + kr + ki] = strides[d];
                ki++;
            }
        }
        long outputs = p.spec.outputs().getFirst().numel();
        cl_mem m = p.meta(meta);
        OclFunction f = p.fn("reduce_mean", t(p), "reduce.cl", "norm.cl");
        long local = rowGroup(f, p.device, reduced);
        long count = reduced;
        return p.done((in, out, plan) -> plan.runRows(f, outputs, local, in[0], out[0], m, p.ix(count),
                new OclFunction.Local(4 * local)));
    }

    static OclOp pool(OclPrep p, Pool2d k) {
        Shape x = p.spec.inputs().getFirst().shape();
        Shape y = p.spec.outputs().getFirst().shape();
        OclFunction f = p.fn("pool", t(p), "pool.cl");
        long n = y.numel();
        boolean max = k.kind() == Pool2d.PoolKind.MAX;
        return p.done((in, out, plan) -> plan.run(f, n, in[0], out[0], p.ix(n), x.dim(2), x.dim(3), y.dim(2), y.dim(3),
                k.kernelH(), k.kernelW(), k.strideH(), k.strideW(), k.padTop(), k.padLeft(), k.padBottom(), k.padRight(),
                k.dilationH(), k.dilationW(), max ? 1 : 0, k.countIncludePad() ? 1 : 0));
    }
}
