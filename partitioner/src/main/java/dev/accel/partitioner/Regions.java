package dev.accel.partitioner;

import dev.accel.graph.Node;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Groups placed nodes into regions: in topological order, a node joins the region of a producer
 * with the same target and precision unless that would close a cycle in the region graph (the
 * region reaches, through other regions, another region the node reads from); otherwise it starts
 * a region. Regions are then numbered in a topological order of the region graph.
 */
final class Regions {
    private Regions() {
    }

    static List<Region> form(Problem pb, int[] assign, int[] nodeRegion) {
        int n = pb.nodes.size();
        int[] target = new int[n];
        Precision[] prec = new Precision[n];
        for (int i = 0; i < n; i++) {
            int u = pb.unitOf[i];
            target[i] = pb.optTarget[u][assign[u]];
            prec[i] = pb.optPrec[u][assign[u]];
        }
        List<List<Integer>> members = new ArrayList<>();
        List<Set<Integer>> succ = new ArrayList<>();
        List<Set<Integer>> pred = new ArrayList<>();
        List<int[]> option = new ArrayList<>();
        // Levels keep the invariant level(a) < level(b) for every region edge a -> b, so a search for a path
        // from R to P only visits regions of level at most level(P).
        int[] level = new int[Math.max(16, n)];
        Arrays.fill(nodeRegion, -1);
        for (int i = 0; i < n; i++) {
            Set<Integer> from = new LinkedHashSet<>(4);
            for (String in : pb.nodes.get(i).inputs()) {
                Integer v = in.isEmpty() ? null : pb.valueIndex.get(in);
                if (v == null || pb.producer[v] < 0) {
                    continue;
                }
                pb.graph.producer(in).ifPresent(src -> from.add(nodeRegion[pb.nodeIndex.get(src.name())]));
            }
            int chosen = -1;
            for (int r : from) {
                int[] opt = option.get(r);
                if (opt[0] != target[i] || opt[1] != prec[i].ordinal()) {
                    continue;
                }
                boolean cycle = false;
                for (int other : from) {
                    if (other != r && level[other] >= level[r] && reaches(succ, level, r, other)) {
                        cycle = true;
                        break;
                    }
                }
                if (!cycle) {
                    chosen = r;
                    break;
                }
            }
            if (chosen < 0) {
                chosen = members.size();
                members.add(new ArrayList<>());
                succ.add(new LinkedHashSet<>());
                pred.add(new LinkedHashSet<>());
                option.add(new int[] {target[i], prec[i].ordinal()});
                int lv = 0;
                for (int r : from) {
                    lv = Math.max(lv, level[r] + 1);
                }
                level[chosen] = lv;
            }
            members.get(chosen).add(i);
            nodeRegion[i] = chosen;
            for (int r : from) {
                if (r != chosen) {
                    succ.get(r).add(chosen);
                    pred.get(chosen).add(r);
                    raise(succ, level, r, chosen);
                }
            }
        }
        // Number the regions in a topological order (Kahn, smallest first node first).
        int m = members.size();
        int[] indeg = new int[m];
        for (int r = 0; r < m; r++) {
            indeg[r] = pred.get(r).size();
        }
        java.util.PriorityQueue<Integer> ready = new java.util.PriorityQueue<>(
                java.util.Comparator.comparingInt(r -> members.get(r).get(0)));
        for (int r = 0; r < m; r++) {
            if (indeg[r] == 0) {
                ready.add(r);
            }
        }
        int[] number = new int[m];
        int next = 0;
        while (!ready.isEmpty()) {
            int r = ready.poll();
            number[r] = next++;
            for (int s : succ.get(r)) {
                if (--indeg[s] == 0) {
                    ready.add(s);
                }
            }
        }
        if (next != m) {
            throw new IllegalStateException("the region graph has a cycle; regions were formed wrongly");
        }
        for (int i = 0; i < n; i++) {
            nodeRegion[i] = number[nodeRegion[i]];
        }
        Region[] out = new Region[m];
        for (int r = 0; r < m; r++) {
            out[number[r]] = region(pb, number[r], members.get(r), option.get(r), pred.get(r), number, nodeRegion);
        }
        return List.of(out);
    }

    private static Region region(Problem pb, int index, List<Integer> nodes, int[] opt, Set<Integer> preds, int[] number,
                                 int[] nodeRegion) {
        Precision p = Precision.values()[opt[1]];
        double seconds = 0;
        long in = 0;
        long out = 0;
        Set<String> seenIn = new HashSet<>();
        List<String> names = new ArrayList<>();
        for (int i : nodes) {
            Node nd = pb.nodes.get(i);
            names.add(nd.name());
            seconds += pb.seconds[i][opt[0]][opt[1]];
            NodeForms.Form f = pb.forms[i][opt[1]];
            for (int s = 0; s < f.inputForms().length; s++) {
                String v = nd.inputs().get(s);
                Integer vi = pb.valueIndex.get(v);
                if (vi == null) {
                    continue;
                }
                if (regionOfValue(pb, vi, nodeRegion) != index && seenIn.add(v)) {
                    in += Math.max(0, pb.valueBytes[vi][f.inputForms()[s]]);
                }
            }
            for (int j = 0; j < nd.outputs().size(); j++) {
                String v = nd.outputs().get(j);
                boolean leaves = pb.outputNames.contains(v);
                for (Node c : pb.graph.consumers(v)) {
                    leaves |= nodeRegion[pb.nodeIndex.get(c.name())] != index;
                }
                if (leaves) {
                    out += Math.max(0, pb.valueBytes[pb.valueIndex.get(v)][f.outputForms()[j]]);
                }
            }
        }
        List<Integer> pr = preds.stream().map(x -> number[x]).sorted().toList();
        return new Region(index, pb.targets[opt[0]].id(), p, names, seconds, in, out, pr);
    }

    private static int regionOfValue(Problem pb, int v, int[] nodeRegion) {
        return pb.graph.producer(pb.valueName[v]).map(x -> nodeRegion[pb.nodeIndex.get(x.name())]).orElse(-1);
    }

    /** Restores level(a) < level(b) after the edge a -> b, raising b and its descendants as needed. */
    private static void raise(List<Set<Integer>> succ, int[] level, int a, int b) {
        if (level[b] > level[a]) {
            return;
        }
        ArrayDeque<Integer> todo = new ArrayDeque<>();
        level[b] = level[a] + 1;
        todo.push(b);
        while (!todo.isEmpty()) {
            int x = todo.pop();
            for (int y : succ.get(x)) {
                if (level[y] <= level[x]) {
                    level[y] = level[x] + 1;
                    todo.push(y);
                }
            }
        }
    }

    /** True when region {@code to} is reachable from {@code from}; regions above {@code to}'s level cannot lead to it. */
    private static boolean reaches(List<Set<Integer>> succ, int[] level, int from, int to) {
        ArrayDeque<Integer> stack = new ArrayDeque<>();
        Set<Integer> seen = new HashSet<>();
        stack.push(from);
        while (!stack.isEmpty()) {
            int r = stack.pop();
            for (int s : succ.get(r)) {
                if (s == to) {
                    return true;
                }
                if (level[s] < level[to] && seen.add(s)) {
                    stack.push(s);
                }
            }
        }
        return false;
    }
}
