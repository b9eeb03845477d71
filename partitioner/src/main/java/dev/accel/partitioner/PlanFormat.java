package dev.accel.partitioner;

import dev.accel.graph.Graph;
import dev.accel.graph.Node;
import dev.accel.hal.Support;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The text and DOT forms of a {@link Plan}. */
final class PlanFormat {
    private PlanFormat() {
    }

    static String explain(Plan p) {
        StringBuilder sb = new StringBuilder();
        Graph src = p.source();
        sb.append("plan for '").append(src.name()).append("': ").append(src.nodes().size()).append(" nodes on ")
                .append(p.usedTargets().stream().map(Target::id).toList()).append(" (devices offered: ")
                .append(p.targets().stream().map(Target::id).toList()).append(")\n");
        sb.append("preferences: ").append(p.preferences()).append('\n');
        sb.append("search: ").append(p.method()).append('\n');
        sb.append("estimated ").append(Explanations.ms(p.estimatedSeconds()));
        if (p.singleDevice() != null) {
            sb.append("; best single device ").append(p.singleDevice()).append(' ')
                    .append(Explanations.ms(p.singleDeviceSeconds()))
                    .append(String.format(Locale.ROOT, " (%.2fx)", p.singleDeviceSeconds() / p.estimatedSeconds()));
        } else {
            sb.append("; no single device runs every node");
        }
        sb.append('\n');
        sb.append("\nregions (").append(p.regions().size()).append("):\n");
        for (Region r : p.regions()) {
            sb.append(String.format(Locale.ROOT, "  #%-3d %-10s %-5s %5d nodes  est %10s  in %9s  out %9s%s%n", r.index(),
                    r.device(), r.precision().label(), r.nodes().size(), Explanations.ms(r.seconds()), bytes(r.bytesIn()),
                    bytes(r.bytesOut()), r.predecessors().isEmpty() ? "" : "  after " + r.predecessors()));
        }
        long tb = 0;
        double ts = 0;
        for (Transfer t : p.transfers()) {
            tb += t.bytes();
            ts += t.seconds();
        }
        long direct = p.transfers().stream().filter(Transfer::direct).count();
        sb.append("\ntransfers (").append(p.transfers().size()).append(", ").append(bytes(tb)).append(", est ")
                .append(Explanations.ms(ts)).append(direct > 0 ? ", " + direct + " direct device to device" : "").append("):\n");
        for (Transfer t : p.transfers()) {
            sb.append(String.format(Locale.ROOT, "  %-40s %s -> %s  %-8s  %s  %s%n", t.value(), t.from(), t.to(), t.path(),
                    bytes(t.bytes()), Explanations.ms(t.seconds())));
        }
        sb.append("\nconversions (").append(p.conversions().size()).append("):\n");
        for (Conversion c : p.conversions()) {
            sb.append(String.format(Locale.ROOT, "  %-40s %s -> %s on %s  %s%n", c.value(), c.from().displayName(),
                    c.to().displayName(), c.device(), Explanations.ms(c.seconds())));
        }
        sb.append("\nper device: ");
        List<String> dev = new ArrayList<>();
        Map<String, Double> busy = p.busySeconds();
        for (Target t : p.usedTargets()) {
            dev.add(t.id() + " busy " + Explanations.ms(busy.getOrDefault(t.id(), 0.0)) + ", memory "
                    + bytes(p.estimatedMemory().getOrDefault(t.id(), 0L)));
        }
        sb.append(String.join("; ", dev)).append('\n');

        Map<String, Integer> reasons = new LinkedHashMap<>();
        sb.append("\nnodes (device precision, region: why; then each device's estimate per precision):\n");
        for (NodePlacement np : p.placements().values()) {
            sb.append("  ").append(np.node()).append(" (").append(np.op()).append(") -> ").append(np.device()).append(' ')
                    .append(np.precision().label()).append(", region #").append(np.region()).append(": ").append(np.why())
                    .append('\n');
            Map<String, List<String>> perTarget = new LinkedHashMap<>();
            for (Claim c : np.claims()) {
                String text;
                if (c.runnable()) {
                    text = c.precision().label() + " " + (Double.isNaN(c.seconds()) ? "?" : Explanations.ms(c.seconds()));
                    if (c.support().level() == Support.Level.EMULATED) {
                        text += " emulated " + ref(reasons, c.support().reason());
                    }
                    if (!c.allowed()) {
                        text += " (" + c.note() + ")";
                    }
                } else {
                    text = c.precision().label() + " no " + ref(reasons, c.support().reason());
                }
                perTarget.computeIfAbsent(c.target(), k -> new ArrayList<>()).add(text);
            }
            perTarget.forEach((t, l) -> sb.append("      ").append(t).append(": ").append(String.join(", ", l)).append('\n'));
        }
        if (!reasons.isEmpty()) {
            sb.append("\nreasons:\n");
            reasons.forEach((r, i) -> sb.append("  [").append(i).append("] ").append(r).append('\n'));
        }
        return sb.toString();
    }

