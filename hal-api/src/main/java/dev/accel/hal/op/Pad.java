package dev.accel.hal.op;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import java.util.List;

/**
 * ONNX Pad with constant pads: {@code pads} holds the begin amounts of every axis, then the end
 * amounts ({@code [x1_begin, x2_begin, ..., x1_end, x2_end, ...]}), each >= 0 (negative pads, which
 * ONNX allows for cropping, are expressed as Slice). Modes: CONSTANT fills with {@code value};
 * EDGE repeats the border element; REFLECT mirrors without repeating the border, so a reflect pad
 * must be smaller than its axis. Any dtype: the constant is converted to the tensor's dtype as
 * {@link dev.accel.hal.HostTensor#setDouble} does (round half to even and saturate for integers,
 * {@code value != 0} for BOOL).
 */
public record Pad(Mode mode, List<Integer> pads, float value) implements Op {
    /** How padded elements are filled. */
    public enum Mode { CONSTANT, EDGE, REFLECT }

    public Pad {
        pads = List.copyOf(pads);
        if (mode == null) {
            throw new InvalidArgumentException("Pad: mode is null");
        }
        for (int p : pads) {
            if (p < 0) {
                throw new InvalidArgumentException("Pad: pads " + pads + " has a negative entry; crop with Slice instead");
            }
        }
    }

    @Override
    public String name() {
        return "Pad";
    }

    @Override
    public List<TensorType> inferOutputs(List<TensorType> in) {
        OpChecks.count(name(), in, 1, 1);
        TensorType x = in.get(0);
        int r = x.rank();
        if (pads.size() != 2 * r) {
            throw new InvalidArgumentException("Pad: pads " + pads + " has " + pads.size() + " entries, requires 2 * rank = "
                    + (2 * r) + " for " + x);
        }
        int[] out = new int[r];
        for (int d = 0; d < r; d++) {
            int dim = x.shape().dim(d);
            int b = pads.get(d);
            int e = pads.get(d + r);
            if (mode == Mode.REFLECT && (b >= dim || e >= dim) && (b > 0 || e > 0)) {
                throw new InvalidArgumentException("Pad: reflect pads " + b + " and " + e + " on axis " + d + " of " + x
                        + " must be smaller than the axis length " + dim);
            }
            if (mode == Mode.EDGE && dim == 0 && (b > 0 || e > 0)) {
                throw new InvalidArgumentException("Pad: edge padding of the empty axis " + d + " of " + x);
            }
            out[d] = Math.addExact(dim, b + e);
        }
        return List.of(new TensorType(x.dtype(), Shape.of(out)));
    }
}
