package dev.accel.hal.op;

import dev.accel.hal.TensorType;
import java.util.List;

/**
 * ONNX Identity: the output equals the input, any dtype. ONNX Dropout in inference mode is this op
 * (the importer maps it here); no separate Dropout op exists at this level.
 */
public record Identity() implements Op {
    @Override
    public String name() {
        return "Identity";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 1, 1);
        return List.of(in.get(0));
    }
}
