package dev.accel.hal.op;

import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.TensorType;
import java.util.List;

/**
 * ONNX ConvInteger: convolution of {@code (x - x_zero_point)} by {@code (w - w_zero_point)} with
 * 32-bit accumulation, geometry as {@link Conv2d}; padded positions contribute nothing (they hold
 * the zero point). Inputs: x and w (int8 or uint8), optional x_zero_point (scalar), optional
 * w_zero_point (scalar or 1-D of M, per output channel). Output int32.
 */
public record ConvInteger(Conv2d geometry) implements Op {
    public ConvInteger {
        if (geometry == null) {
            throw new InvalidArgumentException("ConvInteger: geometry is null");
        }
    }

    @Override
    public String name() {
        return "ConvInteger";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 2, 4);
        TensorType x = in.get(0);
        TensorType w = in.get(1);
        OpChecks.dtype(name(), "x", x, DType.I8, DType.U8);
        OpChecks.dtype(name(), "w", w, DType.I8, DType.U8);
        var out = geometry.outputShape(name(), x, w, null);
        if (in.size() > 2) {
            OpChecks.dtype(name(), "x_zero_point", in.get(2), x.dtype());
            OpChecks.scalarParam(name(), "x_zero_point", in.get(2));
        }
        if (in.size() > 3) {
            OpChecks.dtype(name(), "w_zero_point", in.get(3), w.dtype());
            OpChecks.quantParam(name(), "w_zero_point", in.get(3), w.shape().dim(0));
        }
        return List.of(new TensorType(DType.I32, out));
    }
}
