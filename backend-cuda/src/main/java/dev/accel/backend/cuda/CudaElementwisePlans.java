package dev.accel.backend.cuda;

import static dev.accel.backend.cuda.CudaOps.in;
import static dev.accel.backend.cuda.CudaOps.out;
import static dev.accel.backend.cuda.CudaOps.suffix;

import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.Lrn;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.hal.op.Unary;

/** Plans of the elementwise kernels (elementwise.cu). */
final class CudaElementwisePlans {
    static final String MODULE = "elementwise";

    private CudaElementwisePlans() {
    }

    static void unary(CudaPlan p, OpSpec spec, Unary u) {
        TensorType x = in(spec, 0);
        CudaArgs a = CudaStructs.UNARY.pack().ptr("x", CudaRef.input(0)).ptr("y", CudaRef.output(0)).i64("n", x.numel())
                .i32("kind", u.kind().ordinal()).f32("alpha", u.alpha()).f32("beta", u.beta()).build();
        p.elementwise(MODULE, "unary" + suffix(x.dtype()), x.numel(), a);
    }

    static void binary(CudaPlan p, OpSpec spec, Binary b) {
        TensorType ta = in(spec, 0);
        TensorType tb = in(spec, 1);
        Shape outShape = out(spec, 0).shape();
        long n = outShape.numel();
        long[] dims = CudaStrides.dims(outShape);
        CudaStrides.Merged m = CudaStrides.mergeWithin(CudaStrides.MAX_RANK, b.name(), dims,
                ta.shape().broadcastStrides(outShape), tb.shape().broadcastStrides(outShape));
        boolean contiguous = ta.shape().equals(outShape) && tb.shape().equals(outShape);
        CudaArgs a = CudaStructs.BINARY.pack().ptr("a", CudaRef.input(0)).ptr("b", CudaRef.input(1)).ptr("y", CudaRef.output(0))
                .i64("n", n).i32("rank", m.rank()).i32("kind", b.kind().ordinal()).bool("contiguous", contiguous)
                .i64s("dims", m.dims()).i64s("sa", m.strides(0)).i64s("sb", m.strides(1)).build();
        p.elementwise(MODULE, "binary" + suffix(ta.dtype()), n, a);
    }

    /** Variadic Sum: each input accumulated in float (into the output itself for F32, else into scratch, then cast). */
    static void sum(CudaPlan p, OpSpec spec) {
        TensorType y = out(spec, 0);
        long n = y.numel();
        CudaRef acc = y.dtype() == DType.F32 ? CudaRef.output(0) : CudaRef.scratch(p.addScratch(n * 4));
        long[] dims = CudaStrides.dims(y.shape());
        for (int i = 0; i < spec.inputs().size(); i++) {
            TensorType x = in(spec, i);
            CudaStrides.Merged m = CudaStrides.mergeWithin(CudaStrides.MAX_RANK, "Sum", dims, x.shape().broadcastStrides(y.shape()));
            CudaArgs a = CudaStructs.ACCUMULATE.pack().ptr("x", CudaRef.input(i)).ptr("acc", acc).i64("n", n).i32("rank", m.rank())
                    .bool("first", i == 0).i64s("dims", m.dims()).i64s("sx", m.strides(0)).build();
            p.elementwise(MODULE, "accumulate" + suffix(x.dtype()), n, a);
        }
        if (y.dtype() != DType.F32) {
            castLaunch(p, acc, CudaRef.output(0), DType.F32, y.dtype(), n);
        }
    }

    static void cast(CudaPlan p, OpSpec spec) {
        TensorType x = in(spec, 0);
        TensorType y = out(spec, 0);
        if (x.dtype() == y.dtype()) {
            p.copy(CudaRef.input(0), CudaRef.output(0), y.byteSize());
        } else {
            castLaunch(p, CudaRef.input(0), CudaRef.output(0), x.dtype(), y.dtype(), x.numel());
        }
    }

