package dev.accel.backend.cuda;

import dev.accel.hal.DType;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
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
import dev.accel.hal.op.Op;
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
 * What the CUDA backend runs and how: {@link #support} for the capabilities, {@link #plan} from
 * an op spec to a {@link CudaPlan}. Every op of the set runs in F32, F16 and BF16 (stored as
 * half, computed in float; MatMul, Gemm and Conv on tensor cores from compute capability 8.0);
 * the quantized ops on 8-bit inputs with dp4a; layout ops, Identity, Reshape and Cast on every
 * dtype.
 */
final class CudaOps {
    private CudaOps() {
    }

    /** Support of {@code spec} on a GPU of {@code arch}: planning decides, so the answer matches what prepare does. */
    static Support support(OpSpec spec, CudaArch arch) {
        try {
            plan(spec, arch);
        } catch (UnsupportedOpException e) {
            return Support.unsupported(e.getMessage());
        }
        Op op = spec.op();
        boolean gemmLike = op instanceof MatMul || op instanceof Gemm || op instanceof Conv2d;
        DType d = spec.inputs().getFirst().dtype();
        if (gemmLike && (d == DType.F16 || d == DType.BF16) && !arch.tensorCores()) {
            return Support.emulated(d.displayName() + " GEMM runs on CUDA cores in float32: tensor-core GEMM needs compute"
                    + " capability 8.0, this GPU has " + arch);
        }
        return Support.nativeSupport();
    }

    /**
     * The plan for {@code spec} on a GPU of {@code arch}.
     *
     * @throws UnsupportedOpException when the spec is outside what the kernels index (with the reason)
     */
    static CudaPlan plan(OpSpec spec, CudaArch arch) {
        CudaPlan p = new CudaPlan();
        switch (spec.op()) {
            case Unary u -> CudaElementwisePlans.unary(p, spec, u);
            case Binary b -> CudaElementwisePlans.binary(p, spec, b);
            case Sum s -> CudaElementwisePlans.sum(p, spec);
            case Cast c -> CudaElementwisePlans.cast(p, spec);
            case QuantizeLinear q -> CudaElementwisePlans.quantize(p, spec, q);
            case DequantizeLinear d -> CudaElementwisePlans.dequantize(p, spec, d);
            case BatchNorm b -> CudaElementwisePlans.batchNorm(p, spec, b);
            case Lrn l -> CudaElementwisePlans.lrn(p, spec, l);
            case Identity i -> p.copy(CudaRef.input(0), CudaRef.output(0), spec.outputs().getFirst().byteSize());
            case Reshape r -> p.copy(CudaRef.input(0), CudaRef.output(0), spec.outputs().getFirst().byteSize());
            case Transpose t -> CudaLayoutPlans.transpose(p, spec, t);
            case Slice s -> CudaLayoutPlans.slice(p, spec, s);
            case Concat c -> CudaLayoutPlans.concat(p, spec, c);
            case Split s -> CudaLayoutPlans.split(p, spec, s);
            case Pad pad -> CudaLayoutPlans.pad(p, spec, pad);
            case Softmax s -> CudaNormPlans.softmax(p, spec, s);
            case LayerNorm l -> CudaNormPlans.layerNorm(p, spec, l);
            case ReduceMean r -> CudaNormPlans.reduceMean(p, spec, r);
            case GlobalAveragePool g -> CudaNormPlans.globalAveragePool(p, spec);
            case Pool2d pool -> CudaNormPlans.pool(p, spec, pool);
            case Attention a -> CudaNormPlans.attention(p, spec, a);
            case MatMul m -> CudaGemmPlans.matMul(p, spec, arch);
            case Gemm g -> CudaGemmPlans.gemm(p, spec, g, arch);
            case Conv2d c -> CudaGemmPlans.conv(p, spec, c, arch);
            case FusedConv f -> throw new UnsupportedOpException("the CUDA backend has no fused convolution kernel; a plan "
                    + "runs the Conv and its activation as two kernels");
            case MatMulInteger m -> CudaIntegerPlans.matMul(p, spec, arch, false);
            case QLinearMatMul m -> CudaIntegerPlans.matMul(p, spec, arch, true);
            case ConvInteger c -> CudaIntegerPlans.conv(p, spec, c.geometry(), arch, false);
            case QLinearConv c -> CudaIntegerPlans.conv(p, spec, c.geometry(), arch, true);
        }
        return p;
    }

    /** Kernel name suffix of a float dtype: "_f32", "_f16", "_bf16". */
    static String suffix(DType d) {
        return switch (d) {
            case F32 -> "_f32";
            case F16 -> "_f16";
            case BF16 -> "_bf16";
            default -> throw new IllegalArgumentException(d + " has no float kernel");
        };
    }

    static TensorType in(OpSpec spec, int i) {
        return spec.inputs().get(i);
    }

    static TensorType out(OpSpec spec, int i) {
        return spec.outputs().get(i);
    }
}
