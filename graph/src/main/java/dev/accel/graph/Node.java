package dev.accel.graph;

import dev.accel.hal.InvalidArgumentException;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One operation of a graph. Inputs and outputs are value names; an empty input name marks an
 * optional input that is absent (only trailing ones may be absent for a {@link KernelOp}).
 * Annotations are free-form strings that passes and importers attach (for example
 * {@code "fusion.group"}, or the ONNX op type a node came from); they never change semantics.
 *
 * @param name unique within the graph
 * @param op what the node computes
 * @param inputs value names, in the operator's documented order
 * @param outputs value names, as many as {@link Operator#outputCount()}
 * @param annotations extra facts, in insertion order
 */
public record Node(String name, Operator op, List<String> inputs, List<String> outputs, Map<String, String> annotations) {
    public Node {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(op, "op");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        annotations = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(annotations));
        if (name.isEmpty()) {
            throw new InvalidArgumentException("a node's name must not be empty (" + op.name() + ")");
        }
        if (outputs.size() != op.outputCount()) {
            throw new InvalidArgumentException("node '" + name + "' (" + op.name() + ") has " + outputs.size()
                    + " outputs, its operator produces " + op.outputCount());
        }
        for (String o : outputs) {
            if (o.isEmpty()) {
                throw new InvalidArgumentException("node '" + name + "' has an output with an empty name");
            }
        }
    }

    /** A node without annotations. */
    public Node(String name, Operator op, List<String> inputs, List<String> outputs) {
        this(name, op, inputs, outputs, Map.of());
    }

    /** The hal-api op of a kernel node, or null for a graph-level operator. */
    public dev.accel.hal.op.Op kernel() {
        return op instanceof KernelOp k ? k.op() : null;
    }

    /** This node with another operator and inputs, same name, outputs and annotations. */
    public Node with(Operator newOp, List<String> newInputs) {
        return new Node(name, newOp, newInputs, outputs, annotations);
    }

    /** This node with one annotation added or replaced. */
    public Node annotated(String key, String value) {
        Map<String, String> a = new java.util.LinkedHashMap<>(annotations);
        a.put(key, value);
        return new Node(name, op, inputs, outputs, a);
    }

    @Override
    public String toString() {
        return name + " = " + op.name() + inputs + " -> " + outputs;
    }
}
