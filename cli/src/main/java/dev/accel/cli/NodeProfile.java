package dev.accel.cli;

import dev.accel.graph.Graph;
import dev.accel.graph.Node;
import dev.accel.partitioner.Plan;
import dev.accel.partitioner.Step;
import dev.accel.runtime.StepTiming;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code accel run --profile}: each step's measured time over several traced runs, summarised by its
 * median (one slow run, a collection or a core taken by another process, moves a single trace by
 * milliseconds), then summed per operator type, with transfers as one line, and the slowest nodes
 * listed with their output type and the plan's estimate.
 */
final class NodeProfile {
    /** Slowest nodes listed. */
    static final int TOP = 12;

    private final Map<Step, List<Double>> seconds = new LinkedHashMap<>();
    private int runs;

    /** Adds one traced run's step timings. */
    void add(List<StepTiming> timings) {
        runs++;
        for (StepTiming t : timings) {
            seconds.computeIfAbsent(t.step(), k -> new ArrayList<>()).add(t.seconds());
        }
    }

    int runs() {
        return runs;
    }

    /** Median seconds per step, in plan order. */
    Map<Step, Double> medians() {
        Map<Step, Double> m = new LinkedHashMap<>();
        seconds.forEach((step, list) -> {
            double[] v = list.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            m.put(step, v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2);
        });
        return m;
    }

    /** The operator type of a step: the node's operator, or "transfer" for reads, writes and copies. */
    static String opType(Step step, Graph g) {
        if (step.kind() != Step.Kind.KERNEL) {
            return "transfer";
        }
        return g.node(step.node()).map(n -> n.op().name()).orElse("?");
    }

    void print(PrintStream out, Plan plan) {
        Graph g = plan.graph();
        Map<Step, Double> med = medians();
        double total = med.values().stream().mapToDouble(Double::doubleValue).sum();
        Map<String, double[]> byType = new LinkedHashMap<>();
        med.forEach((step, s) -> {
            double[] acc = byType.computeIfAbsent(opType(step, g), k -> new double[3]);
            acc[0]++;
            acc[1] += s;
            acc[2] += step.seconds();
        });
        out.printf(Locale.ROOT, "profile: each step's median over %d traced run%s, summed (%.2f ms of kernels and transfers)%n", runs,
                runs == 1 ? "" : "s", total * 1e3);
        TextTable types = new TextTable("operator", "steps>", "median ms>", "share>", "estimated ms>");
        byType.entrySet().stream().sorted(Comparator.comparingDouble((Map.Entry<String, double[]> e) -> -e.getValue()[1]))
                .forEach(e -> types.row(e.getKey(), String.valueOf((int) e.getValue()[0]), ms(e.getValue()[1]),
                        String.format(Locale.ROOT, "%.1f%%", 100 * e.getValue()[1] / total), ms(e.getValue()[2])));
        out.print(types.render("  "));
        out.println("slowest steps:");
        TextTable top = new TextTable("step", "operator", "device", "output", "median ms>", "estimated ms>");
        med.entrySet().stream().sorted(Comparator.comparingDouble((Map.Entry<Step, Double> e) -> -e.getValue())).limit(TOP)
                .forEach(e -> {
                    Step step = e.getKey();
                    String name = step.kind() == Step.Kind.KERNEL ? step.node() : step.kind().name().toLowerCase(Locale.ROOT) + " "
                            + step.value();
                    String output = step.kind() == Step.Kind.KERNEL ? g.node(step.node()).map(n -> describe(g, n)).orElse("") : "";
                    top.row(name, opType(step, g), step.device(), output, ms(e.getValue()), ms(step.seconds()));
                });
        out.print(top.render("  "));
        out.println();
    }

    private static String describe(Graph g, Node n) {
        return n.outputs().isEmpty() ? "" : String.valueOf(g.type(n.outputs().get(0)));
    }

    private static String ms(double seconds) {
        return String.format(Locale.ROOT, "%.3f", seconds * 1e3);
    }
}
