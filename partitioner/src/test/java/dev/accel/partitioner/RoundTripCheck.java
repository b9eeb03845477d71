package dev.accel.partitioner;

import dev.accel.graph.Graph;
import dev.accel.graph.Node;
import dev.accel.hal.DType;
import dev.accel.hal.op.Cast;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Finds wasteful conversions in a graph as it runs: a conversion of a conversion's result, two
 * conversions of one value to one dtype, and a single op wrapped in a round trip (every input
 * converted from dtype A to B just for it, every output converted straight back to A, all on one
 * device) where running the op in A on that device would cost no more than the op in B plus the
 * wrapping conversions, so that one conversion at the boundary would do.
 */
final class RoundTripCheck {
    private RoundTripCheck() {
    }

    /** The check with costs from a plan: its claims and its conversions' estimates. */
    static List<String> violations(Plan p) {
        Map<String, Double> conversionSeconds = new HashMap<>();
        for (Conversion c : p.conversions()) {
            conversionSeconds.put(c.node(), c.seconds());
        }
        return violations(p.graph(), p::deviceOf, (node, dtype) -> {
            NodePlacement np = p.placements().get(node.name());
            if (np == null) {
                return conversionSeconds.getOrDefault(node.name(), 0.0);
            }
            return np.claims().stream().filter(c -> c.target().equals(np.device()) && c.runnable()
                    && c.spec().outputs().get(0).dtype() == dtype).mapToDouble(Claim::seconds).min().orElse(Double.NaN);
        });
    }

    /**
     * @param costIn seconds of a node on its device computing with outputs in the given dtype (NaN
     *     when it cannot), or, for a conversion node, its seconds
     */
    static List<String> violations(Graph g, Function<String, String> deviceOf, java.util.function.BiFunction<Node, DType, Double> costIn) {
        List<String> out = new ArrayList<>();
        Map<String, Node> conversions = new HashMap<>();
        for (Node n : g.nodes()) {
            if (n.kernel() instanceof Cast) {
                conversions.put(n.outputs().get(0), n);
            }
        }
        Map<String, String> seen = new HashMap<>();
        for (Node c : conversions.values()) {
            String in = c.inputs().get(0);
            if (conversions.containsKey(in)) {
                out.add("conversion " + c.name() + " converts the result of conversion " + conversions.get(in).name());
            }
            String key = in + "->" + g.type(c.outputs().get(0)).dtype();
            String before = seen.put(key, c.name());
            if (before != null) {
                out.add("value " + in + " is converted to " + g.type(c.outputs().get(0)).dtype() + " twice: " + before + ", " + c.name());
            }
        }
        for (Node n : g.nodes()) {
            if (n.kernel() instanceof Cast) {
                continue;
            }
            List<String> data = n.inputs().stream().filter(i -> !i.isEmpty() && g.constant(i) == null).toList();
            if (data.isEmpty() || !data.stream().allMatch(conversions::containsKey)) {
                continue;
            }
            DType from = g.type(conversions.get(data.get(0)).inputs().get(0)).dtype();
            boolean wrapped = true;
            for (String o : n.outputs()) {
                List<Node> readers = g.consumers(o);
                wrapped &= !readers.isEmpty() && !g.outputs().contains(o) && readers.stream().allMatch(r -> r.kernel() instanceof Cast
                        && g.type(r.outputs().get(0)).dtype() == from && deviceOf.apply(r.name()).equals(deviceOf.apply(n.name())));
            }
            boolean sameDevice = data.stream().allMatch(i -> deviceOf.apply(conversions.get(i).name()).equals(deviceOf.apply(n.name())));
            double wraps = 0;
            for (String i : data) {
                wraps += costIn.apply(conversions.get(i), null);
            }
            for (String o : n.outputs()) {
                for (Node r : g.consumers(o)) {
                    wraps += costIn.apply(r, null);
                }
            }
            double outer = costIn.apply(n, from);
            double inner = costIn.apply(n, g.type(n.outputs().get(0)).dtype());
            boolean pays = Double.isNaN(outer) || outer > inner + wraps;
            if (wrapped && sameDevice && !pays) {
                out.add("node " + n.name() + " on " + deviceOf.apply(n.name()) + " is wrapped in a round trip " + from + " -> "
                        + g.type(data.get(0)).dtype() + " -> " + from);
            }
        }
        return out;
    }
}
