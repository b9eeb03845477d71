package dev.accel.backend.cuda;

import static dev.accel.backend.cuda.CudaOps.in;
import static dev.accel.backend.cuda.CudaOps.out;
import static dev.accel.backend.cuda.CudaOps.suffix;

import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.Attention;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.ReduceMean;
import dev.accel.hal.op.Softmax;
import java.util.Arrays;

/** Plans of the reductions, normalisations and pooling (reduce.cu) and of attention (attention.cu). */
final class CudaNormPlans {
    static final String MODULE = "reduce";
    /** Most blocks of a block-per-row kernel; the kernels loop over the rest. */
    static final int MAX_ROWS = 1 << 20;

    private CudaNormPlans() {
    }

    /** Threads per block for a block that reduces {@code len} elements: a power of two from 32 to 256. */
    static int blockFor(long len) {
        int b = 32;
        while (b < 256 && b < len) {
            b <<= 1;
        }
        return b;
    }

    static void softmax(CudaPlan p, OpSpec spec, Softmax s) {
        TensorType x = in(spec, 0);
        int axis = x.shape().normalizeAxis(s.axis());
        long outer = x.shape().product(0, axis);
        long len = x.shape().dim(axis);
        long inner = x.shape().product(axis + 1, x.rank());
        CudaArgs a = CudaStructs.SOFTMAX.pack().ptr("x", CudaRef.input(0)).ptr("y", CudaRef.output(0)).i64("outer", outer)
                .i64("len", len).i64("inner", inner).build();
        if (x.numel() == 0) {
            return;
        }
        if (inner == 1) {
            p.grid(MODULE, "softmax_rows" + suffix(x.dtype()), (int) Math.min(outer, MAX_ROWS), 1, 1, blockFor(len), a);
        } else {
            p.elementwise(MODULE, "softmax_cols" + suffix(x.dtype()), outer * inner, a);
        }
    }

    static void layerNorm(CudaPlan p, OpSpec spec, LayerNorm l) {
        TensorType x = in(spec, 0);
        int axis = x.shape().normalizeAxis(l.axis());
        long rows = x.shape().product(0, axis);
        long cols = x.shape().product(axis, x.rank());
        Shape norm = Shape.of(Arrays.copyOfRange(x.shape().dims(), axis, x.rank()));
        long[] normDims = CudaStrides.dims(norm);
        long[] dense = CudaStrides.rowMajor(normDims);
        boolean hasBias = spec.inputs().size() == 3;
        long[] ss = in(spec, 1).shape().broadcastStrides(norm);
        long[] bs = hasBias ? in(spec, 2).shape().broadcastStrides(norm) : dense;
        CudaStrides.Merged m = CudaStrides.mergeWithin(CudaStrides.MAX_RANK, "LayerNormalization", normDims, ss, bs);
        CudaArgs a = CudaStructs.LAYER_NORM.pack().ptr("x", CudaRef.input(0)).ptr("scale", CudaRef.input(1))
                .ptr("bias", hasBias ? CudaRef.input(2) : CudaRef.NULL).ptr("y", CudaRef.output(0)).i64("rows", rows)
                .i64("cols", cols).bool("hasBias", hasBias).bool("scaleDense", Arrays.equals(ss, dense))
                .bool("biasDense", Arrays.equals(bs, dense)).i32("rank", m.rank()).f32("epsilon", l.epsilon())
                .i64s("dims", m.dims()).i64s("scaleStrides", m.strides(0)).i64s("biasStrides", m.strides(1)).build();
        if (rows > 0 && cols > 0) {
            p.grid(MODULE, "layernorm" + suffix(x.dtype()), (int) Math.min(rows, MAX_ROWS), 1, 1, blockFor(cols), a);
        }
    }

    static void reduceMean(CudaPlan p, OpSpec spec, ReduceMean r) {
        TensorType x = in(spec, 0);
        int[] axes = r.resolvedAxes(x.rank());
        reduce(p, spec, x, axes);
    }

    static void globalAveragePool(CudaPlan p, OpSpec spec) {
        reduce(p, spec, in(spec, 0), new int[] {2, 3});
    }

