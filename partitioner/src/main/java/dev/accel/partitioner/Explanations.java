package dev.accel.partitioner;

import dev.accel.graph.Node;
import dev.accel.hal.Support;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Per node: every device's claim in every precision, and one sentence saying why the node is where
 * it is: pinned there; the cheapest option for it alone; or kept with its neighbours because its
 * cheapest option alone would cost the whole plan more (the difference is computed by estimating
 * the plan with that one node moved, for graphs of up to {@value #DELTA_LIMIT} units).
 */
final class Explanations {
    static final int DELTA_LIMIT = 400;

    private Explanations() {
    }

    static List<NodePlacement> of(Problem pb, Search.Result result, int[] assign, int[] nodeRegion, double estimate) {
        Simulator sim = new Simulator(pb);
        List<NodePlacement> out = new ArrayList<>();
        for (int i = 0; i < pb.nodes.size(); i++) {
            Node n = pb.nodes.get(i);
            int u = pb.unitOf[i];
            int o = assign[u];
            int t = pb.optTarget[u][o];
            Precision p = pb.optPrec[u][o];
            List<Claim> claims = claims(pb, i);
            String why = why(pb, sim, i, u, assign, estimate);
            out.add(new NodePlacement(n.name(), n.op().name(), pb.targets[t].id(), p, nodeRegion[i], claims, why));
        }
        return out;
    }

    private static List<Claim> claims(Problem pb, int i) {
        List<Claim> claims = new ArrayList<>();
        for (Target target : pb.allTargets) {
            int t = -1;
            for (int x = 0; x < pb.d; x++) {
                if (pb.targets[x] == target) {
                    t = x;
                }
            }
            for (Precision p : Precision.values()) {
                if (!pb.prefs.precision().allows(p)) {
                    continue;
                }
                NodeForms.Form f = pb.forms[i][p.ordinal()];
                if (f == null) {
                    claims.add(new Claim(target.id(), p, null, Support.unsupported(pb.noForm[i][p.ordinal()]), Double.NaN, false, ""));
                    continue;
                }
                Support s;
                double sec = Double.NaN;
                if (t >= 0) {
                    s = pb.support[i][t][p.ordinal()];
                    sec = pb.seconds[i][t][p.ordinal()];
                } else {
                    s = NodeForms.support(f, target.capabilities());
                }
                String note = "";
                if (t < 0) {
                    note = "forbidden by the preferences";
                } else if (pb.pinned[i] >= 0 && pb.pinned[i] != t) {
                    note = "pinned to " + pb.targets[pb.pinned[i]].id();
                } else if (!fusedAllow(pb, i, t, p)) {
                    note = "its fusion group cannot run there together";
                }
                claims.add(new Claim(target.id(), p, f.spec(), s, sec, note.isEmpty() && s.runnable(), note));
            }
        }
        return claims;
    }

    private static boolean fusedAllow(Problem pb, int i, int t, Precision p) {
        return pb.option(pb.unitOf[i], t, p) >= 0;
    }

    private static String why(Problem pb, Simulator sim, int i, int u, int[] assign, double estimate) {
        int o = assign[u];
        String here = label(pb, u, o);
        if (pb.pinned[i] >= 0) {
            return "pinned to " + pb.targets[pb.pinned[i]].id() + " by the preferences";
        }
        String fused = pb.unitNodes[u].length > 1 ? " (with its fusion group)" : "";
        int cheapest = 0;
        for (int x = 1; x < pb.optCost[u].length; x++) {
            if (pb.optCost[u][x] < pb.optCost[u][cheapest]) {
                cheapest = x;
            }
        }
        if (pb.optCost[u].length == 1) {
            return "the only allowed option" + fused + ": " + here + " " + ms(pb.optCost[u][o]);
        }
        if (pb.optCost[u][o] <= pb.optCost[u][cheapest]) {
            int next = -1;
            for (int x = 0; x < pb.optCost[u].length; x++) {
                if (x != o && (next < 0 || pb.optCost[u][x] < pb.optCost[u][next])) {
                    next = x;
                }
            }
            return "cheapest" + fused + ": " + ms(pb.optCost[u][o]) + " on " + here + "; next " + ms(pb.optCost[u][next])
                    + " on " + label(pb, u, next);
        }
        String alone = label(pb, u, cheapest) + " would take " + ms(pb.optCost[u][cheapest]) + " instead of "
                + ms(pb.optCost[u][o]);
        if (pb.units <= DELTA_LIMIT) {
            int[] trial = assign.clone();
            trial[u] = cheapest;
            double e = sim.evaluate(trial) == Problem.INF ? Problem.INF : sim.makespan();
            String delta = e == Problem.INF ? "is not feasible (a value cannot reach it in the form it needs, or a memory "
                    + "budget is exceeded)" : "would take " + ms(e - estimate) + " longer in all";
            return "kept with its neighbours on " + here + fused + ": alone, " + alone + ", but the plan " + delta
                    + " (transfers, conversions, waiting)";
        }
        return "kept with its neighbours on " + here + fused + ": alone, " + alone
                + ", but moving it costs more in transfers and conversions";
    }

    static String label(Problem pb, int u, int o) {
        return pb.targets[pb.optTarget[u][o]].id() + " " + pb.optPrec[u][o].label();
    }

    static String ms(double seconds) {
        if (Double.isInfinite(seconds)) {
            return "infinite";
        }
        double v = seconds * 1e3;
        return String.format(Locale.ROOT, v >= 100 ? "%.0f ms" : v >= 1 ? "%.2f ms" : "%.3f ms", v);
    }
}
