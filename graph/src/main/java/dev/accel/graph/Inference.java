package dev.accel.graph;

import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.ConvInteger;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.hal.op.Sum;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Shape and dtype inference for one node, the hal-api ops' own {@code inferOutputs} for kernels.
 *
 * <p>Symbolic dimensions are handled by probing: the node is inferred twice with each symbol
 * replaced by two different sizes, and an output dimension that follows a symbol in both runs is
 * that symbol; one that stays fixed is fixed; anything else is a derived dimension (named
 * {@code "?..."}) that becomes known when the graph is bound. Shapes that depend on a non-constant
 * tensor (a Reshape to a computed shape) are unknown until folding makes the tensor constant.
 *
 * <p>Integer Add, Sub, Mul, Div, Max and Min, which the op set defines for float types only, are
 * typed here (numpy broadcasting) so that shape arithmetic can be folded; they never reach a device.
 */
public final class Inference {
    private static final int[][] PROBES = {
        {1009, 1013, 1019, 1021, 1031, 1033, 1039, 1049},
        {2003, 2011, 2017, 2027, 2029, 2039, 2053, 2063},
    };

    private Inference() {
    }

    /**
     * The output types of {@code op} for these inputs.
     *
     * @param in input types, null for an absent optional input
     * @param consts the input's data where it is constant, else null (same length as {@code in})
     * @throws InvalidArgumentException when the inputs do not fit the operator
     */
    public static List<ValueType> outputs(Operator op, List<ValueType> in, List<Constant> consts) {
        checkArity(op, in);
        boolean unknown = false;
        Set<String> syms = new LinkedHashSet<>();
        for (ValueType t : in) {
            if (t != null) {
                if (!t.shape().isKnown()) {
                    unknown = true;
                } else {
                    syms.addAll(t.shape().symbols());
                }
            }
        }
        if (unknown) {
            return unknownOutputs(op, in);
        }
        if (syms.isEmpty()) {
            return concrete(op, statics(in, Map.of()), consts);
        }
        return probe(op, in, consts, new ArrayList<>(syms));
    }

    /** Output types for static inputs (null for absent ones). */
    static List<ValueType> concrete(Operator op, List<TensorType> in, List<Constant> consts) {
        return switch (op) {
            case KernelOp k -> kernelOutputs(k.op(), kernelInputs(k.op(), in));
            case GraphOp g -> GraphOpRules.infer(g, in, consts);
        };
    }

    /** The inputs a kernel sees: absent optional inputs must be trailing and are dropped. */
    static List<TensorType> kernelInputs(Op op, List<TensorType> in) {
        int n = in.size();
        while (n > 0 && in.get(n - 1) == null) {
            n--;
        }
        for (int i = 0; i < n; i++) {
            if (in.get(i) == null) {
                throw new InvalidArgumentException(op.name() + ": input " + i + " is absent but a later input is present; "
                        + "only trailing optional inputs may be left out");
            }
        }
        return List.copyOf(in.subList(0, n));
    }

    private static List<ValueType> kernelOutputs(Op op, List<TensorType> in) {
        if ((op instanceof Binary || op instanceof Sum) && !in.isEmpty() && !in.get(0).dtype().isFloat()) {
            if (op instanceof Binary b && b.kind() == Binary.Kind.PRELU || op instanceof Binary b2 && b2.kind() == Binary.Kind.POW) {
                return op.inferOutputs(in).stream().map(ValueType::of).toList();
            }
            Shape s = in.get(0).shape();
            for (int i = 1; i < in.size(); i++) {
                if (in.get(i).dtype() != in.get(0).dtype()) {
                    throw new InvalidArgumentException(op.name() + ": input " + i + " is " + in.get(i) + ", requires the dtype of input 0, "
                            + in.get(0).dtype().displayName());
                }
                s = Shape.broadcast(s, in.get(i).shape());
            }
            return List.of(ValueType.of(new TensorType(in.get(0).dtype(), s)));
        }
        return op.inferOutputs(in).stream().map(ValueType::of).toList();
    }

    private static List<TensorType> statics(List<ValueType> in, Map<String, Integer> bind) {
        List<TensorType> out = new ArrayList<>();
        for (ValueType t : in) {
            out.add(t == null ? null : t.bind(bind).toTensorType());
        }
        return out;
    }

