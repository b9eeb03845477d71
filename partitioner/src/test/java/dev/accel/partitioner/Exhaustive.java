package dev.accel.partitioner;

/**
 * The reference for the optimality tests: every assignment of options to units, enumerated
 * depth-first (in the simulator's unit order) with no pruning, each complete one estimated by the
 * simulator. Returns the best estimate and assignment.
 */
final class Exhaustive {
    private final Problem pb;
    private final Simulator sim;
    private final int[] cur;
    private int[] best;
    private double bestCost = Double.POSITIVE_INFINITY;
    private long leaves;

    Exhaustive(Problem pb) {
        this.pb = pb;
        this.sim = new Simulator(pb);
        this.cur = new int[pb.units];
    }

    Exhaustive run() {
        sim.reset();
        dfs(0);
        return this;
    }

    /** The number of complete assignments, for the test's own size limit. */
    static long count(Problem pb) {
        long n = 1;
        for (int u = 0; u < pb.units; u++) {
            n *= pb.optTarget[u].length;
        }
        return n;
    }

    private void dfs(int depth) {
        if (depth == pb.units) {
            leaves++;
            int m = sim.mark();
            double f = sim.finish();
            sim.rollback(m);
            if (f < bestCost) {
                bestCost = f;
                best = cur.clone();
            }
            return;
        }
        int u = pb.order[depth];
        for (int o = 0; o < pb.optTarget[u].length; o++) {
            int m = sim.mark();
            cur[u] = o;
            if (sim.place(u, o) != Problem.INF) {
                dfs(depth + 1);
            } else {
                // An infeasible prefix stays infeasible; count its completions as visited.
                long rest = 1;
                for (int x = depth + 1; x < pb.units; x++) {
                    rest *= pb.optTarget[pb.order[x]].length;
                }
                leaves += rest;
            }
            sim.rollback(m);
        }
    }

    double bestCost() {
        return bestCost;
    }

    int[] best() {
        return best;
    }

    long leaves() {
        return leaves;
    }
}
