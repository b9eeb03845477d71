package dev.accel.hal.op;

import dev.accel.hal.TensorType;
import java.util.List;

/**
 * ONNX LRN, local response normalisation across channels: {@code Y = X / (bias + alpha / size * sum(X^2))^beta},
 * the sum over channels {@code [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)]} clipped to the
 * tensor. Input X {@code [N, C, H, W]}, float; output X's type.
 */
public record Lrn(int size, float alpha, float beta, float bias) implements Op {
    public Lrn {
        OpChecks.positive("LRN", "size", size);
    }

    @Override
    public String name() {
        return "LRN";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 1, 1);
        OpChecks.floatType(name(), "X", in.get(0));
        OpChecks.rank(name(), "X", in.get(0), 4);
        return List.of(in.get(0));
    }
}
