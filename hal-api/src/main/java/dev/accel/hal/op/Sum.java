package dev.accel.hal.op;

import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import java.util.List;

/** ONNX Sum: the elementwise sum of one or more inputs of one float dtype, with numpy broadcasting. */
public record Sum() implements Op {
    @Override
    public String name() {
        return "Sum";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 1, Integer.MAX_VALUE);
        TensorType first = in.get(0);
        OpChecks.floatType(name(), "input 0", first);
        Shape s = first.shape();
        for (int i = 1; i < in.size(); i++) {
            OpChecks.sameDType(name(), "input " + i, in.get(i), first);
            s = Shape.broadcast(s, in.get(i).shape());
        }
        return List.of(new TensorType(first.dtype(), s));
    }
}
