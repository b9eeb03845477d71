package dev.accel.graph;

import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.Unary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The rules of the graph-level operations over static types: output types, and lowering to a
 * hal-api kernel once parameter inputs are constant. Lists hold null for absent optional inputs
 * and, in {@code consts}, for inputs that are not constant.
 */
final class GraphOpRules {
    /** Parameter tensors (shapes, axes, pads) larger than this are rejected as not plausible. */
    static final int MAX_PARAM = 1 << 16;

    private GraphOpRules() {
    }

    /**
     * A kernel for a graph-level op: the hal-api op over the data input (input 0), plus, for Expand,
     * a constant second input.
     */
    record Lowered(Op op, Constant extra) {
    }

    /** Output types for static inputs; an output of unknown shape where a needed constant is missing. */
    static List<ValueType> infer(GraphOp op, List<TensorType> in, List<Constant> consts) {
        switch (op) {
            case GraphOp.ShapeOf s -> {
                int r = in.get(0).rank();
                int[] range = shapeRange(s, r);
                return List.of(ValueType.of(DType.I64, range[1] - range[0]));
            }
            case GraphOp.Gather g -> {
                return List.of(ValueType.of(gatherType(g, in.get(0), in.get(1))));
            }
            case GraphOp.ConstantOfShape c -> {
                Constant shape = consts.get(0);
                if (shape == null) {
                    return List.of(unknownOfRank(c.dtype(), in.get(0)));
                }
                return List.of(ValueType.of(c.dtype(), dims(shape, "ConstantOfShape", "shape")));
            }
            default -> {
                Lowered l = lower(op, in, consts);
                if (l == null) {
                    List<ValueType> out = new ArrayList<>();
                    for (int i = 0; i < op.outputCount(); i++) {
                        out.add(ValueType.unknownShape(in.get(0).dtype()));
                    }
                    return out;
                }
                List<TensorType> kin = new ArrayList<>();
                kin.add(in.get(0));
                if (l.extra() != null) {
                    kin.add(l.extra().type());
                }
                return l.op().inferOutputs(kin).stream().map(ValueType::of).toList();
            }
        }
    }

    private static ValueType unknownOfRank(DType dtype, TensorType shapeInput) {
        if (shapeInput.rank() == 1) {
            List<Dim> d = new ArrayList<>();
            for (int i = 0; i < shapeInput.shape().dim(0); i++) {
                d.add(Dim.sym("?"));
            }
            return new ValueType(dtype, SymShape.of(d));
        }
        return ValueType.unknownShape(dtype);
    }

    static int[] shapeRange(GraphOp.ShapeOf s, int rank) {
        long start = s.start() < 0 ? (long) s.start() + rank : s.start();
        long end = s.end() < 0 ? (long) s.end() + rank : s.end();
        start = Math.clamp(start, 0, rank);
        end = Math.clamp(end, 0, rank);
        return new int[] {(int) start, (int) Math.max(start, end)};
    }

    static TensorType gatherType(GraphOp.Gather g, TensorType data, TensorType idx) {
        if (idx.dtype() != DType.I64 && idx.dtype() != DType.I32) {
            throw new InvalidArgumentException("Gather: indices are " + idx + ", requires int32 or int64");
        }
        int r = data.rank();
        if (r == 0) {
            throw new InvalidArgumentException("Gather: data " + data + " must have rank >= 1");
        }
        int axis = Shape.normalizeAxis(g.axis(), r);
        int[] d = data.shape().dims();
        int[] ix = idx.shape().dims();
        int[] out = new int[r - 1 + ix.length];
        System.arraycopy(d, 0, out, 0, axis);
        System.arraycopy(ix, 0, out, axis, ix.length);
        System.arraycopy(d, axis + 1, out, axis + ix.length, r - axis - 1);
        return new TensorType(data.dtype(), Shape.of(out));
    }

