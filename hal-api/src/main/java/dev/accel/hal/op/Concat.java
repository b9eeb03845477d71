package dev.accel.hal.op;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.TensorType;
import java.util.List;

/** ONNX Concat: one or more inputs of one dtype and rank, equal except along {@code axis}, joined along it. */
public record Concat(int axis) implements Op {
    @Override
    public String name() {
        return "Concat";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 1, Integer.MAX_VALUE);
        TensorType first = in.get(0);
        OpChecks.minRank(name(), "input 0", first, 1);
        int a = first.shape().normalizeAxis(axis);
        int total = 0;
        for (int i = 0; i < in.size(); i++) {
            TensorType t = in.get(i);
            OpChecks.sameDType(name(), "input " + i, t, first);
            if (t.rank() != first.rank()) {
                throw new InvalidArgumentException("Concat: input " + i + " is " + t + ", requires rank " + first.rank());
            }
            for (int d = 0; d < t.rank(); d++) {
                if (d != a && t.shape().dim(d) != first.shape().dim(d)) {
                    throw new InvalidArgumentException("Concat: input " + i + " is " + t + ", input 0 is " + first
                            + "; they must agree on every dimension but " + a);
                }
            }
            total = Math.addExact(total, t.shape().dim(a));
        }
        return List.of(new TensorType(first.dtype(), first.shape().withDim(a, total)));
    }
}
