package dev.accel.hal.op;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import java.util.Arrays;
import java.util.List;

/**
 * ONNX LayerNormalization (opset 17): normalises over dimensions {@code [axis, rank)} to zero mean
 * and unit variance (population variance, epsilon added), then multiplies by scale and adds B.
 * Inputs: X, scale and optional B, the latter two broadcastable to X's normalised dimensions; one
 * float dtype. Output: X's type (the optional mean and inverse-deviation outputs are not produced).
 */
public record LayerNorm(int axis, float epsilon) implements Op {
    @Override
    public String name() {
        return "LayerNormalization";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 2, 3);
        TensorType x = in.get(0);
        OpChecks.floatType(name(), "X", x);
        OpChecks.minRank(name(), "X", x, 1);
        int a = x.shape().normalizeAxis(axis);
        Shape norm = Shape.of(Arrays.copyOfRange(x.shape().dims(), a, x.rank()));
        for (int i = 1; i < in.size(); i++) {
            TensorType p = in.get(i);
            String what = i == 1 ? "scale" : "B";
            OpChecks.sameDType(name(), what, p, x);
            OpChecks.broadcastsTo(name(), what, p, norm);
        }
        return List.of(x);
    }
}
