package dev.accel.hal.op;

import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import java.util.List;

/**
 * ONNX DequantizeLinear: {@code y = (x - zero_point) * scale}. Inputs: x (int8, uint8 or int32),
 * x_scale (float32, scalar or 1-D along {@code axis}), optional x_zero_point (x's dtype, the shape
 * of x_scale; absent means 0). Output: float32 of x's shape.
 */
public record DequantizeLinear(int axis) implements Op {
    @Override
    public String name() {
        return "DequantizeLinear";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 2, 3);
        TensorType x = in.get(0);
        OpChecks.dtype(name(), "x", x, DType.I8, DType.U8, DType.I32);
        TensorType scale = in.get(1);
        OpChecks.dtype(name(), "x_scale", scale, DType.F32);
        int channels = x.rank() == 0 ? 1 : x.shape().dim(x.shape().normalizeAxis(axis));
        OpChecks.quantParam(name(), "x_scale", scale, channels);
        if (in.size() == 3) {
            OpChecks.dtype(name(), "x_zero_point", in.get(2), x.dtype());
            OpChecks.quantParam(name(), "x_zero_point", in.get(2), channels);
        }
        return List.of(x.withDType(DType.F32));
    }
}
