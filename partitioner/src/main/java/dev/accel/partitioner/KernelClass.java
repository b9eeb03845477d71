package dev.accel.partitioner;

import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.FusedConv;
import dev.accel.hal.op.ConvInteger;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;

/**
 * The kernel class of a spec: the key of {@link dev.accel.hal.DeviceProfile#efficiency}, i.e. the
 * group of kernels that attain about the same fraction of a device's roofline. Convolutions split
 * into {@code Conv.1x1} (a GEMM over the pixels), {@code Conv.depthwise} (one input channel per
 * group: bandwidth-bound, little reuse) and {@code Conv} (the rest), in float and quantized forms
 * alike; {@code MatMul} covers MatMul, Gemm and their quantized forms; every other op is its own
 * class, named by its ONNX op type ("Relu", "Add", "MaxPool").
 */
public final class KernelClass {
    public static final String CONV = "Conv";
    public static final String CONV_1X1 = "Conv.1x1";
    public static final String CONV_DEPTHWISE = "Conv.depthwise";
    public static final String MATMUL = "MatMul";

    private KernelClass() {
    }

    /** The class of {@code spec}. */
    public static String of(OpSpec spec) {
        Conv2d conv = switch (spec.op()) {
            case Conv2d c -> c;
            case FusedConv f -> f.conv();
            case QLinearConv q -> q.geometry();
            case ConvInteger c -> c.geometry();
            default -> null;
        };
        if (conv != null) {
            int xIndex = 0;
            int wIndex = spec.op() instanceof QLinearConv ? 3 : 1;
            TensorType x = spec.inputs().get(xIndex);
            TensorType w = spec.inputs().get(wIndex);
            long inChannels = x.shape().dim(1);
            if (conv.groups() > 1 && conv.groups() == inChannels) {
                return CONV_DEPTHWISE;
            }
            if (w.shape().dim(2) == 1 && w.shape().dim(3) == 1 && conv.groups() == 1) {
                return CONV_1X1;
            }
            return CONV;
        }
        return switch (spec.op()) {
            case MatMul m -> MATMUL;
            case Gemm g -> MATMUL;
            case MatMulInteger m -> MATMUL;
            case QLinearMatMul q -> MATMUL;
            default -> spec.op().name();
        };
    }
}
