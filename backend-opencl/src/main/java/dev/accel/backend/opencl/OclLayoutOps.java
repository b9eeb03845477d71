package dev.accel.backend.opencl;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Pad;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Split;
import dev.accel.hal.op.Transpose;
import java.lang.foreign.ValueLayout;
import org.jocl.cl_mem;

/**
 * Identity, Reshape, Transpose, Slice, Concat, Split and Pad for every dtype: element moves by
 * element size (1, 2, 4 or 8 bytes), no arithmetic.
 */
final class OclLayoutOps {
    private static final String SRC = "layout.cl";

    private OclLayoutOps() {
    }

    private static String elem(DType d) {
        return "-DE=" + switch (d.byteSize()) {
            case 1 -> "uchar";
            case 2 -> "ushort";
            case 4 -> "uint";
            default -> "ulong";
        };
    }

    /** Identity and Reshape: a buffer copy. */
    static OclOp copy(OclPrep p) {
        long bytes = p.spec.outputs().getFirst().byteSize();
        return p.done((in, out, plan) -> plan.copy(in[0], 0, out[0], 0, bytes));
    }

    static OclOp transpose(OclPrep p, Transpose t) {
        TensorType x = p.spec.inputs().getFirst();
        Shape y = p.spec.outputs().getFirst().shape();
        int[] perm = t.resolvedPerm(x.rank());
        long[] xs = x.shape().strides();
        long[] src = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            src[i] = xs[perm[i]];
        }
        cl_mem meta = p.meta(OclShapes.collapse(y.dims(), src, y.strides()));
        OclFunction f = p.fn("strided_copy", elem(x.dtype()), SRC);
        long n = y.numel();
        return p.done((in, out, plan) -> plan.run(f, n, in[0], out[0], meta, p.ix(n), p.ix(0), p.ix(0)));
    }

    static OclOp slice(OclPrep p, Slice s) {
        TensorType x = p.spec.inputs().getFirst();
        Shape y = p.spec.outputs().getFirst().shape();
        Slice.Range[] r = s.resolve(x.shape());
        long[] xs = x.shape().strides();
        long[] src = new long[r.length];
        long base = 0;
        for (int d = 0; d < r.length; d++) {
            src[d] = r[d].step() * xs[d];
            if (y.numel() > 0) {
                base += r[d].start() * xs[d];
            }
        }
        cl_mem meta = p.meta(OclShapes.collapse(y.dims(), src, y.strides()));
        OclFunction f = p.fn("strided_copy", elem(x.dtype()), SRC);
        long n = y.numel();
        long b = base;
        return p.done((in, out, plan) -> plan.run(f, n, in[0], out[0], meta, p.ix(n), p.ix(b), p.ix(0)));
    }

    static OclOp concat(OclPrep p, Concat c) {
        Shape y = p.spec.outputs().getFirst().shape();
        int axis = y.normalizeAxis(c.axis());
        long[] ys = y.strides();
        int k = p.spec.inputs().size();
        cl_mem[] metas = new cl_mem[k];
        long[] bases = new long[k];
        long[] counts = new long[k];
        long offset = 0;
        for (int i = 0; i < k; i++) {
            Shape x = p.spec.inputs().get(i).shape();
            metas[i] = p.meta(OclShapes.collapse(x.dims(), x.strides(), ys));
            bases[i] = offset * ys[axis];
            counts[i] = x.numel();
            offset += x.dim(axis);
        }
        OclFunction f = p.fn("strided_copy", elem(p.spec.outputs().getFirst().dtype()), SRC);
        return p.done((in, out, plan) -> {
            for (int i = 0; i < k; i++) {
                plan.run(f, counts[i], in[i], out[0], metas[i], p.ix(counts[i]), p.ix(0), p.ix(bases[i]));
            }
        });
    }

    static OclOp split(OclPrep p, Split s) {
        TensorType x = p.spec.inputs().getFirst();
        int axis = x.shape().normalizeAxis(s.axis());
        long[] xs = x.shape().strides();
        int k = p.spec.outputs().size();
        cl_mem[] metas = new cl_mem[k];
        long[] bases = new long[k];
        long[] counts = new long[k];
        long offset = 0;
        for (int i = 0; i < k; i++) {
            Shape y = p.spec.outputs().get(i).shape();
            metas[i] = p.meta(OclShapes.collapse(y.dims(), xs, y.strides()));
            bases[i] = offset * xs[axis];
            counts[i] = y.numel();
            offset += y.dim(axis);
        }
        OclFunction f = p.fn("strided_copy", elem(x.dtype()), SRC);
        return p.done((in, out, plan) -> {
            for (int i = 0; i < k; i++) {
                plan.run(f, counts[i], in[0], out[i], metas[i], p.ix(counts[i]), p.ix(bases[i]), p.ix(0));
            }
        });
    }

    static OclOp pad(OclPrep p, Pad pad) {
        TensorType x = p.spec.inputs().getFirst();
        Shape y = p.spec.outputs().getFirst().shape();
        int r = x.rank();
        long[] meta = new long[1 + 4 * r];
        meta[0] = r;
        long[] xs = x.shape().strides();
        for (int d = 0; d < r; d++) {
            meta[1 + d] = y.dim(d);
            meta[1 + r + d] = x.shape().dim(d);
            meta[1 + 2 * r + d] = pad.pads().get(d);
            meta[1 + 3 * r + d] = xs[d];
        }
        cl_mem m = p.meta(meta);
        OclFunction f = p.fn("pad", elem(x.dtype()), SRC);
        int mode = switch (pad.mode()) {
            case CONSTANT -> 0;
            case EDGE -> 1;
            case REFLECT -> 2;
        };
        Object value = constant(x.dtype(), pad.value());
        long n = y.numel();
        return p.done((in, out, plan) -> plan.run(f, n, in[0], out[0], m, p.ix(n), mode, value));
    }

    /** The pad value converted to the dtype (as HostTensor stores it), boxed at the element's size. */
    private static Object constant(DType d, float v) {
        try (HostTensor t = HostTensor.allocate(d)) {
            t.setDouble(0, v);
            var seg = t.segment();
            return switch (d.byteSize()) {
                case 1 -> seg.get(ValueLayout.JAVA_BYTE, 0);
                case 2 -> seg.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0);
                case 4 -> seg.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
                default -> seg.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
            };
        }
    }
}
