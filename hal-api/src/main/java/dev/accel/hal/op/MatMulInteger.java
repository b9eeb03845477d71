package dev.accel.hal.op;

import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import java.util.List;

/**
 * ONNX MatMulInteger: {@code Y = (A - a_zero_point) (B - b_zero_point)} with 32-bit accumulation.
 * Inputs: A and B (int8 or uint8, independently; shapes as {@link MatMul}), optional a_zero_point
 * (A's dtype, scalar), optional b_zero_point (B's dtype, scalar or 1-D of N for per-column
 * quantized weights). Output int32 of the matmul shape.
 */
public record MatMulInteger() implements Op {
    @Override
    public String name() {
        return "MatMulInteger";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 2, 4);
        TensorType a = in.get(0);
        TensorType b = in.get(1);
        OpChecks.dtype(name(), "A", a, DType.I8, DType.U8);
        OpChecks.dtype(name(), "B", b, DType.I8, DType.U8);
        var out = MatMul.outputShape(name(), a.shape(), b.shape());
        if (in.size() > 2) {
            OpChecks.dtype(name(), "a_zero_point", in.get(2), a.dtype());
            OpChecks.scalarParam(name(), "a_zero_point", in.get(2));
        }
        if (in.size() > 3) {
            OpChecks.dtype(name(), "b_zero_point", in.get(3), b.dtype());
            OpChecks.quantParam(name(), "b_zero_point", in.get(3), b.shape().dim(-1));
        }
        return List.of(new TensorType(DType.I32, out));
    }
}
