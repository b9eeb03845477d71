package dev.accel.graph;

import dev.accel.hal.TensorType;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns graph-level operations into hal-api kernels where their data input has a static type and
 * their parameter inputs are constant: Reshape, Flatten, Squeeze and Unsqueeze become a
 * {@link dev.accel.hal.op.Reshape} with the resolved shape; Slice, Pad, Split, ReduceMean and Clip
 * their kernels with the parameters as attributes; Expand an Identity or a broadcasting Add of
 * zeros. Shape, Gather and ConstantOfShape have no kernel: they must fold away.
 */
public final class Lowering implements GraphPass {
    @Override
    public String name() {
        return "lowering";
    }

    @Override
    public Graph apply(Graph g) {
        GraphBuilder b = null;
        for (Node n : g.nodes()) {
            if (!(n.op() instanceof GraphOp op) || !g.type(n.inputs().get(0)).isStatic()) {
                continue;
            }
            List<TensorType> in = new ArrayList<>();
            List<Constant> cs = new ArrayList<>();
            for (String i : n.inputs()) {
                in.add(i.isEmpty() || !g.type(i).isStatic() ? null : g.type(i).toTensorType());
                cs.add(g.constant(i));
            }
            GraphOpRules.Lowered l = GraphOpRules.lower(op, in, cs);
            if (l == null) {
                continue;
            }
            if (b == null) {
                b = g.toBuilder();
            }
            List<String> kin = new ArrayList<>();
            kin.add(n.inputs().get(0));
            if (l.extra() != null) {
                kin.add(b.constantNamed(n.name() + "_zeros", l.extra()));
            }
            b.replaceNode(n.with(new KernelOp(l.op()), kin).annotated("lowered.from", op.name()));
        }
        return b == null ? g : b.build();
    }
}
