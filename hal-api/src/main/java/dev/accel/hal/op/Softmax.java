package dev.accel.hal.op;

import dev.accel.hal.TensorType;
import java.util.List;

/**
 * ONNX Softmax (opset 13): {@code exp(x - max) / sum(exp(x - max))} along one axis (negative counts
 * from the end). Input float of rank >= 1; output the same type.
 */
public record Softmax(int axis) implements Op {
    @Override
    public String name() {
        return "Softmax";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 1, 1);
        TensorType x = in.get(0);
        OpChecks.floatType(name(), "input", x);
        OpChecks.minRank(name(), "input", x, 1);
        x.shape().normalizeAxis(axis);
        return List.of(x);
    }
}
