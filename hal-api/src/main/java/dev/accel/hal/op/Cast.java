package dev.accel.hal.op;

import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.TensorType;
import java.util.List;

/**
 * ONNX Cast to {@code to}. Float to float rounds to nearest even; float to integer truncates toward
 * zero and saturates to the target's range (ONNX leaves out-of-range undefined; accel saturates, NaN
 * becomes 0); integer to a narrower integer saturates too (numpy and C wrap instead: accel's choice,
 * so no value changes sign silently); integer to float rounds to nearest even; anything to BOOL is
 * {@code x != 0}. Output: the input's shape in {@code to}.
 */
public record Cast(DType to) implements Op {
    public Cast {
        if (to == null) {
            throw new InvalidArgumentException("Cast: target dtype is null");
        }
    }

    @Override
    public String name() {
        return "Cast";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 1, 1);
        return List.of(in.get(0).withDType(to));
    }
}
