package dev.accel.partitioner;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Placement search over a {@link Problem}: candidates from every single target and from list
 * scheduling (each unit, in topological order, where it would finish first), improved by local
 * refinement (moving whole regions, then single units at region boundaries, to other options while
 * the estimate drops); then, on small problems, a branch and bound over every assignment that
 * starts from that result and prunes with lower bounds (the critical path of the cheapest options,
 * and the remaining work spread over all targets), which is exact when it completes.
 */
final class Search {
    /**
     * The outcome.
     *
     * @param assign the option per unit
     * @param estimate its estimated latency in seconds
     * @param method what found it, for the plan's explanation
     * @param exact true when proven optimal for the cost model
     * @param singleDevice the estimate of the best single-target plan (infinite when none exists)
     * @param singleTarget that target's index, or -1
     */
    record Result(int[] assign, double estimate, String method, boolean exact, double singleDevice, int singleTarget) {
    }

    /** Units above which only the best start is refined. */
    static final int LARGE = 2000;

    /** How much worse an estimate the conversion cleanup may leave, relative (see {@link #run()}). */
    static final double HARMONIZE_TOLERANCE = 0.02;

    private final Problem pb;
    private final SearchOptions opts;
    private final Simulator sim;
    private int evaluations;

    Search(Problem pb, SearchOptions opts) {
        this.pb = pb;
        this.opts = opts;
        this.sim = new Simulator(pb);
    }