    /** The kernel for a lowerable op with static input 0 and the constants it needs, else null. */
    static Lowered lower(GraphOp op, List<TensorType> in, List<Constant> consts) {
        TensorType x = in.get(0);
        String n = op.name();
        switch (op) {
            case GraphOp.Reshape r -> {
                if (consts.get(1) == null) {
                    return null;
                }
                long[] target = consts.get(1).toLongArray(MAX_PARAM);
                return reshape(resolveReshape(x.shape(), target, r.allowZero()));
            }
            case GraphOp.Flatten f -> {
                int r = x.rank();
                int axis = f.axis() < 0 ? f.axis() + r : f.axis();
                if (axis < 0 || axis > r) {
                    throw new InvalidArgumentException("Flatten: axis " + f.axis() + " is out of range for " + x
                            + " (allowed " + (-r) + " to " + r + ")");
                }
                return reshape(Shape.of(toInt(x.shape().product(0, axis), n), toInt(x.shape().product(axis, r), n)));
            }
            case GraphOp.Squeeze s -> {
                int[] d = x.shape().dims();
                boolean[] drop = new boolean[d.length];
                if (in.size() > 1 && in.get(1) != null) {
                    if (consts.get(1) == null) {
                        return null;
                    }
                    for (long a : consts.get(1).toLongArray(MAX_PARAM)) {
                        int ax = Shape.normalizeAxis(toInt(a, n), d.length);
                        if (d[ax] != 1) {
                            throw new InvalidArgumentException("Squeeze: axis " + a + " of " + x + " has size " + d[ax] + ", must be 1");
                        }
                        drop[ax] = true;
                    }
                } else {
                    for (int i = 0; i < d.length; i++) {
                        drop[i] = d[i] == 1;
                    }
                }
                List<Integer> out = new ArrayList<>();
                for (int i = 0; i < d.length; i++) {
                    if (!drop[i]) {
                        out.add(d[i]);
                    }
                }
                return reshape(Shape.of(out.stream().mapToInt(Integer::intValue).toArray()));
            }
            case GraphOp.Unsqueeze u -> {
                if (consts.get(1) == null) {
                    return null;
                }
                long[] axes = consts.get(1).toLongArray(MAX_PARAM);
                int outRank = x.rank() + axes.length;
                boolean[] added = new boolean[outRank];
                for (long a : axes) {
                    int ax = Shape.normalizeAxis(toInt(a, n), outRank);
                    if (added[ax]) {
                        throw new InvalidArgumentException("Unsqueeze: axis " + a + " repeats in " + Arrays.toString(axes));
                    }
                    added[ax] = true;
                }
                int[] out = new int[outRank];
                int j = 0;
                for (int i = 0; i < outRank; i++) {
                    out[i] = added[i] ? 1 : x.shape().dim(j++);
                }
                return reshape(Shape.of(out));
            }
            case GraphOp.Slice s -> {
                for (int i = 1; i < in.size(); i++) {
                    if (in.get(i) != null && consts.get(i) == null) {
                        return null;
                    }
                }
                List<Integer> starts = ints(consts.get(1));
                List<Integer> ends = ints(consts.get(2));
                List<Integer> axes = in.size() > 3 && consts.get(3) != null ? ints(consts.get(3)) : List.of();
                List<Integer> steps = in.size() > 4 && consts.get(4) != null ? ints(consts.get(4)) : List.of();
                return new Lowered(new dev.accel.hal.op.Slice(starts, ends, axes, steps), null);
            }
            case GraphOp.Pad p -> {
                for (int i = 1; i < in.size(); i++) {
                    if (in.get(i) != null && consts.get(i) == null) {
                        return null;
                    }
                }
                long[] pads = consts.get(1).toLongArray(MAX_PARAM);
                float value = in.size() > 2 && consts.get(2) != null ? (float) consts.get(2).getDouble(0) : 0f;
                int r = x.rank();
                long[] full = new long[2 * r];
                if (in.size() > 3 && consts.get(3) != null) {
                    long[] axes = consts.get(3).toLongArray(MAX_PARAM);
                    if (pads.length != 2 * axes.length) {
                        throw new InvalidArgumentException("Pad: " + pads.length + " pads for " + axes.length + " axes, requires twice as many");
                    }
                    for (int i = 0; i < axes.length; i++) {
                        int a = Shape.normalizeAxis(toInt(axes[i], n), r);
                        full[a] = pads[i];
                        full[a + r] = pads[i + axes.length];
                    }
                } else {
                    if (pads.length != 2 * r) {
                        throw new InvalidArgumentException("Pad: pads has " + pads.length + " entries, requires 2 * rank = " + 2 * r + " for " + x);
                    }
                    full = pads;
                }
                List<Integer> list = new ArrayList<>();
                for (long v : full) {
                    if (v < 0) {
                        throw new InvalidArgumentException("Pad: negative pads " + Arrays.toString(full)
                                + " (cropping) are outside the op set; only pads >= 0 lower to a kernel");
                    }
                    list.add(toInt(v, n));
                }
                return new Lowered(new dev.accel.hal.op.Pad(p.mode(), list, value), null);
            }
            case GraphOp.Clip c -> {
                float lo = Float.NEGATIVE_INFINITY;
                float hi = Float.POSITIVE_INFINITY;
                if (in.size() > 1 && in.get(1) != null) {
                    if (consts.get(1) == null) {
                        return null;
                    }
                    lo = (float) consts.get(1).getDouble(0);
                }
                if (in.size() > 2 && in.get(2) != null) {
                    if (consts.get(2) == null) {
                        return null;
                    }
                    hi = (float) consts.get(2).getDouble(0);
                }
                // ONNX: with min above max every element becomes max.
                return new Lowered(Unary.clip(Math.min(lo, hi), hi), null);
            }
            case GraphOp.Split s -> {
                int axis = Shape.normalizeAxis(s.axis(), x.rank());
                int len = x.shape().dim(axis);
                List<Integer> sizes = new ArrayList<>();
                if (in.size() > 1 && in.get(1) != null) {
                    if (consts.get(1) == null) {
                        return null;
                    }
                    sizes = ints(consts.get(1));
                } else {
                    int part = (int) Math.ceilDiv((long) len, s.outputs());
                    int left = len;
                    for (int i = 0; i < s.outputs(); i++) {
                        int take = Math.min(part, left);
                        sizes.add(take);
                        left -= take;
                    }
                }
                if (sizes.size() != s.outputs()) {
                    throw new InvalidArgumentException("Split: " + sizes.size() + " sizes " + sizes + " for " + s.outputs() + " outputs");
                }
                return new Lowered(new dev.accel.hal.op.Split(s.axis(), sizes), null);
            }
            case GraphOp.ReduceMean r -> {
                List<Integer> axes = List.of();
                if (in.size() > 1 && in.get(1) != null) {
                    if (consts.get(1) == null) {
                        return null;
                    }
                    axes = ints(consts.get(1));
                }
                if (axes.isEmpty() && r.noopWithEmptyAxes()) {
                    return new Lowered(new Identity(), null);
                }
                return new Lowered(new dev.accel.hal.op.ReduceMean(axes, r.keepDims()), null);
            }
            case GraphOp.Expand e -> {
                if (consts.get(1) == null) {
                    return null;
                }
                Shape target = Shape.broadcast(x.shape(), dims(consts.get(1), "Expand", "shape"));
                if (target.equals(x.shape())) {
                    return new Lowered(new Identity(), null);
                }
                if (!x.dtype().isFloat()) {
                    throw new InvalidArgumentException("Expand of " + x + " to " + target
                            + " lowers to a broadcast Add, which the op set has for float types only");
                }
                return new Lowered(new Binary(Binary.Kind.ADD), Constant.splat(new TensorType(x.dtype(), target), 0));
            }
            default -> {
                return null;
            }
        }
    }

