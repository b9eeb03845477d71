package dev.accel.hal.op;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.TensorType;
import java.util.List;

/**
 * ONNX BatchNormalization in inference mode: {@code Y = (X - mean) / sqrt(var + epsilon) * scale + B}
 * per channel (dimension 1). Inputs: X {@code [N, C, ...]} (rank >= 2), scale, B, mean, var, each
 * {@code [C]}; one float dtype. Output: X's type.
 */
public record BatchNorm(float epsilon) implements Op {
    @Override
    public String name() {
        return "BatchNormalization";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 5, 5);
        TensorType x = in.get(0);
        OpChecks.floatType(name(), "X", x);
        OpChecks.minRank(name(), "X", x, 2);
        int c = x.shape().dim(1);
        String[] names = {"X", "scale", "B", "mean", "var"};
        for (int i = 1; i < 5; i++) {
            TensorType p = in.get(i);
            OpChecks.sameDType(name(), names[i], p, x);
            if (p.rank() != 1 || p.shape().dim(0) != c) {
                throw new InvalidArgumentException(name() + ": " + names[i] + " is " + p + ", requires shape [" + c + "]");
            }
        }
        return List.of(x);
    }
}