    private static void castLaunch(CudaPlan p, CudaRef src, CudaRef dst, DType from, DType to, long n) {
        CudaArgs a = CudaStructs.CAST.pack().ptr("x", src).ptr("y", dst).i64("n", n).i32("from", from.ordinal())
                .i32("to", to.ordinal()).build();
        p.elementwise(MODULE, "cast_any", n, a);
    }

    /** Channel geometry along {@code axis}: {channels, inner}; a scalar tensor is one channel. */
    private static long[] channels(TensorType x, int axis) {
        if (x.rank() == 0) {
            return new long[] {1, 1};
        }
        int a = x.shape().normalizeAxis(axis);
        return new long[] {x.shape().dim(a), x.shape().product(a + 1, x.rank())};
    }

    static void quantize(CudaPlan p, OpSpec spec, QuantizeLinear q) {
        TensorType x = in(spec, 0);
        long[] ch = channels(x, q.axis());
        boolean hasZp = spec.inputs().size() == 3;
        CudaArgs a = CudaStructs.QUANTIZE.pack().ptr("x", CudaRef.input(0)).ptr("scale", CudaRef.input(1))
                .ptr("zp", hasZp ? CudaRef.input(2) : CudaRef.NULL).ptr("y", CudaRef.output(0)).i64("n", x.numel())
                .i64("inner", ch[1]).i64("channels", ch[0]).i32("scaleStep", in(spec, 1).numel() == 1 ? 0 : 1)
                .i32("zpStep", hasZp && in(spec, 2).numel() != 1 ? 1 : 0).i32("zpType", hasZp ? in(spec, 2).dtype().ordinal() : -1)
                .i32("outType", out(spec, 0).dtype().ordinal()).build();
        p.elementwise(MODULE, "quantize" + suffix(x.dtype()), x.numel(), a);
    }

    static void dequantize(CudaPlan p, OpSpec spec, DequantizeLinear d) {
        TensorType x = in(spec, 0);
        long[] ch = channels(x, d.axis());
        boolean hasZp = spec.inputs().size() == 3;
        CudaArgs a = CudaStructs.DEQUANTIZE.pack().ptr("x", CudaRef.input(0)).ptr("scale", CudaRef.input(1))
                .ptr("zp", hasZp ? CudaRef.input(2) : CudaRef.NULL).ptr("y", CudaRef.output(0)).i64("n", x.numel())
                .i64("inner", ch[1]).i64("channels", ch[0]).i32("scaleStep", in(spec, 1).numel() == 1 ? 0 : 1)
                .i32("zpStep", hasZp && in(spec, 2).numel() != 1 ? 1 : 0).i32("xType", x.dtype().ordinal())
                .bool("hasZp", hasZp).build();
        p.elementwise(MODULE, "dequantize", x.numel(), a);
    }

    static void batchNorm(CudaPlan p, OpSpec spec, BatchNorm b) {
        TensorType x = in(spec, 0);
        CudaArgs a = CudaStructs.BATCH_NORM.pack().ptr("x", CudaRef.input(0)).ptr("scale", CudaRef.input(1))
                .ptr("bias", CudaRef.input(2)).ptr("mean", CudaRef.input(3)).ptr("var", CudaRef.input(4)).ptr("y", CudaRef.output(0))
                .i64("n", x.numel()).i64("inner", x.shape().product(2, x.rank())).i64("channels", x.shape().dim(1))
                .f32("epsilon", b.epsilon()).build();
        p.elementwise(MODULE, "batchnorm" + suffix(x.dtype()), x.numel(), a);
    }

    static void lrn(CudaPlan p, OpSpec spec, Lrn l) {
        TensorType x = in(spec, 0);
        CudaArgs a = CudaStructs.LRN.pack().ptr("x", CudaRef.input(0)).ptr("y", CudaRef.output(0)).i64("n", x.numel())
                .i64("channels", x.shape().dim(1)).i64("plane", x.shape().product(2, 4)).i32("size", l.size())
                .f32("alpha", l.alpha()).f32("beta", l.beta()).f32("bias", l.bias()).build();
        p.elementwise(MODULE, "lrn" + suffix(x.dtype()), x.numel(), a);
    }
}
