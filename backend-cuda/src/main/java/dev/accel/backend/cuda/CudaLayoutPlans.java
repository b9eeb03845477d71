package dev.accel.backend.cuda;

import static dev.accel.backend.cuda.CudaOps.in;
import static dev.accel.backend.cuda.CudaOps.out;

import dev.accel.hal.HostTensor;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Pad;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Split;
import dev.accel.hal.op.Transpose;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Plans of the layout kernels (layout.cu), for every dtype by element size. Transpose, Slice,
 * Concat and Split are strided copies; where the source and destination turn out contiguous
 * after merging dimensions the copy is a plain {@code cuMemcpyDtoDAsync}.
 */
final class CudaLayoutPlans {
    static final String MODULE = "layout";

    private CudaLayoutPlans() {
    }

    /**
     * Copies every index of {@code dims} from {@code src[srcOff + idx . ss]} to {@code dst[dstOff + idx . ds]}
     * (offsets and strides in elements of {@code elemSize} bytes).
     */
    static void stridedCopy(CudaPlan p, String what, int elemSize, long[] dims, CudaRef src, long srcOff, long[] ss,
                            CudaRef dst, long dstOff, long[] ds) {
        long n = CudaStrides.product(dims);
        if (n == 0) {
            return;
        }
        CudaStrides.Merged m = CudaStrides.mergeWithin(CudaStrides.MAX_RANK, what, dims, ss, ds);
        if (m.rank() == 0 || (m.rank() == 1 && m.strides(0)[0] == 1 && m.strides(1)[0] == 1)) {
            p.copy(src.plus(srcOff * elemSize), dst.plus(dstOff * elemSize), n * elemSize);
            return;
        }
        CudaArgs a = CudaStructs.COPY.pack().ptr("src", src).ptr("dst", dst).i64("n", n).i64("srcOff", srcOff)
                .i64("dstOff", dstOff).i32("rank", m.rank()).i64s("dims", m.dims()).i64s("ss", m.strides(0))
                .i64s("ds", m.strides(1)).build();
        p.elementwise(MODULE, "copy_" + elemSize, n, a);
    }

    static void transpose(CudaPlan p, OpSpec spec, Transpose t) {
        TensorType x = in(spec, 0);
        TensorType y = out(spec, 0);
        int[] perm = t.resolvedPerm(x.rank());
        long[] inStrides = CudaStrides.rowMajor(CudaStrides.dims(x.shape()));
        long[] ss = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            ss[i] = inStrides[perm[i]];
        }
        long[] dims = CudaStrides.dims(y.shape());
        stridedCopy(p, "Transpose", x.dtype().byteSize(), dims, CudaRef.input(0), 0, ss, CudaRef.output(0), 0,
                CudaStrides.rowMajor(dims));
    }

    static void slice(CudaPlan p, OpSpec spec, Slice s) {
        TensorType x = in(spec, 0);
        Slice.Range[] r = s.resolve(x.shape());
        long[] inStrides = CudaStrides.rowMajor(CudaStrides.dims(x.shape()));
        long[] dims = new long[r.length];
        long[] ss = new long[r.length];
        long off = 0;
        for (int d = 0; d < r.length; d++) {
            dims[d] = r[d].count();
            ss[d] = inStrides[d] * r[d].step();
            off += r[d].count() == 0 ? 0 : (long) r[d].start() * inStrides[d];
        }
        stridedCopy(p, "Slice", x.dtype().byteSize(), dims, CudaRef.input(0), off, ss, CudaRef.output(0), 0,
                CudaStrides.rowMajor(dims));
    }

    static void concat(CudaPlan p, OpSpec spec, Concat c) {
        TensorType y = out(spec, 0);
        int axis = y.shape().normalizeAxis(c.axis());
        long[] outStrides = CudaStrides.rowMajor(CudaStrides.dims(y.shape()));
        long at = 0;
        for (int i = 0; i < spec.inputs().size(); i++) {
            TensorType x = in(spec, i);
            long[] dims = CudaStrides.dims(x.shape());
            stridedCopy(p, "Concat", y.dtype().byteSize(), dims, CudaRef.input(i), 0, CudaStrides.rowMajor(dims),
                    CudaRef.output(0), at * outStrides[axis], outStrides);
            at += x.shape().dim(axis);
        }
    }

    static void split(CudaPlan p, OpSpec spec, Split s) {
        TensorType x = in(spec, 0);
        int axis = x.shape().normalizeAxis(s.axis());
        long[] inStrides = CudaStrides.rowMajor(CudaStrides.dims(x.shape()));
        long at = 0;
        for (int j = 0; j < spec.outputs().size(); j++) {
            TensorType y = out(spec, j);
            long[] dims = CudaStrides.dims(y.shape());
            stridedCopy(p, "Split", x.dtype().byteSize(), dims, CudaRef.input(0), at * inStrides[axis], inStrides,
                    CudaRef.output(j), 0, CudaStrides.rowMajor(dims));
            at += y.shape().dim(axis);
        }
    }

    static void pad(CudaPlan p, OpSpec spec, Pad pad) {
        TensorType x = in(spec, 0);
        TensorType y = out(spec, 0);
        int r = x.rank();
        if (y.numel() == 0) {
            return;
        }
        if (y.equals(x)) {
            p.copy(CudaRef.input(0), CudaRef.output(0), y.byteSize());
            return;
        }
        if (r > CudaStrides.MAX_RANK) {
            throw new UnsupportedOpException("Pad: rank " + r + ", the CUDA kernel pads at most " + CudaStrides.MAX_RANK + " dimensions");
        }
        long[] begin = new long[r];
        for (int d = 0; d < r; d++) {
            begin[d] = pad.pads().get(d);
        }
        long[] inDims = CudaStrides.dims(x.shape());
        CudaArgs a = CudaStructs.PAD.pack().ptr("src", CudaRef.input(0)).ptr("dst", CudaRef.output(0)).i64("n", y.numel())
                .i64("value", fillBits(x, pad.value())).i32("rank", r).i32("mode", pad.mode().ordinal())
                .i64s("outDims", CudaStrides.dims(y.shape())).i64s("inDims", inDims).i64s("inStrides", CudaStrides.rowMajor(inDims))
                .i64s("begin", begin).build();
        p.elementwise(MODULE, "pad_" + x.dtype().byteSize(), y.numel(), a);
    }

    /** The constant fill value converted to the tensor's dtype (as {@link HostTensor#setDouble} converts), as raw bits. */
    static long fillBits(TensorType x, float value) {
        try (HostTensor one = HostTensor.allocate(x.dtype())) {
            one.setDouble(0, value);
            byte[] b = new byte[8];
            int size = x.dtype().byteSize();
            for (int i = 0; i < size; i++) {
                b[i] = one.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, i);
            }
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
        }
    }
}
