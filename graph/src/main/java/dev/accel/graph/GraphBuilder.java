package dev.accel.graph;

import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.op.Op;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds a {@link Graph}, for graphs written in code and for passes that edit one. Values are
 * named; methods that add a node return its output names (fresh names unless given).
 *
 * <pre>{@code
 * GraphBuilder b = new GraphBuilder("mlp");
 * String x = b.input("x", DType.F32, "N", 64);
 * String w = b.constant("w", Constant.ofFloats(Shape.of(64, 10), weights));
 * String y = b.op(new MatMul(), x, w);
 * b.output(b.op(Unary.of(Unary.Kind.RELU), y));
 * Graph g = b.build();
 * }</pre>
 *
 * <p>{@link #build()} checks the whole graph and infers every type, throwing
 * {@link InvalidArgumentException} with the offending node and values. Not thread-safe.
 */
public final class GraphBuilder {
    private final String name;
    private final Map<String, ValueType> inputs = new LinkedHashMap<>();
    private final Map<String, Constant> constants = new LinkedHashMap<>();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final List<String> outputs = new ArrayList<>();
    private final Map<String, ValueType> declared = new HashMap<>();
    private final Set<String> usedNames = new HashSet<>();
    private int counter;

    public GraphBuilder(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /** A builder holding a copy of everything in {@code g}. */
    public static GraphBuilder from(Graph g) {
        GraphBuilder b = new GraphBuilder(g.name());
        for (String i : g.inputs()) {
            b.input(i, g.type(i));
        }
        for (Value v : g.constants()) {
            b.constant(v.name(), v.constant());
        }
        for (Node n : g.nodes()) {
            b.node(n);
        }
        for (String o : g.outputs()) {
            b.output(o);
        }
        return b;
    }

    /** Adds a graph input; returns its name. */
    public String input(String valueName, ValueType type) {
        claim(valueName);
        inputs.put(valueName, Objects.requireNonNull(type, "type"));
        return valueName;
    }

    /** Adds a graph input with dimensions given as sizes or symbol names ({@code "N", 3, 224, 224}). */
    public String input(String valueName, DType dtype, Object... dims) {
        return input(valueName, new ValueType(dtype, SymShape.parse(dims)));
    }

    /** Changes the type of an existing input (binding symbols, say). */
    public void retypeInput(String valueName, ValueType type) {
        if (!inputs.containsKey(valueName)) {
            throw new InvalidArgumentException("graph '" + name + "' has no input '" + valueName + "'");
        }
        inputs.put(valueName, type);
    }

    /** Adds a constant under a given name; returns the name. */
    public String constant(String valueName, Constant c) {
        claim(valueName);
        constants.put(valueName, Objects.requireNonNull(c, "constant"));
        return valueName;
    }

    /** Adds a constant under a fresh name derived from {@code base}. */
    public String constantNamed(String base, Constant c) {
        return constant(fresh(base), c);
    }

    /** Replaces the data of an existing constant (same name). */
    public void replaceConstant(String valueName, Constant c) {
        if (!constants.containsKey(valueName)) {
            throw new InvalidArgumentException("graph '" + name + "' has no constant '" + valueName + "'");
        }
        constants.put(valueName, c);
    }

    /** Removes a constant; its name may not be used by any node afterwards. */
    public void removeConstant(String valueName) {
        if (constants.remove(valueName) == null) {
            throw new InvalidArgumentException("graph '" + name + "' has no constant '" + valueName + "'");
        }
    }

    /** Adds a single-output kernel node with fresh names; returns the output name. */
    public String op(Op op, String... in) {
        return op(new KernelOp(op), in);
    }

    /** Adds a single-output node with fresh names; returns the output name. */
    public String op(Operator op, String... in) {
        List<String> out = ops(op, in);
        if (out.size() != 1) {
            throw new InvalidArgumentException(op.name() + " has " + out.size() + " outputs; use ops(...)");
        }
        return out.get(0);
    }

    /** Adds a node with fresh names; returns all its output names. */
    public List<String> ops(Operator op, String... in) {
        String nodeName = fresh(op.name().toLowerCase(java.util.Locale.ROOT));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < op.outputCount(); i++) {
            out.add(fresh(nodeName + (op.outputCount() == 1 ? "_out" : "_out" + i)));
        }
        node(new Node(nodeName, op, Arrays.asList(in), out));
        return out;
    }

    /** Adds a node as given; its name and outputs must be new. */
    public Node node(Node n) {
        if (nodes.containsKey(n.name())) {
            throw new InvalidArgumentException("graph '" + name + "' already has a node named '" + n.name() + "'");
        }
        usedNames.add(n.name());
        usedNames.addAll(n.outputs());
        nodes.put(n.name(), n);
        return n;
    }

    /** Replaces the node of the same name. */
    public void replaceNode(Node n) {
        if (!nodes.containsKey(n.name())) {
            throw new InvalidArgumentException("graph '" + name + "' has no node '" + n.name() + "' to replace");
        }
        usedNames.addAll(n.outputs());
        nodes.put(n.name(), n);
    }

    /** Removes a node; returns it. */
    public Node removeNode(String nodeName) {
        Node n = nodes.remove(nodeName);
        if (n == null) {
            throw new InvalidArgumentException("graph '" + name + "' has no node '" + nodeName + "'");
        }
        return n;
    }

    /**
     * The node of this name as edited so far.
     *
     * @throws InvalidArgumentException when there is none
     */
    public Node node(String nodeName) {
        Node n = nodes.get(nodeName);
        if (n == null) {
            throw new InvalidArgumentException("graph '" + name + "' has no node '" + nodeName + "'");
        }
        return n;
    }

    /** How many nodes read a value, plus one if it is a graph output. */
    public int readers(String valueName) {
        int n = outputs.contains(valueName) ? 1 : 0;
        for (Node x : nodes.values()) {
            if (x.inputs().contains(valueName)) {
                n++;
            }
        }
        return n;
    }

    /** The nodes, in insertion order (not necessarily topological until built). */
    public Collection<Node> nodes() {
        return List.copyOf(nodes.values());
    }

    /** Makes every node input and graph output that reads {@code from} read {@code to} instead. */
    public void replaceUses(String from, String to) {
        for (Node n : List.copyOf(nodes.values())) {
            if (n.inputs().contains(from)) {
                List<String> in = n.inputs().stream().map(s -> s.equals(from) ? to : s).toList();
                nodes.put(n.name(), n.with(n.op(), in));
            }
        }
        outputs.replaceAll(s -> s.equals(from) ? to : s);
    }

    /** Marks values as graph outputs, in order. */
    public void output(String... valueNames) {
        outputs.addAll(Arrays.asList(valueNames));
    }

    /** Replaces the list of graph outputs. */
    public void setOutputs(List<String> valueNames) {
        outputs.clear();
        outputs.addAll(valueNames);
    }

    /** The graph output names so far. */
    public List<String> outputs() {
        return List.copyOf(outputs);
    }

    /**
     * Declares the expected type of a value (from a model file, say): {@link #build()} checks that
     * inference agrees, and uses it where inference leaves the shape unknown.
     */
    public void declare(String valueName, ValueType type) {
        declared.put(valueName, type);
    }

    /** A value or node name not used so far, {@code base} itself when free. */
    public String fresh(String base) {
        String b = base.isEmpty() ? "v" : base;
        String n = b;
        while (usedNames.contains(n) || inputs.containsKey(n) || constants.containsKey(n) || nodes.containsKey(n)) {
            n = b + "_" + (++counter);
        }
        usedNames.add(n);
        return n;
    }

    private void claim(String valueName) {
        if (valueName == null || valueName.isEmpty()) {
            throw new InvalidArgumentException("a value's name must not be empty");
        }
        if (inputs.containsKey(valueName) || constants.containsKey(valueName)) {
            throw new InvalidArgumentException("graph '" + name + "' already has a value named '" + valueName + "'");
        }
        usedNames.add(valueName);
    }

    /**
     * Checks the graph, orders its nodes topologically and infers every type.
     *
     * @throws InvalidArgumentException naming the problem: a value defined twice, an input never
     *     defined, a cycle (with its nodes), a node whose inputs do not fit its operator
     */
    public Graph build() {
        Map<String, String> definedBy = new HashMap<>();
        for (String i : inputs.keySet()) {
            definedBy.put(i, "graph input");
        }
        for (String c : constants.keySet()) {
            define(definedBy, c, "constant");
        }
        for (Node n : nodes.values()) {
            for (String o : n.outputs()) {
                define(definedBy, o, "node '" + n.name() + "'");
            }
        }
        List<String> missing = new ArrayList<>();
        for (Node n : nodes.values()) {
            for (String i : n.inputs()) {
                if (!i.isEmpty() && !definedBy.containsKey(i)) {
                    missing.add("'" + i + "' (read by node '" + n.name() + "')");
                }
            }
        }
        for (String o : outputs) {
            if (!definedBy.containsKey(o)) {
                missing.add("'" + o + "' (a graph output)");
            }
        }
        if (!missing.isEmpty()) {
            throw new InvalidArgumentException("graph '" + name + "': values used but never defined: " + String.join(", ", missing));
        }
        if (outputs.isEmpty()) {
            throw new InvalidArgumentException("graph '" + name + "' has no outputs");
        }
        List<Node> order = topologicalOrder();
        Map<String, Value> values = new LinkedHashMap<>();
        for (var e : inputs.entrySet()) {
            values.put(e.getKey(), new Value(e.getKey(), e.getValue(), null));
        }
        for (var e : constants.entrySet()) {
            values.put(e.getKey(), Value.constant(e.getKey(), e.getValue()));
        }
        for (Node n : order) {
            List<ValueType> in = new ArrayList<>();
            List<Constant> cs = new ArrayList<>();
            for (String i : n.inputs()) {
                Value v = i.isEmpty() ? null : values.get(i);
                in.add(v == null ? null : v.type());
                cs.add(v == null ? null : v.constant());
            }
            List<ValueType> out;
            try {
                out = Inference.outputs(n.op(), in, cs);
            } catch (InvalidArgumentException | ArithmeticException e) {
                throw new InvalidArgumentException("graph '" + name + "', node '" + n.name() + "' (" + n.op().name() + ") with inputs "
                        + in + ": " + e.getMessage(), e);
            }
            for (int k = 0; k < out.size(); k++) {
                String o = n.outputs().get(k);
                values.put(o, new Value(o, reconcile(n, o, out.get(k)), null));
            }
        }
        return new Graph(name, List.copyOf(inputs.keySet()), outputs, order, values);
    }

    private ValueType reconcile(Node n, String v, ValueType inferred) {
        ValueType d = declared.get(v);
        if (d == null) {
            return inferred;
        }
        if (d.dtype() != inferred.dtype()) {
            throw new InvalidArgumentException("graph '" + name + "': value '" + v + "' of node '" + n.name() + "' is declared " + d
                    + " but " + n.op().name() + " produces " + inferred);
        }
        if (!inferred.shape().isKnown()) {
            return d;
        }
        if (d.shape().isKnown()) {
            boolean clash = d.shape().rank() != inferred.shape().rank();
            for (int i = 0; !clash && i < d.shape().rank(); i++) {
                Dim a = d.shape().dim(i);
                Dim b = inferred.shape().dim(i);
                clash = !a.isSymbolic() && !b.isSymbolic() && a.value() != b.value();
            }
            if (clash) {
                throw new InvalidArgumentException("graph '" + name + "': value '" + v + "' of node '" + n.name() + "' is declared " + d
                        + " but " + n.op().name() + " produces " + inferred);
            }
        }
        return inferred;
    }

    private void define(Map<String, String> definedBy, String v, String by) {
        String before = definedBy.putIfAbsent(v, by);
        if (before != null) {
            throw new InvalidArgumentException("graph '" + name + "': value '" + v + "' is defined twice, by " + before + " and by " + by);
        }
    }

    /** Kahn's algorithm, stable with respect to insertion order. */
    private List<Node> topologicalOrder() {
        Map<String, Node> producer = new HashMap<>();
        for (Node n : nodes.values()) {
            for (String o : n.outputs()) {
                producer.put(o, n);
            }
        }
        Map<String, Integer> pending = new HashMap<>();
        Map<String, List<Node>> dependents = new HashMap<>();
        for (Node n : nodes.values()) {
            Set<String> deps = new HashSet<>();
            for (String i : n.inputs()) {
                Node p = producer.get(i);
                if (p != null && deps.add(p.name())) {
                    dependents.computeIfAbsent(p.name(), k -> new ArrayList<>()).add(n);
                }
            }
            pending.put(n.name(), deps.size());
        }
        Map<String, Integer> index = new HashMap<>();
        int k = 0;
        for (String nn : nodes.keySet()) {
            index.put(nn, k++);
        }
        java.util.PriorityQueue<Node> ready = new java.util.PriorityQueue<>(java.util.Comparator.comparingInt(n -> index.get(n.name())));
        for (Node n : nodes.values()) {
            if (pending.get(n.name()) == 0) {
                ready.add(n);
            }
        }
        List<Node> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            Node n = ready.poll();
            order.add(n);
            for (Node d : dependents.getOrDefault(n.name(), List.of())) {
                if (pending.merge(d.name(), -1, Integer::sum) == 0) {
                    ready.add(d);
                }
            }
        }
        if (order.size() != nodes.size()) {
            Deque<String> stuck = new ArrayDeque<>();
            for (Node n : nodes.values()) {
                if (pending.get(n.name()) > 0) {
                    stuck.add(n.name());
                }
            }
            throw new InvalidArgumentException("graph '" + name + "' has a cycle through the nodes " + stuck);
        }
        return order;
    }
}
