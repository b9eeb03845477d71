package dev.accel.backend.vulkan;

import dev.accel.hal.TensorType;
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
import dev.accel.hal.op.OpSpec;
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

/**
 * Plans every op of {@code dev.accel.hal.op} for a device: the single place that maps an op to
 * its family's planner. Planning needs only the spec and the device's features, so
 * {@link dev.accel.hal.Capabilities#support} is a plan that is thrown away.
 */
final class VulkanPlanner {
    private VulkanPlanner() {
    }

    /**
     * The plan for a spec.
     *
     * @throws VulkanPlanBuilder.Unsupported with the reason when the device cannot run it
     */
    static VulkanPlan plan(OpSpec spec, VulkanFeatures features) {
        VulkanPlanBuilder b = new VulkanPlanBuilder(spec, features);
        for (TensorType t : spec.inputs()) {
            b.requireIndexable(t.numel(), spec.op().name() + " input " + t);
        }
        for (TensorType t : spec.outputs()) {
            b.requireIndexable(t.numel(), spec.op().name() + " output " + t);
        }
        switch (spec.op()) {
            case Unary u -> VulkanElementwise.unary(b, u);
            case Binary o -> VulkanElementwise.binary(b, o);
            case Sum s -> VulkanElementwise.sum(b);
            case BatchNorm n -> VulkanElementwise.batchNorm(b, n);
            case Lrn l -> VulkanElementwise.lrn(b, l);
            case Cast c -> VulkanElementwise.cast(b);
            case QuantizeLinear q -> VulkanElementwise.quantize(b, q);
            case DequantizeLinear q -> VulkanElementwise.dequantize(b, q);
            case MatMul m -> VulkanLinalg.matMul(b);
            case Gemm g -> VulkanLinalg.gemm(b, g);
            case MatMulInteger m -> VulkanLinalg.matMulInteger(b);
            case QLinearMatMul m -> VulkanLinalg.qLinearMatMul(b);
            case Attention a -> VulkanLinalg.attention(b, a);
            case Conv2d c -> VulkanConv.conv(b, c);
            case FusedConv f -> throw new VulkanPlanBuilder.Unsupported("the Vulkan backend has no fused convolution kernel; a plan "
                    + "runs the Conv and its activation as two kernels");
            case ConvInteger c -> VulkanConv.convInteger(b, c);
            case QLinearConv c -> VulkanConv.qLinearConv(b, c);
            case Pool2d p -> VulkanConv.pool(b, p);
            case GlobalAveragePool g -> VulkanNorm.globalAveragePool(b);
            case Softmax s -> VulkanNorm.softmax(b, s);
            case LayerNorm l -> VulkanNorm.layerNorm(b, l);
            case ReduceMean r -> VulkanNorm.reduceMean(b, r);
            case Identity i -> VulkanLayout.identity(b);
            case Reshape r -> VulkanLayout.identity(b);
            case Transpose t -> VulkanLayout.transpose(b, t);
            case Concat c -> VulkanLayout.concat(b, c);
            case Slice s -> VulkanLayout.slice(b, s);
            case Split s -> VulkanLayout.split(b, s);
            case Pad p -> VulkanLayout.pad(b, p);
        }
        return b.build();
    }
}
