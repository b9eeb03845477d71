package dev.accel.hal.op;

import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import java.util.List;

/**
 * ONNX QLinearMatMul: dequantize A and B, multiply with 32-bit integer accumulation, requantize to
 * the output's scale and zero point (round half to even, saturate). Inputs, in order: a (int8 or
 * uint8), a_scale (float32 scalar), a_zero_point (a's dtype, scalar), b (int8 or uint8), b_scale
 * (float32, scalar or 1-D of N), b_zero_point (b's dtype, like b_scale), y_scale (float32 scalar),
 * y_zero_point (int8 or uint8 scalar; it sets the output dtype). Shapes as {@link MatMul}. A backend
 * may compute the requantization multiplier in float32 or wider; results may then differ by one
 * where the scaled accumulator lies near a tie.
 */
public record QLinearMatMul() implements Op {
    @Override
    public String name() {
        return "QLinearMatMul";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 8, 8);
        TensorType a = in.get(0);
        TensorType b = in.get(3);
        OpChecks.dtype(name(), "a", a, DType.I8, DType.U8);
        OpChecks.dtype(name(), "b", b, DType.I8, DType.U8);
        var out = MatMul.outputShape(name(), a.shape(), b.shape());
        int n = b.shape().dim(-1);
        OpChecks.dtype(name(), "a_scale", in.get(1), DType.F32);
        OpChecks.scalarParam(name(), "a_scale", in.get(1));
        OpChecks.dtype(name(), "a_zero_point", in.get(2), a.dtype());
        OpChecks.scalarParam(name(), "a_zero_point", in.get(2));
        OpChecks.dtype(name(), "b_scale", in.get(4), DType.F32);
        OpChecks.quantParam(name(), "b_scale", in.get(4), n);
        OpChecks.dtype(name(), "b_zero_point", in.get(5), b.dtype());
        OpChecks.quantParam(name(), "b_zero_point", in.get(5), n);
        OpChecks.dtype(name(), "y_scale", in.get(6), DType.F32);
        OpChecks.scalarParam(name(), "y_scale", in.get(6));
        OpChecks.dtype(name(), "y_zero_point", in.get(7), DType.I8, DType.U8);
        OpChecks.scalarParam(name(), "y_zero_point", in.get(7));
        return List.of(new TensorType(in.get(7).dtype(), out));
    }
}
