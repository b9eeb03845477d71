package dev.accel.graph;

import dev.accel.hal.op.Identity;
import dev.accel.hal.op.Reshape;

/**
 * Removes Identity nodes (Dropout imports as Identity) and Reshapes to the shape they already
 * have, making their consumers read the input directly. A node whose output is a graph output is
 * kept when its input is a graph input, a constant or another graph output, since the output's
 * name must survive; otherwise the producer of the input is renamed to produce the output.
 */
public final class IdentityElimination implements GraphPass {
    @Override
    public String name() {
        return "identity-elimination";
    }

    @Override
    public Graph apply(Graph g) {
        GraphBuilder b = null;
        for (Node n : g.nodes()) {
            boolean identity = n.kernel() instanceof Identity
                    || n.kernel() instanceof Reshape && g.type(n.inputs().get(0)).equals(g.type(n.outputs().get(0)));
            if (!identity) {
                continue;
            }
            if (b == null) {
                b = g.toBuilder();
            }
            // Inputs as edited so far: an earlier identity of a chain may have been removed.
            String in = b.node(n.name()).inputs().get(0);
            String out = n.outputs().get(0);
            if (!g.outputs().contains(out)) {
                b.removeNode(n.name());
                b.replaceUses(out, in);
                continue;
            }
            var producer = g.producer(in);
            if (producer.isEmpty() || g.outputs().contains(in) || b.readers(in) != 1) {
                continue;
            }
            // The identity's output is a graph output: its input's producer takes over the name.
            Node p = b.node(producer.get().name());
            b.removeNode(n.name());
            b.replaceNode(new Node(p.name(), p.op(), p.inputs(),
                    p.outputs().stream().map(s -> s.equals(in) ? out : s).toList(), p.annotations()));
        }
        return b == null ? g : b.build();
    }
}
