package dev.accel.partitioner;

import dev.accel.graph.Node;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Support;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The parts of a {@link Problem} that come from the preferences and the graph's shape: memory
 * budgets and pins resolved to targets, the message naming a node no allowed target runs, and the
 * order units are placed in.
 */
final class Constraints {
    private Constraints() {
    }

    static double[] budgets(Problem pb) {
        double[] b = new double[pb.d];
        for (int t = 0; t < pb.d; t++) {
            b[t] = pb.targets[t].memoryBytes();
        }
        for (var e : pb.prefs.memoryBudgets().entrySet()) {
            boolean any = false;
            for (int t = 0; t < pb.d; t++) {
                if (pb.targets[t].matches(e.getKey())) {
                    b[t] = Math.min(b[t], e.getValue());
                    any = true;
                }
            }
            if (!any && pb.allTargets.stream().noneMatch(t -> t.matches(e.getKey()))) {
                throw new InvalidArgumentException("memory budget for '" + e.getKey() + "' names no device; devices: "
                        + pb.allTargets.stream().map(Target::id).toList());
            }
        }
        return b;
    }

    static int[] pins(Problem pb) {
        int[] p = new int[pb.nodes.size()];
        Arrays.fill(p, -1);
        for (var e : pb.prefs.pins().entrySet()) {
            Integer i = pb.nodeIndex.get(e.getKey());
            if (i == null) {
                throw new InvalidArgumentException("pin: graph '" + pb.graph.name() + "' has no node named '" + e.getKey() + "'");
            }
            int t = -1;
            for (int k = 0; k < pb.d && t < 0; k++) {
                if (pb.targets[k].matches(e.getValue())) {
                    t = k;
                }
            }
            if (t < 0) {
                boolean forbidden = pb.allTargets.stream().anyMatch(x -> x.matches(e.getValue()));
                throw new InvalidArgumentException("pin: node '" + e.getKey() + "' is pinned to '" + e.getValue() + "', which "
                        + (forbidden ? "the preferences also forbid" : "names no device; devices: "
                        + pb.allTargets.stream().map(Target::id).toList()));
            }
            p[i] = t;
        }
        return p;
    }

    static String names(Problem pb, int[] members) {
        List<String> s = new ArrayList<>();
        for (int i : members) {
            s.add(pb.nodes.get(i).name());
        }
        return s.toString();
    }

    static String noOptionMessage(Problem pb, int[] members, int pin) {
        StringBuilder sb = new StringBuilder();
        for (int i : members) {
            Node nd = pb.nodes.get(i);
            sb.append(sb.isEmpty() ? "" : "; ").append("node '").append(nd.name()).append("' (")
                    .append(pb.graph.spec(nd)).append(") has no allowed device:");
            for (int t = 0; t < pb.d; t++) {
                if (pin >= 0 && t != pin) {
                    continue;
                }
                sb.append(' ').append(pb.targets[t].id()).append(": ");
                List<String> reasons = new ArrayList<>();
                for (Precision p : Precision.values()) {
                    if (!pb.prefs.precision().allows(p)) {
                        continue;
                    }
                    Support s = pb.support[i][t][p.ordinal()];
                    reasons.add(p.label() + " " + (s == null ? pb.noForm[i][p.ordinal()] : s.toString()));
                }
                sb.append(String.join(", ", reasons)).append(';');
            }
            for (Target t : pb.allTargets) {
                if (pb.prefs.isForbidden(t)) {
                    sb.append(' ').append(t.id()).append(": forbidden by the preferences;");
                }
            }
        }
        if (!pb.prefs.precision().allows(Precision.FP16)) {
            sb.append(" (the precision policy is fp32 only; allowing fp16 may help)");
        }
        return sb.toString();
    }

    /**
     * List scheduling's order: among the units whose predecessors are ordered, the one with the
     * longest path of cheapest costs to the end of the graph first (ties by graph order), so work on
     * the critical path, and the transfers and conversions it needs, is queued before work that can
     * wait.
     */
    static void priorityOrder(Problem pb) {
        double[] bottom = new double[pb.units];
        for (int u = pb.units - 1; u >= 0; u--) {
            double m = Problem.INF;
            for (double c : pb.optCost[u]) {
                m = Math.min(m, c);
            }
            double below = 0;
            for (int x : pb.unitSuccs[u]) {
                below = Math.max(below, bottom[x]);
            }
            bottom[u] = m + below;
        }
        int[] pending = new int[pb.units];
        java.util.PriorityQueue<Integer> ready = new java.util.PriorityQueue<>((a, b) -> {
            int c = Double.compare(bottom[b], bottom[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        for (int u = 0; u < pb.units; u++) {
            pending[u] = pb.unitPreds[u].length;
            if (pending[u] == 0) {
                ready.add(u);
            }
        }
        int i = 0;
        while (!ready.isEmpty()) {
            int u = ready.poll();
            pb.order[i] = u;
            pb.position[u] = i++;
            for (int x : pb.unitSuccs[u]) {
                if (--pending[x] == 0) {
                    ready.add(x);
                }
            }
        }
        if (i != pb.units) {
            throw new IllegalStateException("the unit graph of '" + pb.graph.name() + "' has a cycle");
        }
    }
}
