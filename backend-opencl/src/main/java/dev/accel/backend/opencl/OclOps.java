package dev.accel.backend.opencl;

import dev.accel.hal.op.Attention;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.FusedConv;
import dev.accel.hal.op.ConvInteger;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.GlobalAveragePool;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.Lrn;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.Pad;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.hal.op.ReduceMean;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Softmax;
import dev.accel.hal.op.Split;
import dev.accel.hal.op.Sum;
import dev.accel.hal.op.Transpose;
import dev.accel.hal.op.Unary;

/** Maps an op spec to its prepared OpenCL kernels, by op family. */
final class OclOps {
    private OclOps() {
    }

    /** Prepares {@code p.spec}; on failure everything built so far is released. */
    static OclOp compile(OclPrep p) {
        try {
            return switch (p.spec.op()) {
                case Unary u -> OclElementwiseOps.unary(p, u);
                case Binary b -> OclElementwiseOps.binary(p, b);
                case Sum s -> OclElementwiseOps.sum(p);
                case BatchNorm b -> OclElementwiseOps.batchNorm(p, b);
                case Lrn l -> OclElementwiseOps.lrn(p, l);
                case QuantizeLinear q -> OclElementwiseOps.quantize(p, q);
                case DequantizeLinear d -> OclElementwiseOps.dequantize(p, d);
                case Cast c -> OclElementwiseOps.cast(p, c);
                case MatMul m -> OclLinalgOps.matMul(p);
                case Gemm g -> OclLinalgOps.gemm(p, g);
                case MatMulInteger m -> OclLinalgOps.matMulInteger(p, false);
                case QLinearMatMul m -> OclLinalgOps.matMulInteger(p, true);
                case Conv2d c -> OclConvOps.conv(p, c);
                case FusedConv f -> throw new dev.accel.hal.UnsupportedOpException(OclCapabilities.NO_FUSED_CONV);
                case ConvInteger c -> OclConvOps.convInteger(p, c.geometry(), false);
                case QLinearConv c -> OclConvOps.convInteger(p, c.geometry(), true);
                case LayerNorm l -> OclNormOps.layerNorm(p, l);
                case Softmax s -> OclNormOps.softmax(p, s);
                case ReduceMean r -> OclNormOps.reduceMean(p, r);
                case GlobalAveragePool g -> OclNormOps.globalAveragePool(p);
                case Pool2d pool -> OclNormOps.pool(p, pool);
                case Attention a -> OclAttentionOp.attention(p, a);
                case Identity i -> OclLayoutOps.copy(p);
                case Reshape r -> OclLayoutOps.copy(p);
                case Transpose t -> OclLayoutOps.transpose(p, t);
                case Slice s -> OclLayoutOps.slice(p, s);
                case Concat c -> OclLayoutOps.concat(p, c);
                case Split s -> OclLayoutOps.split(p, s);
                case Pad pad -> OclLayoutOps.pad(p, pad);
            };
        } catch (RuntimeException | Error e) {
            p.abandon();
            throw e;
        }
    }
}
