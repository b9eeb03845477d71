package dev.accel.partitioner;

import dev.accel.graph.Graph;
import dev.accel.graph.Node;
import dev.accel.hal.DType;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.QuantizeLinear;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Finds wasteful conversions in a graph as it runs (conversions are Cast, QuantizeLinear and
 * DequantizeLinear nodes that are not part of a lowered int8 form): a conversion of a conversion's
 * result, two conversions of one value to one dtype, and a single op wrapped in a round trip (every
 * data input converted from dtype A just for it, every output converted straight back to A or
 * already in A, all on one device) where running the op in A on that device would cost no more than
 * it costs as placed plus the wrapping conversions, so that one conversion at the boundary would
 * do. An op lowered to several nodes (an int8 Gemm: MatMulInteger, its dequantization and its bias)
 * is checked as one op.
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
            Precision want = dtype == null ? np.precision() : dtype.isQuantized() ? Precision.INT8
                    : dtype == DType.F16 ? Precision.FP16 : Precision.FP32;
            return np.claims().stream().filter(c -> c.target().equals(np.device()) && c.runnable() && c.precision() == want)
                    .mapToDouble(Claim::seconds).min().orElse(Double.NaN);
        });
    }

    static boolean isConversion(Node n) {
        return (n.kernel() instanceof Cast || n.kernel() instanceof QuantizeLinear || n.kernel() instanceof DequantizeLinear)
                && !n.annotations().containsKey(PlanBuilder.PART_OF);
    }

    /**
     * @param costIn for an op's node: its seconds on its device computing in the precision of the
     *     given dtype (NaN when it cannot), or as placed when the dtype is null; for a conversion
     *     node: its seconds
     */
    static List<String> violations(Graph g, Function<String, String> deviceOf, BiFunction<Node, DType, Double> costIn) {
        List<String> out = new ArrayList<>();
        Map<String, Node> conversions = new HashMap<>();
        Map<String, List<Node>> ops = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            if (isConversion(n)) {
                conversions.put(n.outputs().get(0), n);
            } else {
                ops.computeIfAbsent(n.annotations().getOrDefault(PlanBuilder.PART_OF, n.name()), k -> new ArrayList<>()).add(n);
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
        for (var e : ops.entrySet()) {
            Node n = g.node(e.getKey()).orElseThrow();
            List<Node> group = e.getValue();
            List<String> made = group.stream().flatMap(x -> x.outputs().stream()).toList();
            List<String> data = group.stream().flatMap(x -> x.inputs().stream())
                    .filter(i -> !i.isEmpty() && g.constant(i) == null && !made.contains(i)).distinct().toList();
            if (data.isEmpty() || !data.stream().allMatch(conversions::containsKey)) {
                continue;
            }
            DType from = g.type(conversions.get(data.get(0)).inputs().get(0)).dtype();
            String device = deviceOf.apply(n.name());
            boolean wrapped = true;
            double wraps = 0;
            for (String i : data) {
                wraps += costIn.apply(conversions.get(i), null);
            }
            for (String o : made) {
                List<Node> readers = g.consumers(o).stream().filter(r -> !group.contains(r)).toList();
                boolean leaves = !readers.isEmpty() || g.outputs().contains(o);
                if (!leaves) {
                    continue;
                }
                boolean back = g.type(o).dtype() == from || !g.outputs().contains(o) && readers.stream().allMatch(r -> isConversion(r)
                        && g.type(r.outputs().get(0)).dtype() == from && deviceOf.apply(r.name()).equals(device));
                wrapped &= back;
                for (Node r : readers) {
                    if (isConversion(r)) {
                        wraps += costIn.apply(r, null);
                    }
                }
            }
            boolean sameDevice = data.stream().allMatch(i -> deviceOf.apply(conversions.get(i).name()).equals(device));
            double outer = costIn.apply(n, from);
            double inner = costIn.apply(n, null);
            boolean pays = Double.isNaN(outer) || outer > inner + wraps;
            if (wrapped && sameDevice && !pays) {
                out.add("node " + n.name() + " on " + device + " is wrapped in a round trip " + from + " -> "
                        + g.type(data.get(0)).dtype() + " -> " + from);
            }
        }
        return out;
    }
}
