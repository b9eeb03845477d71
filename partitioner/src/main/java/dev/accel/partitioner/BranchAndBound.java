package dev.accel.partitioner;

/**
 * Exact placement by depth-first branch and bound: units in topological order, each unit's options
 * tried in order of the finish time they give, a branch cut when a lower bound on its final
 * estimate reaches the best complete placement found. Bounds, each valid for every completion of a
 * partial placement: the latest queue time so far; for each unplaced unit, the finish of its
 * placed predecessors plus its bottom level (its cheapest cost plus the longest chain of cheapest
 * costs below it); and the queue times so far plus all remaining cheapest work, spread evenly over
 * the targets.
 */
final class BranchAndBound {
    private final Problem pb;
    private final Simulator sim;
    private final long budget;
    private final double[] minCost;
    private final double[] bottom;
    private final int[] cur;
    private int[] best;
    private double bestCost;
    private long states;
    private boolean cut;

    BranchAndBound(Problem pb, Simulator sim, int[] incumbent, double incumbentCost, long budget) {
        this.pb = pb;
        this.sim = sim;
        this.budget = budget;
        this.best = incumbent.clone();
        this.bestCost = incumbentCost;
        this.cur = new int[pb.units];
        this.minCost = new double[pb.units];
        this.bottom = new double[pb.units];
        for (int u = pb.units - 1; u >= 0; u--) {
            double m = Problem.INF;
            for (double c : pb.optCost[u]) {
                m = Math.min(m, c);
            }
            minCost[u] = m;
            double below = 0;
            for (int s : pb.unitSuccs[u]) {
                below = Math.max(below, bottom[s]);
            }
            bottom[u] = m + below;
        }
    }

    void run() {
        sim.reset();
        dfs(0);
    }

    private void dfs(int depth) {
        if (cut) {
            return;
        }
        if (depth == pb.units) {
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
        int n = pb.optTarget[u].length;
        double[] finish = new double[n];
        Integer[] order = new Integer[n];
        for (int o = 0; o < n; o++) {
            int m = sim.mark();
            finish[o] = sim.place(u, o);
            sim.rollback(m);
            order[o] = o;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(finish[a], finish[b]));
        for (int o : order) {
            if (finish[o] == Problem.INF) {
                continue;
            }
            if (++states > budget) {
                cut = true;
                return;
            }
            int m = sim.mark();
            sim.place(u, o);
            cur[u] = o;
            if (lowerBound(depth + 1) < bestCost * (1 - 1e-12)) {
                dfs(depth + 1);
            }
            sim.rollback(m);
            if (cut) {
                return;
            }
        }
    }

    private double lowerBound(int next) {
        double lb = 0;
        double sum = 0;
        for (int t = 0; t < pb.d; t++) {
            lb = Math.max(lb, Math.max(sim.devFree[t], sim.linkFree[t]));
            sum += sim.devFree[t];
        }
        for (int i = next; i < pb.units; i++) {
            int j = pb.order[i];
            double ready = 0;
            for (int p : pb.unitPreds[j]) {
                if (pb.position[p] < next) {
                    ready = Math.max(ready, sim.unitFinish[p]);
                }
            }
            lb = Math.max(lb, ready + bottom[j]);
            sum += minCost[j];
        }
        return Math.max(lb, sum / pb.d);
    }

    int[] best() {
        return best;
    }

    double bestCost() {
        return bestCost;
    }

    long states() {
        return states;
    }

    /** True when the search ran to the end, so {@link #best()} is optimal. */
    boolean complete() {
        return !cut;
    }
}
