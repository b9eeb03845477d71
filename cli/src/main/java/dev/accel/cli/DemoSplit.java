package dev.accel.cli;

import dev.accel.graph.Graph;
import dev.accel.hal.Device;
import dev.accel.hal.HostTensor;
import dev.accel.hal.Shape;
import dev.accel.partitioner.Plan;
import dev.accel.partitioner.Precision;
import dev.accel.partitioner.Preferences;
import dev.accel.partitioner.Region;
import dev.accel.partitioner.Step;
import dev.accel.runtime.RunResult;
import dev.accel.runtime.Session;
import dev.accel.runtime.StepTiming;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One demo model placed by the partitioner across the chosen devices and run by a {@link Session},
 * then run again by a float32 session on the CPU alone on the same inputs, and compared. Prints the
 * plan's explanation, the timings (median of the timed runs, per region estimated against
 * measured), any fallback events and the agreement of the outputs.
 *
 * @param model the model's name in the output
 * @param plan the plan the split session ran
 * @param medianMillis the median of the timed runs
 * @param relativeDifference per output, the largest |difference| from the CPU-only run over the
 *     largest |value| of the CPU-only run; empty when there is no CPU to compare with
 * @param fallbacks the fallback events of every run, described
 */
record DemoSplit(String model, Plan plan, double medianMillis, Map<String, Double> relativeDifference,
                 List<String> fallbacks) {
    /** The largest relative difference over the outputs, or NaN when nothing was compared. */
    double worstDifference() {
        return relativeDifference.values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /**
     * Places and runs {@code g} on {@code devices} with {@code prefs}, compares with {@code cpu}
     * alone (float32) when it is not null, and prints everything on {@code out} ({@code shortPlan}:
     * the plan without its per-node explanation). The partitioner reads {@code profiles}.
     * {@code warmup} untimed runs precede the timed ones; a negative count warms up until run times
     * settle ({@link #settled}). The caller owns the devices.
     */
    /**
     * Whether warm-up may stop: after at least {@link #MIN_WARMUP} runs, once the best median of five
     * consecutive runs has not improved by 5% for {@link #PATIENCE} runs and {@link #PATIENCE_SECONDS}
     * of run time (the JIT has compiled what the runs use, with plateaus on the way: SqueezeNet, on 2
     * cores, held at 6-8 ms a run for over 40 runs before falling to 2.5-2.7 ms by run 500, so a
     * patience in runs alone stopped its warm-up after about 100), or after 15 s or 2000 runs in all.
     */
    static boolean settled(List<Double> seconds, long startNanos) {
        int n = seconds.size();
        if (n >= 2000 || System.nanoTime() - startNanos > 15_000_000_000L) {
            return true;
        }
        if (n < MIN_WARMUP) {
            return false;
        }
        double best = Double.POSITIVE_INFINITY;
        int bestAt = 0;
        for (int end = 5; end <= n; end++) {
            double m = DemoRun.median(seconds.subList(end - 5, end).stream().mapToDouble(Double::doubleValue).toArray());
            if (m < 0.95 * best) {
                best = m;
                bestAt = end;
            }
        }
        double since = 0;
        for (int i = bestAt; i < n; i++) {
            since += seconds.get(i);
        }
        return n - bestAt >= PATIENCE && since >= PATIENCE_SECONDS;
    }

    /** Runs without a 5% better median of five before warm-up stops. */
    static final int PATIENCE = 40;
    /** Run time, in seconds, without a 5% better median of five before warm-up stops. */
    static final double PATIENCE_SECONDS = 3.0;

    /** The fewest warm-up runs when the command line gives no --warmup. */
    static final int MIN_WARMUP = 20;

    static DemoSplit run(String model, Graph g, List<Device> devices, Profiles profiles, Device cpu, Preferences prefs, int warmup,
                         int runs, long seed, boolean shortPlan, PrintStream out) {
        Map<String, HostTensor> inputs = RunCommand.inputs(g, seed);
        Session.Builder builder = Session.builder(g).devices(devices).preferences(prefs);
        profiles.byId().forEach(builder::profile);
        try (Session s = builder.build()) {
            Map<String, Shape> shapes = new LinkedHashMap<>();
            inputs.forEach((k, v) -> shapes.put(k, v.type().shape()));
            Plan planned = s.plan(shapes);
            out.println("plan (precision " + prefs.precision().label() + " allowed, devices "
                    + devices.stream().map(d -> d.info().id()).toList() + "):");
            String explained = planned.explain();
            int nodes = explained.indexOf("\nnodes (");
            if (shortPlan && nodes >= 0) {
                explained = explained.substring(0, nodes + 1) + "(per-node explanation left out by --short)\n";
            }
            out.print(PlanCommand.indent(explained));
            out.println();
            List<String> fallbacks = new ArrayList<>();
            long t0 = System.nanoTime();
            try (RunResult first = s.run(inputs)) {
                first.fallbacks().forEach(f -> fallbacks.add(f.describe()));
            }
            double firstMs = (System.nanoTime() - t0) / 1e6;
            int warmed = 0;
            List<Double> warm = new ArrayList<>();
            long w0 = System.nanoTime();
            while (warmup >= 0 ? warmed < warmup : !settled(warm, w0)) {
                try (RunResult r = s.run(inputs)) {
                    r.fallbacks().forEach(f -> fallbacks.add(f.describe()));
                    warm.add(r.seconds());
                }
                warmed++;
            }
            double[] ms = new double[runs];
            Map<String, Double> agreement = new LinkedHashMap<>();
            Plan ran;
            for (int i = 0; i < runs - 1; i++) {
                try (RunResult r = s.run(inputs)) {
                    r.fallbacks().forEach(f -> fallbacks.add(f.describe()));
                    ms[i] = r.seconds() * 1e3;
                }
            }
            try (RunResult last = s.run(inputs, true)) {
                last.fallbacks().forEach(f -> fallbacks.add(f.describe()));
                ms[runs - 1] = last.seconds() * 1e3;
                ran = last.plan();
                double median = DemoRun.median(ms);
                String single = ran.singleDevice() == null || ran.singleDevice().isBlank()
                        ? "no single device runs every node"
                        : String.format(Locale.ROOT, "best single device %s %.3f ms", ran.singleDevice(),
                                ran.singleDeviceSeconds() * 1e3);
                out.printf(Locale.ROOT, "timings: first run (plans, prepares kernels, uploads weights) %.1f ms%n", firstMs);
                out.printf(Locale.ROOT, "  median of %d run%s after %d warm-up%s: %.3f ms; the plan estimated %.3f ms (%s)%n",
                        runs, runs == 1 ? "" : "s", warmed, warmup >= 0 ? "" : " (until run times settled)", median,
                        ran.estimatedSeconds() * 1e3, single);
                regions(out, ran, last.timings());
                if (cpu == null) {
                    out.println("agreement: no CPU device to compare with");
                } else {
                    compare(out, g, cpu, inputs, last, agreement);
                }
                if (fallbacks.isEmpty()) {
                    out.println("fallback events: none");
                } else {
                    fallbacks.forEach(f -> out.println("fallback: " + f));
                }
                return new DemoSplit(model, ran, median, Map.copyOf(agreement), List.copyOf(fallbacks));
            }
        } finally {
            inputs.values().forEach(HostTensor::close);
        }
    }

    /** Per region: device, precision, nodes, estimated and measured kernel time (from the traced run). */
    private static void regions(PrintStream out, Plan plan, List<StepTiming> timings) {
        Map<String, Double> measured = new HashMap<>();
        for (StepTiming t : timings) {
            if (t.step().kind() == Step.Kind.KERNEL) {
                measured.merge(t.step().node(), t.seconds(), Double::sum);
            }
        }
        TextTable table = new TextTable("region>", "device", "precision", "nodes>", "estimated ms>", "measured ms>");
        double est = 0;
        double got = 0;
        for (Region reg : plan.regions()) {
            double m = 0;
            for (String n : reg.nodes()) {
                m += measured.getOrDefault(n, 0.0);
            }
            est += reg.seconds();
            got += m;
            table.row("#" + reg.index(), reg.device(), reg.precision().label(), String.valueOf(reg.nodes().size()),
                    String.format(Locale.ROOT, "%.3f", reg.seconds() * 1e3), String.format(Locale.ROOT, "%.3f", m * 1e3));
        }
        out.println("  regions (kernel time, the plan's estimate and the last run's measurement):");
        out.print(table.render("    "));
        out.printf(Locale.ROOT, "    all regions: %.3f ms estimated, %.3f ms measured%n", est * 1e3, got * 1e3);
    }

    private static void compare(PrintStream out, Graph g, Device cpu, Map<String, HostTensor> inputs, RunResult split,
                                Map<String, Double> agreement) {
        Preferences fp32 = Preferences.builder().precision(Precision.FP32).build();
        try (Session s = Session.builder(g).devices(List.of(cpu)).preferences(fp32).build();
             RunResult ref = s.run(inputs)) {
            for (String o : g.outputs()) {
                HostTensor want = ref.output(o);
                HostTensor got = split.output(o);
                Agreement a = Agreement.of(want, got);
                agreement.put(o, a.relative());
                out.printf(Locale.ROOT, "agreement of %s %s with %s alone (fp32): largest |difference| %.3g, largest |value| %.3g, "
                        + "relative difference %.3g%n", o, want.type(), cpu.info().id(), a.difference(), a.scale(), a.relative());
            }
        }
    }
}
