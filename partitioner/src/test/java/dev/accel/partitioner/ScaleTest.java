package dev.accel.partitioner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.graph.Graph;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A 10,000-node graph over a CPU, a GPU and an NPU with float16 allowed: planned with the heuristic
 * (list scheduling and refinement), regions acyclic, no wasteful conversion, and never worse than
 * the best single device. The time is printed, not asserted (the machine is shared):
 * {@code mvn -pl partitioner verify -Dtest=ScaleTest}, then the test's output file.
 */
class ScaleTest {
    private static final System.Logger LOG = System.getLogger(ScaleTest.class.getName());

    @Test
    void tenThousandNodesArePlanned() {
        Graph g = Synthetic.randomDag(new Random(11), 10_000);
        List<Target> targets = List.of(Synthetic.cpu(), Synthetic.gpu(), Synthetic.npu());
        Preferences prefs = Preferences.builder().precision(Precision.FP16).build();
        Partitioner partitioner = new Partitioner();
        // Five warm-up plans (the JIT compiles the search), then five timed.
        for (int i = 0; i < 5; i++) {
            partitioner.plan(g, targets, prefs);
        }
        long[] ns = new long[5];
        Plan p = null;
        for (int i = 0; i < ns.length; i++) {
            long t0 = System.nanoTime();
            p = partitioner.plan(g, targets, prefs);
            ns[i] = System.nanoTime() - t0;
        }
        java.util.Arrays.sort(ns);
        Plan plan = p;
        long t0 = System.nanoTime();
        plan.graph();
        long graphNs = System.nanoTime() - t0;
        LOG.log(System.Logger.Level.INFO, () -> String.format(Locale.ROOT,
                "planned %d nodes in %.1f ms median, %.1f ms best of 5 (after 5 warm-up plans); the graph as it runs, built on "
                        + "first use, %.1f ms more; %d regions, %d transfers, %d conversions, %s; estimate %.3f ms vs best single "
                        + "device %.3f ms", g.nodes().size(), ns[2] / 1e6, ns[0] / 1e6, graphNs / 1e6, plan.regions().size(),
                plan.transfers().size(), plan.conversions().size(), plan.method(), plan.estimatedSeconds() * 1e3,
                plan.singleDeviceSeconds() * 1e3));
        assertEquals(10_000, plan.placements().size());
        assertFalse(plan.isExact());
        assertTrue(plan.estimatedSeconds() <= plan.singleDeviceSeconds() * (1 + 1e-9));
        assertEquals(List.of(), RoundTripCheck.violations(plan));
        for (Region r : plan.regions()) {
            for (int pr : r.predecessors()) {
                assertTrue(pr < r.index());
            }
        }
    }
}
