package dev.accel.graph;

import dev.accel.hal.DType;
import dev.accel.hal.HostTensor;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Split;
import dev.accel.hal.op.Sum;
import dev.accel.hal.op.Transpose;
import dev.accel.hal.op.Unary;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A small evaluator on the host for constant folding: shape computations (Shape, Gather,
 * ConstantOfShape, integer arithmetic, Concat, Slice, Cast), reshapes, layout ops and simple
 * elementwise functions. Splat inputs give splat outputs wherever the op maps one value to one
 * value, so weights made by {@code ConstantOfShape} stay unallocated through reshapes and casts.
 * Heavy ops (convolution, matrix products, normalisations) are left to devices.
 *
 * <p>Dense results are bounded by {@link #MAX_DENSE_ELEMENTS}; larger ones are not folded.
 */
public final class HostEvaluator {
    /** The largest dense result folding materializes. */
    public static final long MAX_DENSE_ELEMENTS = 1L << 22;

    private HostEvaluator() {
    }

    /**
     * Evaluates an operator whose inputs are constant (or, for Shape, of static type).
     *
     * @param in input data, null for an absent input (and, for Shape, for the non-constant data)
     * @param inTypes input types, null for absent inputs
     * @param outTypes the node's output types, all static
     * @return the outputs, or null when this evaluator does not compute this operator or the result
     *     would be too large
     * @throws InvalidArgumentException when the inputs are invalid for the op (an index out of range)
     */
    public static List<Constant> evaluate(Operator op, List<ValueType> inTypes, List<Constant> in, List<ValueType> outTypes) {
        for (ValueType t : outTypes) {
            if (!t.isStatic()) {
                return null;
            }
        }
        List<TensorType> out = outTypes.stream().map(ValueType::toTensorType).toList();
        if (op instanceof GraphOp.ShapeOf s) {
            if (!inTypes.get(0).isStatic()) {
                return null;
            }
            Shape shape = inTypes.get(0).toTensorType().shape();
            int[] r = GraphOpRules.shapeRange(s, shape.rank());
            long[] v = new long[r[1] - r[0]];
            for (int i = 0; i < v.length; i++) {
                v[i] = shape.dim(r[0] + i);
            }
            return List.of(Constant.ofLongs(v));
        }
        for (int i = 0; i < in.size(); i++) {
            if (inTypes.get(i) != null && in.get(i) == null) {
                return null;
            }
        }
        if (op instanceof GraphOp.ConstantOfShape c) {
            return List.of(Constant.splat(out.get(0), c.value()));
        }
        // Splat data gives a splat result; parameter inputs (shapes, axes) do not count as data.
        boolean allSplat = true;
        for (int i = 0; i < in.size(); i++) {
            boolean param = op instanceof GraphOp g && g.isParameter(i);
            allSplat &= param || in.get(i) == null || in.get(i).isSplat();
        }
        for (TensorType t : out) {
            if (!allSplat && t.numel() > MAX_DENSE_ELEMENTS) {
                return null;
            }
        }
        return switch (op) {
            case GraphOp.Gather g -> in.get(0).numel() > MAX_DENSE_ELEMENTS ? null
                    : List.of(gather(g, in.get(0), in.get(1), out.get(0)));
            case GraphOp.Reshape r -> List.of(in.get(0).reshaped(out.get(0).shape()));
            case GraphOp.Flatten f -> List.of(in.get(0).reshaped(out.get(0).shape()));
            case GraphOp.Squeeze s -> List.of(in.get(0).reshaped(out.get(0).shape()));
            case GraphOp.Unsqueeze u -> List.of(in.get(0).reshaped(out.get(0).shape()));
            case GraphOp g -> lowered(g, inTypes, in, out);
            case KernelOp k -> kernel(k.op(), in, out);
        };
    }

    private static List<Constant> lowered(GraphOp g, List<ValueType> inTypes, List<Constant> in, List<TensorType> out) {
        List<TensorType> types = new ArrayList<>();
        for (ValueType t : inTypes) {
            types.add(t == null ? null : t.toTensorType());
        }
        GraphOpRules.Lowered l = GraphOpRules.lower(g, types, in);
        if (l == null) {
            return null;
        }
        List<Constant> kin = new ArrayList<>();
        kin.add(in.get(0));
        if (l.extra() != null) {
            kin.add(l.extra());
        }
        return kernel(l.op(), kin, out);
    }

    private static List<Constant> kernel(Op op, List<Constant> inAll, List<TensorType> out) {
        List<Constant> in = new ArrayList<>();
        for (Constant c : inAll) {
            if (c != null) {
                in.add(c);
            }
        }
        TensorType o = out.get(0);
        return switch (op) {
            case Identity i -> List.of(in.get(0));
            case Reshape r -> List.of(in.get(0).reshaped(r.shape()));
            case Cast c -> List.of(map(in.get(0), o, null));
            case Unary u -> {
                java.util.function.DoubleUnaryOperator f = unary(u);
                yield f == null ? null : List.of(map(in.get(0), o, f));
            }
            case Binary b -> List.of(binary(b.kind(), in.get(0), in.get(1), o));
            case Sum s -> {
                Constant acc = in.get(0);
                for (int i = 1; i < in.size(); i++) {
                    TensorType t = new TensorType(o.dtype(), Shape.broadcast(acc.type().shape(), in.get(i).type().shape()));
                    acc = binary(Binary.Kind.ADD, acc, in.get(i), t);
                }
                yield List.of(acc);
            }
            case Concat c -> List.of(concat(c, in, o));
            case Slice s -> List.of(slice(s, in.get(0), o));
            case Split s -> split(s, in.get(0), out);
            case Transpose t -> List.of(transpose(t, in.get(0), o));
            default -> null;
        };
    }

    private static java.util.function.DoubleUnaryOperator unary(Unary u) {
        return switch (u.kind()) {
            case RELU -> v -> Math.max(v, 0);
            case LEAKY_RELU -> v -> v < 0 ? u.alpha() * v : v;
            case SIGMOID -> v -> 1 / (1 + Math.exp(-v));
            case TANH -> Math::tanh;
            case SQRT -> Math::sqrt;
            case EXP -> Math::exp;
            case CLIP -> v -> Double.isNaN(v) ? v : Math.min(Math.max(v, u.alpha()), u.beta());
            case HARD_SIGMOID -> v -> Math.max(0, Math.min(1, u.alpha() * v + u.beta()));
            case HARD_SWISH -> v -> v * Math.max(0, Math.min(1, v / 6 + 0.5));
            default -> null;
        };
    }

    /**
     * Elementwise map into type {@code o} ({@code f} null: a plain conversion), with Cast semantics
     * for the conversion: truncation toward zero into integers, integers copied exactly.
     */
    private static Constant map(Constant x, TensorType o, java.util.function.DoubleUnaryOperator f) {
        boolean toInt = o.dtype().isInteger();
        if (x.isSplat()) {
            double v = f == null ? x.splatValue() : f.applyAsDouble(x.splatValue());
            return Constant.splat(o, toInt ? trunc(v) : v);
        }
        if (f == null && x.type().dtype().isInteger() && o.dtype() == DType.I64) {
            return Constant.build(o, t -> {
                for (long i = 0; i < o.numel(); i++) {
                    t.segment().setAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, i, x.getLong(i));
                }
            });
        }
        return Constant.build(o, t -> {
            for (long i = 0; i < o.numel(); i++) {
                double v = f == null ? x.getDouble(i) : f.applyAsDouble(x.getDouble(i));
                t.setDouble(i, toInt ? trunc(v) : v);
            }
        });
    }

    private static double trunc(double v) {
        return Double.isNaN(v) ? 0 : (v < 0 ? Math.ceil(v) : Math.floor(v));
    }

    private static Constant binary(Binary.Kind k, Constant a, Constant b, TensorType o) {
        boolean integer = !o.dtype().isFloat();
        if (a.isSplat() && b.isSplat()) {
            return Constant.splat(o, integer ? applyLong(k, (long) a.splatValue(), (long) b.splatValue())
                    : applyDouble(k, a.splatValue(), b.splatValue()));
        }
        Shape s = o.shape();
        long[] sa = a.type().shape().broadcastStrides(s);
        long[] sb = b.type().shape().broadcastStrides(s);
        return Constant.build(o, t -> {
            int r = s.rank();
            int[] idx = new int[r];
            long oa = 0;
            long ob = 0;
            for (long i = 0; i < o.numel(); i++) {
                if (integer && o.dtype() == DType.I64) {
                    t.segment().setAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, i, applyLong(k, a.getLong(oa), b.getLong(ob)));
                } else if (integer) {
                    t.setDouble(i, applyLong(k, a.getLong(oa), b.getLong(ob)));
                } else {
                    t.setDouble(i, applyDouble(k, a.getDouble(oa), b.getDouble(ob)));
                }
                for (int d = r - 1; d >= 0; d--) {
                    idx[d]++;
                    oa += sa[d];
                    ob += sb[d];
                    if (idx[d] < s.dim(d)) {
                        break;
                    }
                    oa -= sa[d] * idx[d];
                    ob -= sb[d] * idx[d];
                    idx[d] = 0;
                }
            }
        });
    }

    private static double applyDouble(Binary.Kind k, double a, double b) {
        return switch (k) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> Math.pow(a, b);
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case PRELU -> a < 0 ? b * a : a;
        };
    }

    private static long applyLong(Binary.Kind k, long a, long b) {
        return switch (k) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> {
                if (b == 0) {
                    throw new InvalidArgumentException("integer division by zero while folding constants");
                }
                yield a / b;
            }
            case POW -> (long) Math.pow(a, b);
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case PRELU -> a < 0 ? b * a : a;
        };
    }

    private static Constant concat(Concat c, List<Constant> in, TensorType o) {
        boolean splat = true;
        for (Constant x : in) {
            splat &= x.isSplat() && Double.compare(x.splatValue(), in.get(0).splatValue()) == 0;
        }
        if (splat) {
            return Constant.splat(o, in.get(0).splatValue());
        }
        int axis = o.shape().normalizeAxis(c.axis());
        long outer = o.shape().product(0, axis);
        int es = o.dtype().byteSize();
        return Constant.build(o, t -> {
            long rowOut = o.shape().product(axis, o.rank()) * es;
            long at = 0;
            for (Constant x : in) {
                MemorySegment src = x.tensor().segment();
                long row = x.type().shape().product(axis, x.type().rank()) * es;
                for (long i = 0; i < outer; i++) {
                    MemorySegment.copy(src, i * row, t.segment(), i * rowOut + at, row);
                }
                at += row;
            }
        });
    }

    private static Constant slice(Slice s, Constant x, TensorType o) {
        if (x.isSplat()) {
            return Constant.splat(o, x.splatValue());
        }
        Slice.Range[] r = s.resolve(x.type().shape());
        long[] st = x.type().shape().strides();
        return gatherElements(x, o, (idx) -> {
            long off = 0;
            for (int d = 0; d < idx.length; d++) {
                off += (r[d].start() + (long) idx[d] * r[d].step()) * st[d];
            }
            return off;
        });
    }

    private static List<Constant> split(Split s, Constant x, List<TensorType> out) {
        List<Constant> res = new ArrayList<>();
        int axis = x.type().shape().normalizeAxis(s.axis());
        int start = 0;
        for (TensorType o : out) {
            int begin = start;
            if (x.isSplat()) {
                res.add(Constant.splat(o, x.splatValue()));
            } else {
                long[] st = x.type().shape().strides();
                res.add(gatherElements(x, o, idx -> {
                    long off = 0;
                    for (int d = 0; d < idx.length; d++) {
                        off += (idx[d] + (d == axis ? begin : 0)) * st[d];
                    }
                    return off;
                }));
            }
            start += o.shape().dim(axis);
        }
        return res;
    }

    private static Constant transpose(Transpose tr, Constant x, TensorType o) {
        if (x.isSplat()) {
            return Constant.splat(o, x.splatValue());
        }
        int[] p = tr.resolvedPerm(x.type().rank());
        long[] st = x.type().shape().strides();
        return gatherElements(x, o, idx -> {
            long off = 0;
            for (int d = 0; d < idx.length; d++) {
                off += idx[d] * st[p[d]];
            }
            return off;
        });
    }

    private static Constant gather(GraphOp.Gather g, Constant data, Constant indices, TensorType o) {
        Shape ds = data.type().shape();
        int axis = ds.normalizeAxis(g.axis());
        int len = ds.dim(axis);
        long[] st = ds.strides();
        int ir = indices.type().rank();
        long[] ist = indices.type().shape().strides();
        return gatherElements(data, o, idx -> {
            long flat = 0;
            for (int d = 0; d < ir; d++) {
                flat += idx[axis + d] * ist[d];
            }
            long k = indices.getLong(flat);
            if (k < -len || k >= len) {
                throw new InvalidArgumentException("Gather: index " + k + " is out of range for axis " + axis + " of " + data.type());
            }
            k = k < 0 ? k + len : k;
            long off = 0;
            for (int d = 0; d < axis; d++) {
                off += idx[d] * st[d];
            }
            off += k * st[axis];
            for (int d = axis + 1; d < ds.rank(); d++) {
                off += idx[d - 1 + ir] * st[d];
            }
            return off;
        });
    }

    /** Builds {@code o} by copying, for each output index, the input element at {@code offset(index)}. */
    private static Constant gatherElements(Constant x, TensorType o, java.util.function.ToLongFunction<int[]> offset) {
        MemorySegment src = x.tensor().segment();
        int es = o.dtype().byteSize();
        return Constant.build(o, t -> {
            int r = o.rank();
            int[] idx = new int[r];
            for (long i = 0; i < o.numel(); i++) {
                MemorySegment.copy(src, offset.applyAsLong(idx) * es, t.segment(), i * es, es);
                for (int d = r - 1; d >= 0; d--) {
                    if (++idx[d] < o.shape().dim(d)) {
                        break;
                    }
                    idx[d] = 0;
                }
            }
        });
    }
}