    Result run() {
        double single = Problem.INF;
        int singleTarget = -1;
        List<int[]> starts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int t = 0; t < pb.d; t++) {
            int[] a = singleTarget(t);
            if (a == null) {
                continue;
            }
            double e = sim.evaluate(a);
            if (e < single) {
                single = e;
                singleTarget = t;
            }
            starts.add(a);
            names.add("single device " + pb.targets[t].id());
        }
        starts.add(greedy());
        names.add("list scheduling");
        // Refine every start (local search from one start gets stuck where another does not); on large graphs, where
        // each estimate is costly, only the best start.
        int[] best = null;
        double bestCost = Problem.INF;
        String method = "";
        int budget = budget();
        if (pb.units > LARGE) {
            int keep = 0;
            double keepCost = Problem.INF;
            for (int i = 0; i < starts.size(); i++) {
                double e = sim.evaluate(starts.get(i));
                if (e < keepCost || i == 0) {
                    keep = i;
                    keepCost = e;
                }
            }
            starts = List.of(starts.get(keep));
            names = List.of(names.get(keep));
        }
        int share = Math.max(10, budget / starts.size());
        for (int i = 0; i < starts.size(); i++) {
            int[] a = starts.get(i);
            double before = sim.evaluate(a);
            int[] refined = refine(a, before, share);
            double after = sim.evaluate(refined);
            if (after < bestCost || best == null) {
                best = refined;
                bestCost = after;
                method = names.get(i) + (after < before ? " + local refinement" : "");
            }
        }
        // Conversion cleanup: removing round trips around single ops is worth up to 2% of the estimate, which is
        // below what the estimate can resolve (queue-order effects); the exact search below may still restore one
        // that truly pays. (With direct device-to-device copies a round trip's conversions can hide on a transfer
        // queue: on ScaleTest's 10,000-node graph they were worth 1.2%, past the 1% this allowed before.)
        int[] harmonized = harmonize(best);
        double h = sim.evaluate(harmonized);
        if (!Arrays.equals(harmonized, best) && h <= bestCost * (1 + HARMONIZE_TOLERANCE)) {
            best = harmonized;
            bestCost = h;
            method += " + conversion cleanup";
        }
        boolean exactMode = opts.mode() == SearchOptions.Mode.EXACT
                || opts.mode() == SearchOptions.Mode.AUTO && pb.units <= opts.exactLimit();
        boolean exact = false;
        if (exactMode) {
            BranchAndBound bb = new BranchAndBound(pb, sim, best, bestCost, opts.stateBudget());
            bb.run();
            if (bb.bestCost() < bestCost) {
                best = bb.best();
                bestCost = bb.bestCost();
            }
            exact = bb.complete();
            method = exact ? "exact (branch and bound, " + bb.states() + " states)"
                    : method + "; branch and bound stopped after " + bb.states() + " states";
        }
        return new Result(best, bestCost, method, exact, single, singleTarget);
    }

    /** Every unit on target {@code t} in its cheapest precision there, or null when some unit cannot run there. */
    int[] singleTarget(int t) {
        int[] a = new int[pb.units];
        for (int u = 0; u < pb.units; u++) {
            a[u] = pb.cheapestOn(u, t);
            if (a[u] < 0) {
                return null;
            }
        }
        return a;
    }

    /** List scheduling: each unit where it finishes first; ties go to the earlier option (preferred target, wider precision). */
    int[] greedy() {
        sim.reset();
        int[] a = new int[pb.units];
        for (int u : pb.order) {
            int bestO = 0;
            double bestF = Problem.INF;
            for (int o = 0; o < pb.optTarget[u].length; o++) {
                int m = sim.mark();
                double f = sim.place(u, o);
                sim.rollback(m);
                if (f < bestF * (1 - 1e-12)) {
                    bestF = f;
                    bestO = o;
                }
            }
            a[u] = bestO;
            sim.place(u, bestO);
        }
        return a;
    }

    private int budget() {
        if (opts.refineEvaluations() > 0) {
            return opts.refineEvaluations();
        }
        long size = pb.units + pb.values;
        return (int) Math.max(16, Math.min(5000, 800_000 / Math.max(1, size)));
    }

    /**
     * Removes needless conversions: a unit whose inputs all arrive in another form than it reads,
     * and whose readers all want that other form too, switches to the precision of its neighbours
     * on the same target, when its own cost there grows by less than the conversions it saves. One
     * pass in unit order, twice; no whole-plan estimate, so it is cheap on large graphs (the caller
     * keeps the result only when the estimate does not get worse).
     */
    int[] harmonize(int[] start) {
        int[] a = start.clone();
        int[][] readers = readers();
        for (int pass = 0; pass < 2; pass++) {
            for (int u : pb.order) {
                int o = a[u];
                int t = pb.optTarget[u][o];
                int best = o;
                double bestGain = 0;
                for (int o2 = 0; o2 < pb.optTarget[u].length; o2++) {
                    if (o2 == o || pb.optTarget[u][o2] != t) {
                        continue;
                    }
                    double gain = conversionCost(u, o, a, readers) - conversionCost(u, o2, a, readers)
                            - (pb.optCost[u][o2] - pb.optCost[u][o]);
                    if (gain > bestGain) {
                        bestGain = gain;
                        best = o2;
                    }
                }
                a[u] = best;
            }
        }
        return a;
    }

    /** Per value, the units that read it. */
    private int[][] readers() {
        List<List<Integer>> r = new ArrayList<>();
        for (int v = 0; v < pb.values; v++) {
            r.add(new ArrayList<>());
        }
        for (int u = 0; u < pb.units; u++) {
            for (int v : pb.optInV[u][0]) {
                if (!r.get(v).contains(u)) {
                    r.get(v).add(u);
                }
            }
        }
        int[][] out = new int[pb.values][];
        for (int v = 0; v < pb.values; v++) {
            out[v] = r.get(v).stream().mapToInt(Integer::intValue).toArray();
        }
        return out;
    }

    /** The conversions unit {@code u} with option {@code o} causes at its inputs and outputs, in seconds (cheapest device each). */
    private double conversionCost(int u, int o, int[] a, int[][] readers) {
        double c = 0;
        for (int i = 0; i < pb.optInV[u][o].length; i++) {
            int v = pb.optInV[u][o][i];
            int produced = producedForm(v, a);
            if (produced != pb.optInK[u][o][i]) {
                c += cheapestConversion(v, produced, pb.optInK[u][o][i]);
            }
        }
        for (int i = 0; i < pb.optOutV[u][o].length; i++) {
            int v = pb.optOutV[u][o][i];
            int k = pb.optOutK[u][o][i];
            java.util.BitSet wanted = new java.util.BitSet();
            for (int r : readers[v]) {
                int[] inV = pb.optInV[r][a[r]];
                for (int j = 0; j < inV.length; j++) {
                    if (inV[j] == v) {
                        wanted.set(pb.optInK[r][a[r]][j]);
                    }
                }
            }
            if (pb.outputNames.contains(pb.valueName[v])) {
                wanted.set(0);
            }
            for (int f = wanted.nextSetBit(0); f >= 0; f = wanted.nextSetBit(f + 1)) {
                if (f != k) {
                    c += cheapestConversion(v, k, f);
                }
            }
        }
        return c;
    }

    private int producedForm(int v, int[] a) {
        int p = pb.producer[v];
        if (p < 0) {
            return 0;
        }
        int[] outV = pb.optOutV[p][a[p]];
        for (int i = 0; i < outV.length; i++) {
            if (outV[i] == v) {
                return pb.optOutK[p][a[p]][i];
            }
        }
        return 0;
    }

    private double cheapestConversion(int v, int from, int to) {
        double best = Problem.INF;
        for (int t = 0; t < pb.d; t++) {
            best = Math.min(best, pb.convertSeconds(v, from, to, t));
        }
        return best == Problem.INF ? 1.0 : best;
    }

    private double eval(int[] a) {
        evaluations++;
        return sim.evaluate(a);
    }

    /**
     * Local refinement, an iterated local search: descend (region moves, then moves of single units
     * and of a unit with a successor, first improvement) to a local optimum; then kick it (one unit
     * to another option), descend again, and keep the result when it beats the optimum; until no
     * kick helps or {@code limit} estimates are spent.
     */
    int[] refine(int[] start, double startCost, int limit) {
        evaluations = 0;
        int[] cur = start.clone();
        double[] cost = {startCost};
        descend(cur, cost, limit);
        boolean improved = true;
        while (improved && evaluations < limit) {
            improved = false;
            for (int u = 0; u < pb.units && evaluations < limit && !improved; u++) {
                if (!boundary(u, cur) && pb.units > 64) {
                    continue;
                }
                for (int o = 0; o < pb.optTarget[u].length && evaluations < limit; o++) {
                    if (o == cur[u]) {
                        continue;
                    }
                    int[] trial = cur.clone();
                    trial[u] = o;
                    double[] tc = {eval(trial)};
                    if (tc[0] == Problem.INF) {
                        continue;
                    }
                    descend(trial, tc, Math.min(limit, evaluations + Math.max(4 * pb.units, 50)));
                    if (tc[0] < cost[0] * (1 - 1e-9)) {
                        cur = trial;
                        cost[0] = tc[0];
                        improved = true;
                        break;
                    }
                }
            }
            if (improved) {
                descend(cur, cost, limit);
            }
        }
        return cur;
    }

    /** Descends from {@code cur} (changed in place; {@code cost[0]} its estimate) until no move improves or the budget ends. */
    private void descend(int[] cur, double[] cost, int limit) {
        boolean improved = true;
        while (improved && evaluations < limit) {
            improved = false;
            List<int[]> regions = regions(cur);
            int[] snapshot = cur.clone();
            regions.sort((x, y) -> Double.compare(work(y, snapshot), work(x, snapshot)));
            outer:
            for (int[] r : regions) {
                int t0 = pb.optTarget[r[0]][cur[r[0]]];
                for (int t = 0; t < pb.d && evaluations < limit; t++) {
                    for (int variant = 0; variant < 1 + Precision.values().length; variant++) {
                        int[] trial = moveRegion(cur, r, t, variant);
                        if (trial == null || Arrays.equals(trial, cur) || t == t0 && variant == 0) {
                            continue;
                        }
                        double c = eval(trial);
                        if (c < cost[0] * (1 - 1e-9)) {
                            System.arraycopy(trial, 0, cur, 0, cur.length);
                            cost[0] = c;
                            improved = true;
                            break outer;
                        }
                    }
                }
            }
            if (improved) {
                continue;
            }
            for (int u = 0; u < pb.units && evaluations < limit; u++) {
                if (!boundary(u, cur) && pb.units > 64) {
                    continue;
                }
                for (int o = 0; o < pb.optTarget[u].length && evaluations < limit; o++) {
                    if (o == cur[u]) {
                        continue;
                    }
                    int old = cur[u];
                    cur[u] = o;
                    double c = eval(cur);
                    if (c < cost[0] * (1 - 1e-9)) {
                        cost[0] = c;
                        improved = true;
                    } else {
                        cur[u] = old;
                    }
                }
                for (int s : pb.unitSuccs[u]) {
                    for (int t = 0; t < pb.d && evaluations < limit; t++) {
                        int ou = pb.cheapestOn(u, t);
                        int os = pb.cheapestOn(s, t);
                        if (ou < 0 || os < 0 || ou == cur[u] && os == cur[s]) {
                            continue;
                        }
                        int oldU = cur[u];
                        int oldS = cur[s];
                        cur[u] = ou;
                        cur[s] = os;
                        double c = eval(cur);
                        if (c < cost[0] * (1 - 1e-9)) {
                            cost[0] = c;
                            improved = true;
                        } else {
                            cur[u] = oldU;
                            cur[s] = oldS;
                        }
                    }
                }
            }
        }
    }

    /**
     * Region {@code r} moved to target {@code t}: variant 0 keeps each unit's precision where the
     * target has it (else its cheapest there), variant 1 + p puts every unit in precision p.
     */
    private int[] moveRegion(int[] cur, int[] r, int t, int variant) {
        int[] trial = cur.clone();
        for (int u : r) {
            int o;
            if (variant == 0) {
                o = pb.option(u, t, pb.optPrec[u][cur[u]]);
                if (o < 0) {
                    o = pb.cheapestOn(u, t);
                }
            } else {
                o = pb.option(u, t, Precision.values()[variant - 1]);
            }
            if (o < 0) {
                return null;
            }
            trial[u] = o;
        }
        return trial;
    }

    private double work(int[] r, int[] a) {
        double s = 0;
        for (int u : r) {
            s += pb.optCost[u][a[u]];
        }
        return s;
    }

    private boolean boundary(int u, int[] a) {
        int t = pb.optTarget[u][a[u]];
        Precision p = pb.optPrec[u][a[u]];
        for (int x : pb.unitPreds[u]) {
            if (pb.optTarget[x][a[x]] != t || pb.optPrec[x][a[x]] != p) {
                return true;
            }
        }
        for (int x : pb.unitSuccs[u]) {
            if (pb.optTarget[x][a[x]] != t || pb.optPrec[x][a[x]] != p) {
                return true;
            }
        }
        return false;
    }

    /** Connected groups of units with the same target and precision. */
    List<int[]> regions(int[] a) {
        int[] comp = new int[pb.units];
        Arrays.fill(comp, -1);
        List<int[]> out = new ArrayList<>();
        int[] stack = new int[pb.units];
        for (int s = 0; s < pb.units; s++) {
            if (comp[s] >= 0) {
                continue;
            }
            int id = out.size();
            int t = pb.optTarget[s][a[s]];
            Precision p = pb.optPrec[s][a[s]];
            List<Integer> members = new ArrayList<>();
            int sp = 0;
            stack[sp++] = s;
            comp[s] = id;
            while (sp > 0) {
                int u = stack[--sp];
                members.add(u);
                for (int[] adj : new int[][] {pb.unitPreds[u], pb.unitSuccs[u]}) {
                    for (int x : adj) {
                        if (comp[x] < 0 && pb.optTarget[x][a[x]] == t && pb.optPrec[x][a[x]] == p) {
                            comp[x] = id;
                            stack[sp++] = x;
                        }
                    }
                }
            }
            out.add(members.stream().mapToInt(Integer::intValue).sorted().toArray());
        }
        return out;
    }
}
