package dev.accel.partitioner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.graph.Graph;
import dev.accel.graph.GraphBuilder;
import dev.accel.graph.Node;
import dev.accel.hal.DType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Unary;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Regions: every node in exactly one; each region on one device and precision, connected; the
 * region graph acyclic (each region reads only from regions numbered before it), for arbitrary
 * (random) placements as well as searched ones; and a diamond whose ends share a device but whose
 * middle does not splits into three regions, not a cycle of two.
 */
class RegionsTest {
    @Test
    void aDiamondAcrossTwoDevicesIsThreeRegions() {
        GraphBuilder b = new GraphBuilder("diamond");
        String x = b.input("x", DType.F32, 4, 8);
        String a = b.op(Unary.of(Unary.Kind.RELU), x);
        String m = b.op(Unary.of(Unary.Kind.SIGMOID), a);
        b.output(b.op(new Binary(Binary.Kind.ADD), a, m));
        Graph g = b.build();
        Plan p = new Partitioner().plan(g, List.of(Synthetic.cpu(), Synthetic.gpu()),
                Preferences.builder().pin("relu", "cpu").pin("sigmoid", "gpu").pin("add", "cpu").build());
        assertEquals(3, p.regions().size(), p.explain());
        checkRegions(g, p);
    }

    @Test
    void randomPlacementsGiveAcyclicConnectedRegions() {
        Random r = new Random(3);
        for (int i = 0; i < 150; i++) {
            Graph g = Synthetic.randomDag(r, 5 + r.nextInt(40));
            Problem pb = new Problem(g, List.of(Synthetic.cpu(), Synthetic.gpu(), Synthetic.npu()),
                    Preferences.builder().precision(Precision.FP16).build(), CostModel.roofline());
            int[] assign = new int[pb.units];
            for (int u = 0; u < pb.units; u++) {
                assign[u] = r.nextInt(pb.optTarget[u].length);
            }
            double e = new Simulator(pb).evaluate(assign);
            Search.Result fake = new Search.Result(assign, e, "random", false, Double.POSITIVE_INFINITY, -1);
            Plan p = new PlanBuilder(pb, fake).build();
            checkRegions(g, p);
        }
    }

    private static void checkRegions(Graph g, Plan p) {
        Map<String, Integer> regionOf = new HashMap<>();
        for (Region r : p.regions()) {
            for (String n : r.nodes()) {
                assertEquals(null, regionOf.put(n, r.index()), n + " is in two regions");
                assertEquals(r.device(), p.placements().get(n).device());
                assertEquals(r.precision(), p.placements().get(n).precision());
            }
            assertEquals(r.index(), p.regions().indexOf(r));
            for (int pr : r.predecessors()) {
                assertTrue(pr < r.index(), "region " + r.index() + " reads region " + pr + ", numbered after it: not topological");
            }
            // Connected: a walk over edges inside the region reaches every member.
            Set<String> members = new HashSet<>(r.nodes());
            Set<String> reached = new HashSet<>();
            java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(List.of(r.nodes().get(0)));
            while (!todo.isEmpty()) {
                String n = todo.pop();
                if (!reached.add(n)) {
                    continue;
                }
                Node node = g.node(n).orElseThrow();
                for (String in : node.inputs()) {
                    g.producer(in).filter(x -> members.contains(x.name())).ifPresent(x -> todo.push(x.name()));
                }
                for (String o : node.outputs()) {
                    g.consumers(o).stream().filter(x -> members.contains(x.name())).forEach(x -> todo.push(x.name()));
                }
            }
            assertEquals(members, reached, "region " + r.index() + " is not connected");
        }
        assertEquals(g.nodes().size(), regionOf.size(), "every node is in a region");
        // Every edge between regions goes from a lower to a higher number.
        for (Node n : g.nodes()) {
            for (String in : n.inputs()) {
                g.producer(in).ifPresent(src -> assertTrue(regionOf.get(src.name()) <= regionOf.get(n.name()),
                        "edge " + src.name() + " -> " + n.name() + " goes backwards between regions"));
            }
        }
    }
}
