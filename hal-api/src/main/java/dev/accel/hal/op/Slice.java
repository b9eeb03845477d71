package dev.accel.hal.op;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import java.util.List;

/**
 * ONNX Slice with constant starts, ends, axes and steps (the graph folds ONNX's input tensors into
 * these). Negative starts and ends count from the end of their axis and are clamped as ONNX says;
 * an empty {@code axes} means {@code 0 .. starts.size() - 1}; an empty {@code steps} means all 1.
 * Steps may be negative, never 0. Any dtype.
 */
public record Slice(List<Integer> starts, List<Integer> ends, List<Integer> axes, List<Integer> steps) implements Op {
    public Slice {
        starts = List.copyOf(starts);
        ends = List.copyOf(ends);
        axes = List.copyOf(axes);
        steps = List.copyOf(steps);
        if (starts.size() != ends.size() || (!axes.isEmpty() && axes.size() != starts.size())
                || (!steps.isEmpty() && steps.size() != starts.size())) {
            throw new InvalidArgumentException("Slice: starts " + starts + ", ends " + ends + ", axes " + axes + " and steps "
                    + steps + " must have equal lengths (axes and steps may be empty)");
        }
    }

    /** The resolved slice along every axis of an input: element {@code i} of the output's axis reads {@code start + i * step}. */
    public record Range(int start, int step, int count) {
    }

    @Override
    public String name() {
        return "Slice";
    }

    /** Resolves the slice against an input shape: one {@link Range} per input axis. */
    public Range[] resolve(Shape in) {
        Range[] r = new Range[in.rank()];
        for (int d = 0; d < in.rank(); d++) {
            r[d] = new Range(0, 1, in.dim(d));
        }
        boolean[] seen = new boolean[in.rank()];
        for (int i = 0; i < starts.size(); i++) {
            int axis = in.normalizeAxis(axes.isEmpty() ? i : axes.get(i));
            if (seen[axis]) {
                throw new InvalidArgumentException("Slice: axis " + axis + " appears twice in " + axes);
            }
            seen[axis] = true;
            int step = steps.isEmpty() ? 1 : steps.get(i);
            if (step == 0) {
                throw new InvalidArgumentException("Slice: step for axis " + axis + " is 0");
            }
            long dim = in.dim(axis);
            long s = starts.get(i);
            long e = ends.get(i);
            if (s < 0) {
                s += dim;
            }
            if (e < 0) {
                e += dim;
            }
            int count;
            if (step > 0) {
                s = Math.clamp(s, 0, dim);
                e = Math.clamp(e, 0, dim);
                count = e > s ? (int) ((e - s + step - 1) / step) : 0;
            } else {
                s = Math.clamp(s, 0, dim - 1);
                e = Math.clamp(e, -1, dim - 1);
                count = s > e ? (int) ((s - e + (-step) - 1) / (-step)) : 0;
            }
            r[axis] = new Range((int) s, step, count);
        }
        return r;
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 1, 1);
        TensorType x = in.get(0);
        Range[] r = resolve(x.shape());
        int[] out = new int[r.length];
        for (int i = 0; i < r.length; i++) {
            out[i] = r[i].count();
        }
        return List.of(new TensorType(x.dtype(), Shape.of(out)));
    }
}
