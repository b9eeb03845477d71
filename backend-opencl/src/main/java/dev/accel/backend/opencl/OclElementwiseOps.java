package dev.accel.backend.opencl;

import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.Lrn;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.hal.op.Unary;
import java.util.List;
import org.jocl.cl_mem;

/** Elementwise ops: Unary, Binary (broadcasting), Sum, BatchNorm, LRN, Quantize/DequantizeLinear, Cast. */
final class OclElementwiseOps {
    private static final String SRC = "elementwise.cl";

    private OclElementwiseOps() {
    }

    private static String floatKind(OclPrep p) {
        return "-DT=" + OclPrep.kind(p.spec.inputs().getFirst().dtype());
    }

    static OclOp unary(OclPrep p, Unary u) {
        int code = switch (u.kind()) {
            case RELU -> 0;
            case LEAKY_RELU -> 1;
            case SIGMOID -> 2;
            case TANH -> 3;
            case GELU -> 4;
            case GELU_TANH -> 5;
            case ERF -> 6;
            case SQRT -> 7;
            case EXP -> 8;
            case CLIP -> 9;
            case HARD_SIGMOID -> 10;
            case HARD_SWISH -> 11;
        };
        OclFunction f = p.fn("unary", floatKind(p), SRC);
        long n = p.spec.outputs().getFirst().numel();
        float alpha = u.alpha();
        float beta = u.beta();
        return p.done((in, out, plan) -> plan.run(f, n, in[0], out[0], p.ix(n), code, alpha, beta));
    }

    static OclOp binary(OclPrep p, Binary b) {
        int code = switch (b.kind()) {
            case ADD -> 0;
            case SUB -> 1;
            case MUL -> 2;
            case DIV -> 3;
            case POW -> 4;
            case MAX -> 5;
            case MIN -> 6;
            case PRELU -> 7;
        };
        OclFunction f = p.fn("binary", floatKind(p), SRC);
        Shape out = p.spec.outputs().getFirst().shape();
        cl_mem meta = p.meta(OclShapes.broadcast(out, p.spec.inputs().get(0).shape(), p.spec.inputs().get(1).shape()));
        long n = out.numel();
        return p.done((in, o, plan) -> plan.run(f, n, in[0], in[1], o[0], meta, p.ix(n), code));
    }

    static OclOp sum(OclPrep p) {
        OclFunction step = p.fn("sum_step", floatKind(p), SRC);
        TensorType outT = p.spec.outputs().getFirst();
        boolean f32 = outT.dtype() == DType.F32;
        OclFunction narrow = f32 ? null : p.fn("narrow", floatKind(p), SRC);
        List<TensorType> ins = p.spec.inputs();
        cl_mem[] metas = new cl_mem[ins.size()];
        for (int i = 0; i < metas.length; i++) {
            metas[i] = p.meta(OclShapes.broadcast(outT.shape(), ins.get(i).shape()));
        }
        long n = outT.numel();
        return p.done((in, out, plan) -> {
            cl_mem acc = f32 ? out[0] : plan.scratch(4 * n);
            for (int i = 0; i < in.length; i++) {
                plan.run(step, n, acc, in[i], metas[i], p.ix(n), i == 0 ? 1 : 0);
            }
            if (!f32) {
                plan.run(narrow, n, acc, out[0], p.ix(n));
            }
        });
    }

    static OclOp batchNorm(OclPrep p, BatchNorm b) {
        OclFunction f = p.fn("batchnorm", floatKind(p), SRC);
        Shape x = p.spec.inputs().getFirst().shape();
        long n = x.numel();
        long c = x.dim(1);
        long inner = x.product(2, x.rank());
        float eps = b.epsilon();
        return p.done((in, out, plan) -> plan.run(f, n, in[0], in[1], in[2], in[3], in[4], out[0], p.ix(n), p.ix(c),
                p.ix(inner), eps));
    }

    static OclOp lrn(OclPrep p, Lrn l) {
        OclFunction f = p.fn("lrn", floatKind(p), SRC);
        Shape x = p.spec.inputs().getFirst().shape();
        long n = x.numel();
        long c = x.dim(1);
        long hw = x.product(2, 4);
        return p.done((in, out, plan) -> plan.run(f, n, in[0], out[0], p.ix(n), p.ix(c), p.ix(hw), l.size(), l.alpha(),
                l.beta(), l.bias()));
    }

    /** Channel count, inner size and whether the parameters are per axis, for Quantize/DequantizeLinear. */
    private static long[] axisLayout(Shape x, TensorType scale, int axis) {
        boolean perAxis = !(scale.numel() == 1 && scale.rank() <= 1);
        if (!perAxis || x.rank() == 0) {
            return new long[] {1, 1, 0};
        }
        int a = x.normalizeAxis(axis);
        return new long[] {x.dim(a), x.product(a + 1, x.rank()), 1};
    }

    static OclOp quantize(OclPrep p, QuantizeLinear q) {
        TensorType x = p.spec.inputs().getFirst();
        DType outT = p.spec.outputs().getFirst().dtype();
        OclFunction f = p.fn("quantize", "-DT=" + OclPrep.kind(x.dtype()) + " -DTQ=" + OclPrep.kind(outT), "quant.cl");
        long[] lay = axisLayout(x.shape(), p.spec.inputs().get(1), q.axis());
        boolean hasZp = p.spec.inputs().size() == 3;
        long n = x.numel();
        cl_mem zeros = p.device.zeros();
        return p.done((in, out, plan) -> plan.run(f, n, in[0], in[1], hasZp ? in[2] : zeros, out[0], p.ix(n),
                p.ix(lay[0]), p.ix(lay[1]), (int) lay[2]));
    }

    static OclOp dequantize(OclPrep p, DequantizeLinear d) {
        TensorType x = p.spec.inputs().getFirst();
        OclFunction f = p.fn("dequantize", "-DTX=" + OclPrep.kind(x.dtype()), "quant.cl");
        long[] lay = axisLayout(x.shape(), p.spec.inputs().get(1), d.axis());
        boolean hasZp = p.spec.inputs().size() == 3;
        long n = x.numel();
        cl_mem zeros = p.device.zeros();
        return p.done((in, out, plan) -> plan.run(f, n, in[0], in[1], hasZp ? in[2] : zeros, out[0], p.ix(n),
                p.ix(lay[0]), p.ix(lay[1]), (int) lay[2]));
    }

    static OclOp cast(OclPrep p, Cast c) {
        DType from = p.spec.inputs().getFirst().dtype();
        DType to = c.to();
        long n = p.spec.outputs().getFirst().numel();
        if (from == to) {
            long bytes = p.spec.outputs().getFirst().byteSize();
            return p.done((in, out, plan) -> plan.copy(in[0], 0, out[0], 0, bytes));
        }
        OclFunction f = p.fn("cast_any", "", "cast.cl");
        return p.done((in, out, plan) -> plan.run(f, n, in[0], out[0], p.ix(n), from.ordinal(), to.ordinal()));
    }
}