    private static void reduce(CudaPlan p, OpSpec spec, TensorType x, int[] axes) {
        long[] dims = CudaStrides.dims(x.shape());
        long[] strides = CudaStrides.rowMajor(dims);
        boolean[] reduced = new boolean[dims.length];
        for (int a : axes) {
            reduced[a] = true;
        }
        long[] keptDims = new long[dims.length - axes.length];
        long[] keptStrides = new long[keptDims.length];
        long[] redDims = new long[axes.length];
        long[] redStrides = new long[axes.length];
        for (int d = 0, k = 0, q = 0; d < dims.length; d++) {
            if (reduced[d]) {
                redDims[q] = dims[d];
                redStrides[q++] = strides[d];
            } else {
                keptDims[k] = dims[d];
                keptStrides[k++] = strides[d];
            }
        }
        CudaStrides.Merged kept = CudaStrides.mergeWithin(CudaStrides.MAX_RANK, "ReduceMean", keptDims, keptStrides);
        CudaStrides.Merged red = CudaStrides.mergeWithin(CudaStrides.MAX_RANK, "ReduceMean", redDims, redStrides);
        long nOut = CudaStrides.product(keptDims);
        long nRed = CudaStrides.product(redDims);
        CudaArgs a = CudaStructs.REDUCE.pack().ptr("x", CudaRef.input(0)).ptr("y", CudaRef.output(0)).i64("nOut", nOut)
                .i64("nRed", nRed).i32("outRank", kept.rank()).i32("redRank", red.rank()).i64s("outDims", kept.dims())
                .i64s("outStrides", kept.strides(0)).i64s("redDims", red.dims()).i64s("redStrides", red.strides(0)).build();
        if (nOut > 0) {
            p.grid(MODULE, "reduce_mean" + suffix(x.dtype()), (int) Math.min(nOut, MAX_ROWS), 1, 1, blockFor(nRed), a);
        }
    }

    static void pool(CudaPlan p, OpSpec spec, Pool2d k) {
        TensorType x = in(spec, 0);
        TensorType y = out(spec, 0);
        CudaArgs a = CudaStructs.POOL.pack().ptr("x", CudaRef.input(0)).ptr("y", CudaRef.output(0)).i64("n", y.numel())
                .i32("H", x.shape().dim(2)).i32("W", x.shape().dim(3)).i32("OH", y.shape().dim(2)).i32("OW", y.shape().dim(3))
                .i32("kH", k.kernelH()).i32("kW", k.kernelW()).i32("sH", k.strideH()).i32("sW", k.strideW())
                .i32("pT", k.padTop()).i32("pL", k.padLeft()).i32("pB", k.padBottom()).i32("pR", k.padRight())
                .i32("dH", k.dilationH()).i32("dW", k.dilationW()).i32("kind", k.kind() == Pool2d.PoolKind.MAX ? 0 : 1)
                .bool("countIncludePad", k.countIncludePad()).build();
        p.elementwise(MODULE, "pool" + suffix(x.dtype()), y.numel(), a);
    }

    static void attention(CudaPlan p, OpSpec spec, Attention att) {
        TensorType q = in(spec, 0);
        TensorType k = in(spec, 1);
        TensorType v = in(spec, 2);
        int b = q.shape().dim(0);
        int h = q.shape().dim(1);
        int sq = q.shape().dim(2);
        int d = q.shape().dim(3);
        int sk = k.shape().dim(2);
        int dv = v.shape().dim(3);
        if (b > 65535 || h > 65535) {
            throw new UnsupportedOpException("Attention: batch " + b + " and heads " + h + " must each be at most 65535 on CUDA");
        }
        boolean hasMask = spec.inputs().size() == 4;
        int maskKind = 0;
        long[] ms = new long[4];
        if (hasMask) {
            TensorType mask = in(spec, 3);
            maskKind = mask.dtype() == DType.BOOL ? 2 : 1;
            ms = mask.shape().broadcastStrides(Shape.of(b, h, sq, sk));
        }
        long scores = (long) b * h * sq * sk;
        int scratch = p.addScratch(scores * 4);
        CudaArgs a = CudaStructs.ATTENTION.pack().ptr("q", CudaRef.input(0)).ptr("k", CudaRef.input(1)).ptr("v", CudaRef.input(2))
                .ptr("mask", hasMask ? CudaRef.input(3) : CudaRef.NULL).ptr("y", CudaRef.output(0))
                .ptr("scores", CudaRef.scratch(scratch)).i32("B", b).i32("H", h).i32("Sq", sq).i32("Sk", sk).i32("D", d)
                .i32("Dv", dv).f32("scale", (float) att.effectiveScale(d)).bool("causal", att.causal())
                .i32("maskKind", maskKind).i64s("ms", ms).build();
        if (out(spec, 0).numel() > 0) {
            p.grid("attention", "attention" + suffix(q.dtype()), sq, h, b, 128, a);
        }
    }
}
