package dev.accel.hal.op;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.TensorType;
import java.util.List;
import java.util.Objects;

/**
 * An op with the types of its inputs and outputs: what a device is asked to support and to prepare.
 * Immutable; equal specs describe the same kernel. The outputs always equal what
 * {@link Op#inferOutputs} gives for the inputs: the constructor checks it.
 */
public record OpSpec(Op op, List<TensorType> inputs, List<TensorType> outputs) {
    public OpSpec {
        Objects.requireNonNull(op, "op");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        List<TensorType> inferred = op.inferOutputs(inputs);
        if (!inferred.equals(outputs)) {
            throw new InvalidArgumentException(op.name() + ": outputs " + outputs + " do not match the inferred " + inferred
                    + " for inputs " + inputs);
        }
    }

    /** The spec of {@code op} over these inputs, outputs inferred. */
    public static OpSpec of(Op op, List<TensorType> inputs) {
        Objects.requireNonNull(op, "op");
        return new OpSpec(op, inputs, op.inferOutputs(List.copyOf(inputs)));
    }

    /** The spec of {@code op} over these inputs, outputs inferred. */
    public static OpSpec of(Op op, TensorType... inputs) {
        return of(op, List.of(inputs));
    }

    /** Formats as {@code Conv(float32[1, 3, 8, 8], float32[4, 3, 3, 3]) -> float32[1, 4, 6, 6]}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(op.name()).append('(');
        for (int i = 0; i < inputs.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(inputs.get(i));
        }
        sb.append(") -> ");
        for (int i = 0; i < outputs.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(outputs.get(i));
        }
        return sb.toString();
    }
}
