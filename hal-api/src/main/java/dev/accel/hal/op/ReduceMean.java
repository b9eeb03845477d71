package dev.accel.hal.op;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * ONNX ReduceMean: the mean over {@code axes} (negative count from the end; empty means all axes).
 * With {@code keepDims} the reduced dimensions stay as 1. Input float; output the same dtype. The
 * mean of no elements (a reduced axis of length 0) is NaN.
 */
public record ReduceMean(List<Integer> axes, boolean keepDims) implements Op {
    public ReduceMean {
        axes = List.copyOf(axes);
    }

    @Override
    public String name() {
        return "ReduceMean";
    }

    /** The reduced axes, normalised and sorted, for an input of the given rank. */
    public int[] resolvedAxes(int rank) {
        TreeSet<Integer> set = new TreeSet<>();
        if (axes.isEmpty()) {
            for (int i = 0; i < rank; i++) {
                set.add(i);
            }
        } else {
            for (int a : axes) {
                if (!set.add(Shape.normalizeAxis(a, rank))) {
                    throw new InvalidArgumentException("ReduceMean: axis " + a + " is repeated in " + axes);
                }
            }
        }
        return set.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 1, 1);
        TensorType x = in.get(0);
        OpChecks.floatType(name(), "data", x);
        int[] red = resolvedAxes(x.rank());
        List<Integer> out = new ArrayList<>();
        int j = 0;
        for (int i = 0; i < x.rank(); i++) {
            boolean reduced = j < red.length && red[j] == i;
            if (reduced) {
                j++;
                if (keepDims) {
                    out.add(1);
                }
            } else {
                out.add(x.shape().dim(i));
            }
        }
        return List.of(new TensorType(x.dtype(), Shape.of(out.stream().mapToInt(Integer::intValue).toArray())));
    }
}
