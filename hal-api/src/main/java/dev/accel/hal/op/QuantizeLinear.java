package dev.accel.hal.op;

import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import java.util.List;

/**
 * ONNX QuantizeLinear: {@code y = saturate(round_half_even(x / scale) + zero_point)}. Inputs: x
 * (float), y_scale (float32; a scalar for per-tensor, or 1-D of x's dimension {@code axis} for
 * per-axis), optional y_zero_point (int8 or uint8, the shape of y_scale; absent means uint8 0).
 * Output: x's shape in the zero point's dtype. The division is computed in float32, as ONNX does, so
 * results may differ by one from a float64 computation where {@code x / scale} lies near a tie.
 */
public record QuantizeLinear(int axis) implements Op {
    @Override
    public String name() {
        return "QuantizeLinear";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 2, 3);
        TensorType x = in.get(0);
        OpChecks.floatType(name(), "x", x);
        TensorType scale = in.get(1);
        OpChecks.dtype(name(), "y_scale", scale, DType.F32);
        int channels = x.rank() == 0 ? 1 : x.shape().dim(x.shape().normalizeAxis(axis));
        OpChecks.quantParam(name(), "y_scale", scale, channels);
        DType out = DType.U8;
        if (in.size() == 3) {
            TensorType zp = in.get(2);
            OpChecks.dtype(name(), "y_zero_point", zp, DType.I8, DType.U8);
            OpChecks.quantParam(name(), "y_zero_point", zp, channels);
            out = zp.dtype();
        }
        return List.of(x.withDType(out));
    }
}
