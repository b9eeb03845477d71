package dev.accel.graph;

import java.util.Locale;

/** Formats an {@link Analysis} as a fixed-width text table. */
final class AnalysisTable {
    private AnalysisTable() {
    }

    static String format(Analysis a) {
        StringBuilder sb = new StringBuilder();
        sb.append("model ").append(a.graphName()).append('\n');
        String head = String.format(Locale.ROOT, "%-4s %-28s %-18s %-24s %10s %10s %10s %10s %10s %7s%n", "#", "node", "op", "output",
                "params", "MACs", "FLOPs", "read", "written", "FLOP/B");
        sb.append(head);
        sb.append("-".repeat(head.length() - 1)).append('\n');
        int i = 0;
        for (NodeCost c : a.nodes()) {
            sb.append(row(String.valueOf(i++), c));
        }
        sb.append("-".repeat(head.length() - 1)).append('\n');
        sb.append(row("", a.total()));
        NodeCost t = a.total();
        sb.append(String.format(Locale.ROOT, "%nnodes %d, parameters %s (%s), MACs %s, FLOPs %s, memory access %s, intensity %.2f FLOP/B%n",
                a.nodes().size(), human(t.params()), bytesOfParams(t.params()), human(t.macs()), human(t.flops()),
                humanBytes(t.bytes()), t.intensity()));
        sb.append(String.format(Locale.ROOT, "%-22s %12s %12s%n", "share", "parameters", "FLOPs"));
        sb.append(String.format(Locale.ROOT, "%-22s %11.1f%% %11.1f%%%n", "convolution", pct(a.convParams(), t.params()),
                pct(a.convFlops(), t.flops())));
        sb.append(String.format(Locale.ROOT, "%-22s %11.1f%% %11.1f%%%n", "fully connected", pct(a.fcParams(), t.params()),
                pct(a.fcFlops(), t.flops())));
        sb.append(String.format(Locale.ROOT, "%-22s %11.1f%% %11.1f%%%n", "other", pct(t.params() - a.convParams() - a.fcParams(), t.params()),
                pct(t.flops() - a.convFlops() - a.fcFlops(), t.flops())));
        return sb.toString();
    }

    private static String row(String idx, NodeCost c) {
        return String.format(Locale.ROOT, "%-4s %-28s %-18s %-24s %10s %10s %10s %10s %10s %7.2f%n", idx, clip(c.node(), 28), clip(c.op(), 18),
                clip(c.output(), 24), human(c.params()), human(c.macs()), human(c.flops()), humanBytes(c.bytesRead()),
                humanBytes(c.bytesWritten()), c.intensity());
    }

    private static double pct(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }

    private static String clip(String s, int w) {
        return s.length() <= w ? s : s.substring(0, w - 1) + "~";
    }

    private static String bytesOfParams(long params) {
        return humanBytes(params * 4) + " as float32";
    }

    /** 1234567 as "1.23 M". */
    static String human(long v) {
        if (v < 1000) {
            return String.valueOf(v);
        }
        String[] units = {"k", "M", "G", "T", "P"};
        double d = v;
        int u = -1;
        while (d >= 1000 && u < units.length - 1) {
            d /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", d, units[u]);
    }

    static String humanBytes(long v) {
        if (v < 1024) {
            return v + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double d = v;
        int u = -1;
        while (d >= 1024 && u < units.length - 1) {
            d /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", d, units[u]);
    }
}
