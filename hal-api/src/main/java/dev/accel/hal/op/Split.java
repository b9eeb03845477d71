package dev.accel.hal.op;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.TensorType;
import java.util.ArrayList;
import java.util.List;

/** ONNX Split: one input cut along {@code axis} into outputs of the given sizes, which must add up to the axis length. Any dtype. */
public record Split(int axis, List<Integer> sizes) implements Op {
    public Split {
        sizes = List.copyOf(sizes);
        if (sizes.isEmpty()) {
            throw new InvalidArgumentException("Split: sizes is empty; give one size per output");
        }
        for (int s : sizes) {
            OpChecks.nonNegative("Split", "size", s);
        }
    }

    @Override
    public String name() {
        return "Split";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 1, 1);
        TensorType x = in.get(0);
        OpChecks.minRank(name(), "input", x, 1);
        int a = x.shape().normalizeAxis(axis);
        long total = sizes.stream().mapToLong(Integer::longValue).sum();
        if (total != x.shape().dim(a)) {
            throw new InvalidArgumentException("Split: sizes " + sizes + " add up to " + total + ", axis " + a + " of " + x
                    + " has " + x.shape().dim(a));
        }
        List<TensorType> out = new ArrayList<>();
        for (int s : sizes) {
            out.add(new TensorType(x.dtype(), x.shape().withDim(a, s)));
        }
        return out;
    }
}
