package dev.accel.graph;

import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.OpSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable, validated dataflow graph: named values (inputs, constants, node outputs) and nodes
 * in topological order. Built by {@link GraphBuilder}, which checks that every value is defined
 * once, every input defined, no cycle exists, and infers every node's output types.
 *
 * <p>Passes derive new graphs ({@link #toBuilder()}); constants are shared between them, never
 * copied. A graph whose every node is a {@link KernelOp} with static types is {@linkplain
 * #isResolved() resolved}: the partitioner and runtime take only those.
 *
 * <p>Thread safety: immutable, safe to share.
 */
public final class Graph {
    private final String name;
    private final List<String> inputs;
    private final List<String> outputs;
    private final List<Node> nodes;
    private final Map<String, Value> values;
    private final Map<String, Node> producers = new HashMap<>();
    private final Map<String, List<Node>> consumers = new HashMap<>();
    private final Map<String, Node> byName = new HashMap<>();

    Graph(String name, List<String> inputs, List<String> outputs, List<Node> nodes, Map<String, Value> values) {
        this.name = name;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.nodes = List.copyOf(nodes);
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        for (Node n : nodes) {
            byName.put(n.name(), n);
            for (String o : n.outputs()) {
                producers.put(o, n);
            }
            for (String i : new LinkedHashSet<>(n.inputs())) {
                if (!i.isEmpty()) {
                    consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
                }
            }
        }
    }

    public String name() {
        return name;
    }

    /** The graph input names, in order (never constants). */
    public List<String> inputs() {
        return inputs;
    }

    /** The graph output names, in order. */
    public List<String> outputs() {
        return outputs;
    }

    /** The nodes in topological order (each after the producers of its inputs). */
    public List<Node> nodes() {
        return nodes;
    }

    /** Every value by name: inputs, constants, node outputs. */
    public Map<String, Value> values() {
        return values;
    }

    /**
     * The value of this name.
     *
     * @throws InvalidArgumentException when the graph has no such value
     */
    public Value value(String valueName) {
        Value v = values.get(valueName);
        if (v == null) {
            throw new InvalidArgumentException("graph '" + name + "' has no value named '" + valueName + "'");
        }
        return v;
    }

    /** The type of a value. */
    public ValueType type(String valueName) {
        return value(valueName).type();
    }

    /** The constant data of a value, or null when the value is not constant (or the name is empty). */
    public Constant constant(String valueName) {
        if (valueName.isEmpty()) {
            return null;
        }
        return value(valueName).constant();
    }

    /** The node of this name, if any. */
    public Optional<Node> node(String nodeName) {
        return Optional.ofNullable(byName.get(nodeName));
    }

    /** The node producing a value; empty for inputs and constants. */
    public Optional<Node> producer(String valueName) {
        return Optional.ofNullable(producers.get(valueName));
    }

    /** The nodes reading a value, in topological order, each once. */
    public List<Node> consumers(String valueName) {
        return Collections.unmodifiableList(consumers.getOrDefault(valueName, List.of()));
    }

    /** The constant values, in definition order. */
    public List<Value> constants() {
        return values.values().stream().filter(Value::isConstant).toList();
    }

    /** The symbols of the inputs' shapes, in order of appearance. */
    public Set<String> symbols() {
        Set<String> s = new LinkedHashSet<>();
        for (String i : inputs) {
            s.addAll(values.get(i).type().shape().symbols());
        }
        return s;
    }

    /**
     * This graph with the input symbols bound to sizes and every type inferred again.
     *
     * @throws InvalidArgumentException when a node does not accept the bound shapes
     */
    public Graph bind(Map<String, Integer> bindings) {
        GraphBuilder b = toBuilder();
        for (String i : inputs) {
            b.retypeInput(i, values.get(i).type().bind(bindings));
        }
        return b.build();
    }

    /**
     * This graph with some inputs given new types (actual shapes of the data at hand, say) and
     * every type inferred again.
     */
    public Graph withInputTypes(Map<String, ValueType> types) {
        GraphBuilder b = toBuilder();
        for (var e : types.entrySet()) {
            b.retypeInput(e.getKey(), e.getValue());
        }
        return b.build();
    }

    /**
     * This graph with some inputs replaced by constants of the given data: used for inputs that
     * carry parameters (a Reshape's target, a Slice's bounds), which must be known before kernels
     * can be chosen.
     */
    public Graph withConstantInputs(Map<String, Constant> data) {
        GraphBuilder b = new GraphBuilder(name);
        for (String i : inputs) {
            Constant c = data.get(i);
            if (c == null) {
                b.input(i, type(i));
            } else {
                b.constant(i, c);
            }
        }
        for (Value v : constants()) {
            b.constant(v.name(), v.constant());
        }
        for (Node n : nodes) {
            b.node(n);
        }
        b.setOutputs(outputs);
        return b.build();
    }

    /**
     * The graph inputs read only as parameters of graph-level operations ({@link
     * GraphOp#isParameter}): a Reshape's target shape, Slice bounds, Pad amounts given as inputs.
     */
    public List<String> parameterInputs() {
        List<String> out = new ArrayList<>();
        for (String i : inputs) {
            List<Node> readers = consumers(i);
            boolean param = !readers.isEmpty() && !outputs.contains(i);
            for (Node n : readers) {
                for (int k = 0; k < n.inputs().size(); k++) {
                    if (n.inputs().get(k).equals(i) && !(n.op() instanceof GraphOp g && g.isParameter(k))) {
                        param = false;
                    }
                }
            }
            if (param) {
                out.add(i);
            }
        }
        return out;
    }

    /**
     * The subgraph of some nodes, for a partitioner's regions: values the nodes read from outside
     * become its inputs (constants stay constants), values they produce that are read outside the
     * set or are outputs of this graph become its outputs. Nodes keep their names and annotations.
     *
     * @throws InvalidArgumentException for an unknown node name or an empty set
     */
    public Graph subgraph(String subName, java.util.Collection<String> nodeNames) {
        Set<String> members = new LinkedHashSet<>(nodeNames);
        if (members.isEmpty()) {
            throw new InvalidArgumentException("subgraph '" + subName + "' of graph '" + name + "' has no nodes");
        }
        for (String m : members) {
            if (!byName.containsKey(m)) {
                throw new InvalidArgumentException("graph '" + name + "' has no node '" + m + "'");
            }
        }
        GraphBuilder b = new GraphBuilder(subName);
        Set<String> produced = new java.util.HashSet<>();
        for (Node n : nodes) {
            if (members.contains(n.name())) {
                produced.addAll(n.outputs());
            }
        }
        Set<String> added = new java.util.HashSet<>();
        List<String> outs = new ArrayList<>();
        for (Node n : nodes) {
            if (!members.contains(n.name())) {
                continue;
            }
            for (String i : n.inputs()) {
                if (i.isEmpty() || produced.contains(i) || !added.add(i)) {
                    continue;
                }
                Value v = value(i);
                if (v.isConstant()) {
                    b.constant(i, v.constant());
                } else {
                    b.input(i, v.type());
                }
            }
            b.node(n);
            for (String o : n.outputs()) {
                boolean readOutside = consumers(o).stream().anyMatch(c -> !members.contains(c.name()));
                if (readOutside || outputs.contains(o)) {
                    outs.add(o);
                }
            }
        }
        b.setOutputs(outs);
        return b.build();
    }

    /** Types of a node's inputs, null for absent ones. */
    public List<ValueType> inputTypes(Node n) {
        List<ValueType> t = new ArrayList<>();
        for (String i : n.inputs()) {
            t.add(i.isEmpty() ? null : type(i));
        }
        return t;
    }

    /**
     * The hal-api spec of a kernel node, which a device prepares.
     *
     * @throws InvalidArgumentException when the node is graph-level or a type is not static
     */
    public OpSpec spec(Node n) {
        if (!(n.op() instanceof KernelOp k)) {
            throw new InvalidArgumentException("node '" + n.name() + "' is the graph-level " + n.op().name()
                    + "; fold or lower it before preparing kernels");
        }
        List<TensorType> in = new ArrayList<>();
        for (String i : n.inputs()) {
            in.add(i.isEmpty() ? null : staticType(n, i));
        }
        List<TensorType> out = new ArrayList<>();
        for (String o : n.outputs()) {
            out.add(staticType(n, o));
        }
        return new OpSpec(k.op(), Inference.kernelInputs(k.op(), in), out);
    }

    private TensorType staticType(Node n, String v) {
        ValueType t = type(v);
        if (!t.isStatic()) {
            throw new InvalidArgumentException("node '" + n.name() + "' (" + n.op().name() + "): value '" + v + "' has the type "
                    + t + ", not static; bind the graph's symbols and fold it first");
        }
        return t.toTensorType();
    }

    /** True when every node is a kernel and every value's type is static. */
    public boolean isResolved() {
        return unresolved().isEmpty();
    }

    /** One line per node that keeps this graph from being resolved, with the reason. */
    public List<String> unresolved() {
        List<String> out = new ArrayList<>();
        for (Node n : nodes) {
            if (!(n.op() instanceof KernelOp)) {
                out.add("node '" + n.name() + "' is the graph-level " + n.op().name() + " with inputs " + describeInputs(n)
                        + ": it could not be folded or lowered to a kernel");
                continue;
            }
            for (String v : n.outputs()) {
                if (!type(v).isStatic()) {
                    out.add("node '" + n.name() + "' (" + n.op().name() + ") output '" + v + "' has the non-static type " + type(v));
                }
            }
            try {
                spec(n);
            } catch (InvalidArgumentException e) {
                out.add("node '" + n.name() + "' (" + n.op().name() + "): " + e.getMessage());
            }
        }
        return out;
    }

    private String describeInputs(Node n) {
        List<String> d = new ArrayList<>();
        for (String i : n.inputs()) {
            d.add(i.isEmpty() ? "(absent)" : type(i) + (constant(i) != null ? " const" : ""));
        }
        return d.toString();
    }

    /** A builder holding everything of this graph, for passes to edit. */
    public GraphBuilder toBuilder() {
        return GraphBuilder.from(this);
    }

    /** A multi-line listing: inputs, constants (count), nodes with their output types, outputs. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("graph ").append(name).append('\n');
        for (String i : inputs) {
            sb.append("  input ").append(values.get(i)).append('\n');
        }
        sb.append("  ").append(constants().size()).append(" constants\n");
        for (Node n : nodes) {
            sb.append("  ").append(n.name()).append(" = ").append(n.op().name()).append(n.inputs()).append(" -> ");
            for (int i = 0; i < n.outputs().size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(values.get(n.outputs().get(i)));
            }
            sb.append('\n');
        }
        for (String o : outputs) {
            sb.append("  output ").append(values.get(o)).append('\n');
        }
        return sb.toString();
    }
}
