package dev.accel.hal.op;

import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import java.util.List;

/** ONNX GlobalAveragePool: input X {@code [N, C, H, W]}, float; output {@code [N, C, 1, 1]}, the mean of each plane
 * (NaN for an empty plane). */
public record GlobalAveragePool() implements Op {
    @Override
    public String name() {
        return "GlobalAveragePool";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 1, 1);
        TensorType x = in.get(0);
        OpChecks.floatType(name(), "X", x);
        OpChecks.rank(name(), "X", x, 4);
        return List.of(new TensorType(x.dtype(), Shape.of(x.shape().dim(0), x.shape().dim(1), 1, 1)));
    }
}
