package dev.accel.onnx;

import dev.accel.graph.Constant;
import dev.accel.graph.GraphBuilder;
import dev.accel.graph.Inference;
import dev.accel.graph.KernelOp;
import dev.accel.graph.Node;
import dev.accel.graph.Operator;
import dev.accel.graph.ValueType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.ModelFormatException;
import dev.accel.hal.op.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state of one import: the graph being built, the types inferred so far (op mappings need
 * ranks and shapes, for auto_pad and 1-D lowering), and the unsupported items found, all reported
 * at the end.
 */
final class Importer {
    final GraphBuilder builder;
    final String model;
    final long opset;
    final Set<String> consumed;
    final List<UnsupportedModelException.Item> unsupported = new ArrayList<>();
    /** Values downstream of something unsupported: their nodes are only checked by op type. */
    final Set<String> poisoned = new HashSet<>();
    private final Map<String, ValueType> types = new HashMap<>();
    private final Map<String, Constant> consts = new HashMap<>();
    private final Set<String> nodeNames = new HashSet<>();

    // The ONNX node being mapped.
    String node = "";
    String opType = "";
    String domain = "";

    Importer(String graphName, String model, long opset, Set<String> consumed) {
        this.builder = new GraphBuilder(graphName);
        this.model = model;
        this.opset = opset;
        this.consumed = consumed;
    }

    /** Thrown by mappings to abandon the current node after recording why. */
    static final class Skip extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Skip() {
            super(null, null, false, false);
        }
    }

    /** Records the current node as unsupported and abandons it. */
    Skip unsupported(String reason) {
        unsupported.add(new UnsupportedModelException.Item(node, opType, domain, opset, reason));
        return new Skip();
    }

    /** A node-scoped model format error. */
    ModelFormatException malformed(String message) {
        return new ModelFormatException("model " + model + ", node '" + node + "' (" + opType + ", opset " + opset + "): " + message);
    }

    /** A unique node name from the ONNX one (which may be empty or repeated). */
    String uniqueNodeName(String onnxName, int index) {
        String base = onnxName.isEmpty() ? opType + "_" + index : onnxName;
        String n = base;
        for (int k = 1; nodeNames.contains(n); k++) {
            n = base + "_" + k;
        }
        nodeNames.add(n);
        return n;
    }

    void input(String name, ValueType t) {
        builder.input(name, t);
        types.put(name, t);
    }

    /** Defines a constant under exactly this (ONNX) name. */
    void constantAs(String name, Constant c) {
        builder.constant(name, c);
        types.put(name, ValueType.of(c.type()));
        consts.put(name, c);
    }

    /** A fresh constant; returns its name. */
    String constant(String base, Constant c) {
        String n = builder.constantNamed(base, c);
        types.put(n, ValueType.of(c.type()));
        consts.put(n, c);
        return n;
    }

    /** The type of a value seen so far. */
    ValueType type(String v) {
        ValueType t = types.get(v);
        if (t == null) {
            throw malformed("input '" + v + "' is not defined before this node (nodes must be in topological order)");
        }
        return t;
    }

    /** The data of a constant value, or null. */
    Constant constantOf(String v) {
        return v.isEmpty() ? null : consts.get(v);
    }

    /** True when the node input at {@code i} is present. */
    static boolean present(List<String> in, int i) {
        return i < in.size() && !in.get(i).isEmpty();
    }

    /** True when a node output is named and read by something. */
    boolean used(List<String> out, int i) {
        return i < out.size() && !out.get(i).isEmpty() && consumed.contains(out.get(i));
    }

    /** Adds a node with the current node's name (made unique); outputs named "" get fresh names. */
    List<String> emit(Operator op, List<String> inputs, List<String> outputs) {
        String name = builder.fresh(node);
        List<String> outs = new ArrayList<>();
        for (String o : outputs) {
            outs.add(o.isEmpty() ? builder.fresh(name + "_unused") : o);
        }
        List<ValueType> in = new ArrayList<>();
        List<Constant> cs = new ArrayList<>();
        for (String i : inputs) {
            in.add(i.isEmpty() ? null : type(i));
            cs.add(constantOf(i));
        }
        List<ValueType> out;
        try {
            out = Inference.outputs(op, in, cs);
        } catch (InvalidArgumentException | ArithmeticException e) {
            if (String.valueOf(e.getMessage()).contains("requires float32, float16 or bfloat16")) {
                throw unsupported(op.name() + " on " + describe(inputs, in) + ": the op set defines it for float types only");
            }
            throw malformed(op.name() + " does not accept inputs " + describe(inputs, in) + ": " + e.getMessage());
        }
        Map<String, String> ann = new LinkedHashMap<>();
        ann.put("onnx.op", opType);
        ann.put("onnx.node", node);
        builder.node(new Node(name, op, inputs, outs, ann));
        for (int k = 0; k < outs.size(); k++) {
            types.put(outs.get(k), out.get(k));
        }
        return outs;
    }

    private static String describe(List<String> names, List<ValueType> t) {
        List<String> d = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            d.add(names.get(i).isEmpty() ? "(absent)" : names.get(i) + ": " + t.get(i));
        }
        return d.toString();
    }

    /** Adds a single-output node with a fresh output name derived from the current node. */
    String emit1(Operator op, String... inputs) {
        return emit(op, Arrays.asList(inputs), List.of(builder.fresh(node + "_" + op.name().toLowerCase(java.util.Locale.ROOT))))
                .get(0);
    }

    /** Adds a single-output kernel node producing exactly {@code output}. */
    void emitTo(String output, Op op, String... inputs) {
        emit(new KernelOp(op), Arrays.asList(inputs), List.of(output));
    }

    /** Adds a single-output node producing exactly {@code output}. */
    void emitTo(String output, Operator op, String... inputs) {
        emit(op, Arrays.asList(inputs), List.of(output));
    }

    /** An int64 1-D constant. */
    String longs(String base, long... v) {
        return constant(node + "_" + base, Constant.ofLongs(v));
    }
}
