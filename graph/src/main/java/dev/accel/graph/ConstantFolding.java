package dev.accel.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replaces every node whose result is computable on the host from constants by constants: shape
 * computations (Shape, Gather, integer arithmetic, Concat, Slice, Cast), ConstantOfShape (as a
 * splat, not allocated), reshapes of constants, and the simple elementwise ops
 * {@link HostEvaluator} knows. Works in one topological sweep, inferring types again as constants
 * appear, so a chain {@code Shape -> Gather -> Unsqueeze -> Concat -> Reshape} folds at once and
 * the Reshape's output type becomes static.
 */
public final class ConstantFolding implements GraphPass {
    @Override
    public String name() {
        return "constant-folding";
    }

    @Override
    public Graph apply(Graph g) {
        Map<String, ValueType> types = new HashMap<>();
        Map<String, Constant> consts = new HashMap<>();
        for (Value v : g.values().values()) {
            types.put(v.name(), v.type());
            if (v.isConstant()) {
                consts.put(v.name(), v.constant());
            }
        }
        Map<String, Constant> folded = new LinkedHashMap<>();
        List<String> removed = new ArrayList<>();
        for (Node n : g.nodes()) {
            List<ValueType> in = new ArrayList<>();
            List<Constant> cs = new ArrayList<>();
            for (String i : n.inputs()) {
                in.add(i.isEmpty() ? null : types.get(i));
                cs.add(i.isEmpty() ? null : consts.get(i));
            }
            List<ValueType> out = Inference.outputs(n.op(), in, cs);
            List<Constant> res = HostEvaluator.evaluate(n.op(), in, cs, out);
            for (int k = 0; k < n.outputs().size(); k++) {
                String o = n.outputs().get(k);
                types.put(o, res != null ? ValueType.of(res.get(k).type()) : out.get(k));
                if (res != null) {
                    consts.put(o, res.get(k));
                    folded.put(o, res.get(k));
                }
            }
            if (res != null) {
                removed.add(n.name());
            }
        }
        if (removed.isEmpty()) {
            return g;
        }
        GraphBuilder b = g.toBuilder();
        for (String r : removed) {
            b.removeNode(r);
        }
        for (var e : folded.entrySet()) {
            b.constant(e.getKey(), e.getValue());
        }
        return b.build();
    }
}