    private static List<ValueType> probe(Operator op, List<ValueType> in, List<Constant> consts, List<String> syms) {
        List<List<ValueType>> runs = new ArrayList<>();
        List<Map<String, Integer>> binds = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            Map<String, Integer> b = new TreeMap<>();
            for (int k = 0; k < syms.size(); k++) {
                b.put(syms.get(k), k < PROBES[r].length ? PROBES[r][k] : PROBES[r][PROBES[r].length - 1] + 10 * k);
            }
            binds.add(b);
            try {
                runs.add(concrete(op, statics(in, b), consts));
            } catch (InvalidArgumentException | ArithmeticException e) {
                // The probe sizes do not fit this node (a fixed reshape target, say): shapes stay unknown until bound.
                return unknownOutputs(op, in);
            }
        }
        List<ValueType> out = new ArrayList<>();
        for (int i = 0; i < runs.get(0).size(); i++) {
            ValueType a = runs.get(0).get(i);
            ValueType b = runs.get(1).get(i);
            if (!a.shape().isKnown() || !b.shape().isKnown() || a.shape().rank() != b.shape().rank()) {
                out.add(ValueType.unknownShape(a.dtype()));
                continue;
            }
            List<Dim> dims = new ArrayList<>();
            for (int d = 0; d < a.shape().rank(); d++) {
                dims.add(combine(a.shape().dim(d), b.shape().dim(d), syms, binds));
            }
            out.add(new ValueType(a.dtype(), SymShape.of(dims)));
        }
        return out;
    }

    private static Dim combine(Dim a, Dim b, List<String> syms, List<Map<String, Integer>> binds) {
        if (a.isSymbolic() || b.isSymbolic()) {
            return Dim.sym("?");
        }
        int x = a.value();
        int y = b.value();
        if (x == y) {
            return a;
        }
        for (String s : syms) {
            int p = binds.get(0).get(s);
            int q = binds.get(1).get(s);
            if (x == p && y == q) {
                return Dim.sym(s);
            }
            if (x % p == 0 && y % q == 0 && x / p == y / q) {
                return Dim.sym("?" + (x / p) + "*" + s);
            }
        }
        return Dim.sym("?");
    }

    private static List<ValueType> unknownOutputs(Operator op, List<ValueType> in) {
        List<DType> dts = new ArrayList<>();
        for (ValueType t : in) {
            dts.add(t == null ? null : t.dtype());
        }
        List<ValueType> out = new ArrayList<>();
        for (DType d : outputDTypes(op, dts)) {
            out.add(ValueType.unknownShape(d));
        }
        return out;
    }

    /** Output element types from input element types alone (null for absent inputs). */
    public static List<DType> outputDTypes(Operator op, List<DType> in) {
        DType first = in.isEmpty() ? DType.F32 : in.get(0);
        DType d = switch (op) {
            case KernelOp k -> switch (k.op()) {
                case Cast c -> c.to();
                case QuantizeLinear q -> in.size() > 2 && in.get(2) != null ? in.get(2) : DType.U8;
                case DequantizeLinear q -> DType.F32;
                case MatMulInteger m -> DType.I32;
                case ConvInteger c -> DType.I32;
                case QLinearMatMul q -> in.size() > 7 ? in.get(7) : DType.U8;
                case QLinearConv q -> in.size() > 7 ? in.get(7) : DType.U8;
                default -> first;
            };
            case GraphOp.ShapeOf s -> DType.I64;
            case GraphOp.ConstantOfShape c -> c.dtype();
            case GraphOp g -> first;
        };
        List<DType> out = new ArrayList<>();
        for (int i = 0; i < op.outputCount(); i++) {
            out.add(d);
        }
        return out;
    }

    private static void checkArity(Operator op, List<ValueType> in) {
        int[] range = switch (op) {
            case KernelOp k -> new int[] {0, Integer.MAX_VALUE};
            case GraphOp.ShapeOf s -> new int[] {1, 1};
            case GraphOp.Gather g -> new int[] {2, 2};
            case GraphOp.ConstantOfShape c -> new int[] {1, 1};
            case GraphOp.Reshape r -> new int[] {2, 2};
            case GraphOp.Flatten f -> new int[] {1, 1};
            case GraphOp.Squeeze s -> new int[] {1, 2};
            case GraphOp.Unsqueeze u -> new int[] {2, 2};
            case GraphOp.Slice s -> new int[] {3, 5};
            case GraphOp.Pad p -> new int[] {2, 4};
            case GraphOp.Clip c -> new int[] {1, 3};
            case GraphOp.Split s -> new int[] {1, 2};
            case GraphOp.ReduceMean r -> new int[] {1, 2};
            case GraphOp.Expand e -> new int[] {2, 2};
        };
        if (in.size() < range[0] || in.size() > range[1]) {
            throw new InvalidArgumentException(op.name() + " takes " + range[0] + " to " + range[1] + " inputs, got " + in.size());
        }
        for (int i = 0; i < Math.min(in.size(), range[0]); i++) {
            if (in.get(i) == null && !(op instanceof KernelOp)) {
                throw new InvalidArgumentException(op.name() + ": required input " + i + " is absent");
            }
        }
        if (in.isEmpty() || in.get(0) == null) {
            if (op instanceof KernelOp) {
                throw new InvalidArgumentException(op.name() + ": input 0 is absent");
            }
        }
    }
}
