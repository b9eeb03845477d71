package dev.accel.graph;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Removes nodes none of whose outputs reach a graph output, and constants nothing reads. */
public final class DeadNodeElimination implements GraphPass {
    @Override
    public String name() {
        return "dead-node-elimination";
    }

    @Override
    public Graph apply(Graph g) {
        Set<String> live = new HashSet<>(g.outputs());
        Set<String> liveNodes = new HashSet<>();
        List<Node> nodes = g.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (n.outputs().stream().anyMatch(live::contains)) {
                liveNodes.add(n.name());
                live.addAll(n.inputs());
            }
        }
        boolean deadConstant = g.constants().stream().anyMatch(v -> !live.contains(v.name()));
        if (liveNodes.size() == nodes.size() && !deadConstant) {
            return g;
        }
        GraphBuilder b = g.toBuilder();
        for (Node n : nodes) {
            if (!liveNodes.contains(n.name())) {
                b.removeNode(n.name());
            }
        }
        for (Value v : g.constants()) {
            if (!live.contains(v.name())) {
                b.removeConstant(v.name());
            }
        }
        return b.build();
    }
}
