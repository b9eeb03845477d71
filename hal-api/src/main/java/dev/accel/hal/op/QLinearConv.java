package dev.accel.hal.op;

import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.TensorType;
import java.util.List;

/**
 * ONNX QLinearConv: quantized convolution, geometry as {@link Conv2d}, 32-bit accumulation, then
 * requantized to y's scale and zero point (round half to even, saturate). Inputs, in order: x (int8
 * or uint8), x_scale (float32 scalar), x_zero_point (x's dtype, scalar), w (int8 or uint8), w_scale
 * (float32, scalar or 1-D of M), w_zero_point (w's dtype, like w_scale), y_scale (float32 scalar),
 * y_zero_point (int8 or uint8 scalar; sets the output dtype), optional bias (int32 {@code [M]},
 * in units of {@code x_scale * w_scale}). A backend may compute the requantization multiplier in
 * float32 or wider; results may then differ by one where the scaled accumulator lies near a tie.
 */
public record QLinearConv(Conv2d geometry) implements Op {
    public QLinearConv {
        if (geometry == null) {
            throw new InvalidArgumentException("QLinearConv: geometry is null");
        }
    }

    @Override
    public String name() {
        return "QLinearConv";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 8, 9);
        TensorType x = in.get(0);
        TensorType w = in.get(3);
        OpChecks.dtype(name(), "x", x, DType.I8, DType.U8);
        OpChecks.dtype(name(), "w", w, DType.I8, DType.U8);
        TensorType bias = in.size() == 9 ? in.get(8) : null;
        if (bias != null) {
            OpChecks.dtype(name(), "bias", bias, DType.I32);
        }
        var out = geometry.outputShape(name(), x, w, bias);
        int m = w.shape().dim(0);
        OpChecks.dtype(name(), "x_scale", in.get(1), DType.F32);
        OpChecks.scalarParam(name(), "x_scale", in.get(1));
        OpChecks.dtype(name(), "x_zero_point", in.get(2), x.dtype());
        OpChecks.scalarParam(name(), "x_zero_point", in.get(2));
        OpChecks.dtype(name(), "w_scale", in.get(4), DType.F32);
        OpChecks.quantParam(name(), "w_scale", in.get(4), m);
        OpChecks.dtype(name(), "w_zero_point", in.get(5), w.dtype());
        OpChecks.quantParam(name(), "w_zero_point", in.get(5), m);
        OpChecks.dtype(name(), "y_scale", in.get(6), DType.F32);
        OpChecks.scalarParam(name(), "y_scale", in.get(6));
        OpChecks.dtype(name(), "y_zero_point", in.get(7), DType.I8, DType.U8);
        OpChecks.scalarParam(name(), "y_zero_point", in.get(7));
        return List.of(new TensorType(in.get(7).dtype(), out));
    }
}