    private static String ref(Map<String, Integer> reasons, String reason) {
        return "[" + reasons.computeIfAbsent(reason, k -> reasons.size() + 1) + "]";
    }

    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        if (b < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        }
        if (b < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.2f GiB", b / (1024.0 * 1024 * 1024));
    }

    private static final String[] COLORS = {"#cfe8ff", "#ffe0c2", "#d8f5d0", "#f3d1f4", "#fff3b0", "#e0e0e0"};

    static String dot(Plan p) {
        StringBuilder sb = new StringBuilder();
        Graph g = p.graph();
        sb.append("digraph \"").append(esc(g.name())).append("\" {\n  rankdir=TB;\n  node [shape=box, style=filled, fontsize=10];\n");
        List<String> devices = p.targets().stream().map(Target::id).toList();
        Map<Integer, List<Node>> byRegion = new LinkedHashMap<>();
        List<Node> loose = new ArrayList<>();
        for (Node n : g.nodes()) {
            String r = n.annotations().get(PlanBuilder.REGION);
            if (r == null) {
                loose.add(n);
            } else {
                byRegion.computeIfAbsent(Integer.parseInt(r), k -> new ArrayList<>()).add(n);
            }
        }
        for (Region r : p.regions()) {
            String color = COLORS[Math.max(0, devices.indexOf(r.device())) % COLORS.length];
            sb.append("  subgraph cluster_").append(r.index()).append(" {\n    label=\"#").append(r.index()).append(' ')
                    .append(esc(r.device())).append(' ').append(r.precision().label()).append(", ").append(r.nodes().size())
                    .append(" nodes, ").append(Explanations.ms(r.seconds())).append("\";\n    style=rounded;\n");
            for (Node n : byRegion.getOrDefault(r.index(), List.of())) {
                sb.append("    \"").append(esc(n.name())).append("\" [label=\"").append(esc(n.name())).append("\\n")
                        .append(esc(n.op().name())).append("\", fillcolor=\"").append(color).append("\"];\n");
            }
            sb.append("  }\n");
        }
        for (Node n : loose) {
            String d = n.annotations().get(PlanBuilder.DEVICE);
            sb.append("  \"").append(esc(n.name())).append("\" [label=\"").append(esc(n.op().name())).append(" on ")
                    .append(esc(d)).append("\", shape=ellipse, fillcolor=\"white\"];\n");
        }
        for (String in : g.inputs()) {
            sb.append("  \"").append(esc(in)).append("\" [shape=oval, fillcolor=\"white\"];\n");
        }
        java.util.Set<String> directEdges = new java.util.HashSet<>();
        for (Transfer t : p.transfers()) {
            if (t.direct()) {
                directEdges.add(t.value() + '\u0000' + t.from() + '\u0000' + t.to());
            }
        }
        for (Node n : g.nodes()) {
            for (String in : n.inputs()) {
                if (in.isEmpty() || g.constant(in) != null) {
                    continue;
                }
                String from = g.producer(in).map(Node::name).orElse(in);
                String fromDev = g.producer(in).map(x -> x.annotations().get(PlanBuilder.DEVICE)).orElse(Target.HOST);
                String toDev = n.annotations().get(PlanBuilder.DEVICE);
                sb.append("  \"").append(esc(from)).append("\" -> \"").append(esc(n.name())).append('"');
                if (!fromDev.equals(toDev)) {
                    // A direct crossing is one copy (solid); through host memory it is two (dashed).
                    boolean direct = directEdges.contains(in + '\u0000' + fromDev + '\u0000' + toDev);
                    sb.append(" [color=red, penwidth=2, style=").append(direct ? "solid" : "dashed").append(", label=\"")
                            .append(bytes(g.type(in).toTensorType().byteSize())).append(direct ? " direct" : fromDev.equals(Target.HOST)
                                    ? "" : " via host").append("\"]");
                }
                sb.append(";\n");
            }
        }
        for (String o : g.outputs()) {
            String from = g.producer(o).map(Node::name).orElse(o);
            sb.append("  \"out:").append(esc(o)).append("\" [shape=oval, fillcolor=\"white\", label=\"").append(esc(o))
                    .append("\"];\n  \"").append(esc(from)).append("\" -> \"out:").append(esc(o)).append("\";\n");
        }
        sb.append("}\n");
        return sb.toString();
    }

    private static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
