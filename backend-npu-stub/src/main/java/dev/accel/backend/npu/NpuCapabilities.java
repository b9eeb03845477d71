package dev.accel.backend.npu;

import dev.accel.hal.Capabilities;
import dev.accel.hal.DType;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.GlobalAveragePool;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.hal.op.Softmax;
import dev.accel.hal.op.Unary;

/**
 * What the simulated NPU runs: the float16 subset (Conv, MatMul, Gemm, Add, Mul, Relu, Clip,
 * HardSwish, MaxPool, AveragePool, GlobalAveragePool, Softmax), the 8-bit quantized ops
 * (QLinearConv, QLinearMatMul, per tensor or per output channel) and QuantizeLinear from float16.
 * Everything it runs is NATIVE; everything else is UNSUPPORTED with the reason. Nothing is
 * emulated: the device has no float32 at all, as real NPUs do not.
 */
final class NpuCapabilities implements Capabilities {
    /** The reason given for every float32 spec. */
    static final String F32_REASON = "the NPU computes in int8 and float16 only; keep this op on another device "
            + "or allow FP16";
    static final String RUNS = "it runs Conv, MatMul, Gemm, Add, Mul, Relu, Clip, HardSwish, MaxPool, AveragePool, "
            + "GlobalAveragePool and Softmax in float16, and QLinearConv, QLinearMatMul and QuantizeLinear in int8/uint8";

    private final int maxRank;

    NpuCapabilities(int maxRank) {
        this.maxRank = maxRank;
    }

    @Override
    public Support support(OpSpec spec) {
        for (TensorType t : spec.inputs()) {
            if (t.rank() > maxRank) {
                return Support.unsupported("a tensor of rank " + t.rank() + " (" + t + "); the NPU takes rank <= "
                        + maxRank);
            }
        }
        Op op = spec.op();
        return switch (op) {
            case Conv2d c -> float16(spec);
            case MatMul m -> float16(spec);
            case Gemm g -> float16(spec);
            case Pool2d p -> float16(spec);
            case GlobalAveragePool g -> float16(spec);
            case Softmax s -> float16(spec);
            case Binary b -> b.kind() == Binary.Kind.ADD || b.kind() == Binary.Kind.MUL ? float16(spec)
                    : Support.unsupported("the NPU's vector unit has no " + op.name() + "; of the binary ops it runs "
                    + "Add and Mul (float16)");
            case Unary u -> u.kind() == Unary.Kind.RELU || u.kind() == Unary.Kind.CLIP
                    || u.kind() == Unary.Kind.HARD_SWISH ? float16(spec)
                    : Support.unsupported("the NPU's activation unit has no " + describe(u) + "; it runs Relu, "
                    + "Clip and HardSwish (float16)");
            case QLinearConv q -> Support.nativeSupport();
            case QLinearMatMul q -> Support.nativeSupport();
            case QuantizeLinear q -> float16(spec);
            case DequantizeLinear d -> Support.unsupported("DequantizeLinear produces float32, which the NPU can "
                    + "neither compute nor hold; dequantize on another device, or keep the consumer in int8 "
                    + "(QLinearConv, QLinearMatMul)");
            default -> Support.unsupported("the NPU has no " + op.name() + " unit; " + RUNS);
        };
    }

    private static String describe(Unary u) {
        return u.kind() == Unary.Kind.GELU_TANH ? "Gelu (tanh approximation)" : u.name();
    }

    /** NATIVE when the spec's first input (whose dtype the others share) is float16. */
    private static Support float16(OpSpec spec) {
        DType d = spec.inputs().get(0).dtype();
        String op = spec.op().name();
        return switch (d) {
            case F16 -> Support.nativeSupport();
            case F32 -> Support.unsupported(F32_REASON);
            case BF16 -> Support.unsupported("the NPU has no bfloat16: " + F32_REASON);
            default -> Support.unsupported("the NPU runs " + op + " on float16 input only, got " + d.displayName());
        };
    }
}
