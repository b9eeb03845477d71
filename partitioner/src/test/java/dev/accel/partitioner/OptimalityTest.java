package dev.accel.partitioner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.graph.Graph;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The optimality check: on 240 seeded random DAGs of 3 to 14 nodes over 3 synthetic devices
 * (random capability holes and profiles), against exhaustive search of every assignment: the
 * default (exact) search finds the optimum every time; the heuristic alone (list scheduling plus
 * local refinement, what large graphs get) is within 5% of it on at least 95% of graphs; and no plan
 * is ever estimated worse than the best single device.
 */
class OptimalityTest {
    private static final System.Logger LOG = System.getLogger(OptimalityTest.class.getName());
    private static final int GRAPHS = 240;

    @Test
    void searchMatchesExhaustiveSearchOnRandomDags() {
        Random r = new Random(20240601L);
        int within5 = 0;
        int heuristicOptimal = 0;
        double worst = 1;
        long leaves = 0;
        List<String> misses = new ArrayList<>();
        for (int g = 0; g < GRAPHS; g++) {
            int n = 3 + r.nextInt(12);
            Graph graph = Synthetic.randomDag(r, n);
            List<Target> targets = Synthetic.randomTargets(r);
            Problem pb = new Problem(graph, targets, Preferences.defaults(), CostModel.roofline());
            Exhaustive ex = new Exhaustive(pb).run();
            leaves += ex.leaves();
            double opt = ex.bestCost();
            assertTrue(Double.isFinite(opt), "graph " + g + " has a feasible placement");
            assertEquals(opt, new Simulator(pb).evaluate(ex.best()), opt * 1e-12,
                    "incremental and from-scratch estimates agree (graph " + g + ")");

            Search.Result exact = new Search(pb, SearchOptions.defaults()).run();
            assertTrue(exact.exact(), "graph " + g + ": the branch and bound completed: " + exact.method());
            assertEquals(opt, exact.estimate(), opt * 1e-9, "graph " + g + " (" + n + " nodes): exact search vs exhaustive");

            Search.Result heur = new Search(pb, SearchOptions.defaults().withMode(SearchOptions.Mode.HEURISTIC)).run();
            assertEquals(heur.estimate(), new Simulator(pb).evaluate(heur.assign()), heur.estimate() * 1e-12);
            assertTrue(heur.estimate() >= opt * (1 - 1e-9), "nothing beats the exhaustive optimum");
            assertTrue(heur.estimate() <= heur.singleDevice() * (1 + 1e-12), "graph " + g
                    + ": heuristic " + heur.estimate() + " is worse than the best single device " + heur.singleDevice());
            assertTrue(exact.estimate() <= exact.singleDevice() * (1 + 1e-12));
            double ratio = heur.estimate() / opt;
            worst = Math.max(worst, ratio);
            if (ratio <= 1.05) {
                within5++;
            } else {
                misses.add(String.format(Locale.ROOT, "graph %d (%d nodes): %.3f", g, n, ratio));
            }
            if (ratio <= 1 + 1e-9) {
                heuristicOptimal++;
            }
        }
        int w = within5;
        int h = heuristicOptimal;
        double wr = worst;
        long lv = leaves;
        LOG.log(System.Logger.Level.INFO, () -> String.format(Locale.ROOT,
                "optimality: %d graphs, %d assignments enumerated; exact search optimal on all; heuristic within 5%% on %d "
                        + "(%.1f%%), optimal on %d, worst ratio %.3f; misses %s", GRAPHS, lv, w, 100.0 * w / GRAPHS, h, wr, misses));
        assertTrue(within5 >= 0.95 * GRAPHS, "heuristic within 5% of the optimum on " + within5 + " of " + GRAPHS
                + " graphs; misses " + misses);
    }
}
