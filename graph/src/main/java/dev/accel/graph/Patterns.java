package dev.accel.graph;

import java.util.List;
import java.util.Optional;

/** Small matchers the fusion passes share. */
final class Patterns {
    private Patterns() {
    }

    /** The only node reading {@code value}, when exactly one reads it and it is not a graph output. */
    static Optional<Node> soleConsumer(Graph g, String value) {
        if (g.outputs().contains(value)) {
            return Optional.empty();
        }
        List<Node> c = g.consumers(value);
        if (c.size() != 1) {
            return Optional.empty();
        }
        Node n = c.get(0);
        // A node reading the value twice (x + x) is not a fusion candidate either.
        return n.inputs().stream().filter(value::equals).count() == 1 ? Optional.of(n) : Optional.empty();
    }

    /** The input of a two-input node that is not {@code value}. */
    static String other(Node n, String value) {
        return n.inputs().get(0).equals(value) ? n.inputs().get(1) : n.inputs().get(0);
    }

    /** True when every named value is present and static. */
    static boolean allStatic(Graph g, List<String> names) {
        for (String s : names) {
            if (s.isEmpty() || !g.type(s).isStatic()) {
                return false;
            }
        }
        return true;
    }
}
