package dev.accel.hal.op;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import java.util.List;

/**
 * Reinterprets a tensor's elements, in row-major order, with another shape of the same element
 * count; any dtype. ONNX Reshape, Flatten, Squeeze and Unsqueeze all lower to this op, with the
 * target shape fully resolved (no -1 or 0 entries) by the graph. Devices may run it without a copy
 * ({@link dev.accel.hal.DeviceBuffer#view}).
 */
public record Reshape(Shape shape) implements Op {
    public Reshape {
        if (shape == null) {
            throw new InvalidArgumentException("Reshape: target shape is null");
        }
    }

    @Override
    public String name() {
        return "Reshape";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 1, 1);
        TensorType x = in.get(0);
        if (x.numel() != shape.numel()) {
            throw new InvalidArgumentException("Reshape: input " + x + " has " + x.numel() + " elements, target shape "
                    + shape + " has " + shape.numel());
        }
        return List.of(new TensorType(x.dtype(), shape));
    }
}