    private static Lowered reshape(Shape s) {
        return new Lowered(new dev.accel.hal.op.Reshape(s), null);
    }

    /** ONNX Reshape's target: 0 copies the input dimension (unless allowZero), one -1 is inferred. */
    static Shape resolveReshape(Shape in, long[] target, boolean allowZero) {
        int[] out = new int[target.length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            long t = target[i];
            if (t == -1) {
                if (infer >= 0) {
                    throw new InvalidArgumentException("Reshape: target " + Arrays.toString(target) + " has more than one -1");
                }
                infer = i;
                continue;
            }
            if (t == 0 && !allowZero) {
                if (i >= in.rank()) {
                    throw new InvalidArgumentException("Reshape: target " + Arrays.toString(target) + " copies dimension " + i
                            + " with 0, but the input " + in + " has rank " + in.rank());
                }
                t = in.dim(i);
            }
            if (t < 0) {
                throw new InvalidArgumentException("Reshape: target " + Arrays.toString(target) + " has the invalid entry " + t);
            }
            out[i] = toInt(t, "Reshape");
            known = Math.multiplyExact(known, t);
        }
        if (infer >= 0) {
            if (known == 0 || in.numel() % known != 0) {
                throw new InvalidArgumentException("Reshape: cannot infer the -1 of " + Arrays.toString(target) + " for input "
                        + in + " (" + in.numel() + " elements)");
            }
            out[infer] = toInt(in.numel() / known, "Reshape");
        }
        Shape s = Shape.of(out);
        if (s.numel() != in.numel()) {
            throw new InvalidArgumentException("Reshape: input " + in + " has " + in.numel() + " elements, target "
                    + Arrays.toString(target) + " resolves to " + s + " with " + s.numel());
        }
        return s;
    }

    static Shape dims(Constant c, String op, String what) {
        if (c.type().rank() != 1) {
            throw new InvalidArgumentException(op + ": " + what + " is " + c.type() + ", requires a 1-D tensor");
        }
        long[] v = c.toLongArray(MAX_PARAM);
        int[] d = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0) {
                throw new InvalidArgumentException(op + ": " + what + " " + Arrays.toString(v) + " has a negative dimension");
            }
            d[i] = toInt(v[i], op);
        }
        return Shape.of(d);
    }

    private static List<Integer> ints(Constant c) {
        List<Integer> out = new ArrayList<>();
        for (long v : c.toLongArray(MAX_PARAM)) {
            out.add(Math.clamp(v, Integer.MIN_VALUE, Integer.MAX_VALUE));
        }
        return out;
    }

    static int toInt(long v, String op) {
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw new InvalidArgumentException(op + ": value " + v + " does not fit a dimension (at most " + Integer.MAX_VALUE + ")");
        }
        return (int) v;
    }
}
