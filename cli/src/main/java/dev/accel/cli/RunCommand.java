package dev.accel.cli;

import dev.accel.graph.Graph;
import dev.accel.hal.Backend;
import dev.accel.hal.Device;
import dev.accel.hal.HostTensor;
import dev.accel.hal.TensorType;
import dev.accel.partitioner.Plan;
import dev.accel.partitioner.Preferences;
import dev.accel.partitioner.Region;
import dev.accel.partitioner.Step;
import dev.accel.runtime.RunResult;
import dev.accel.runtime.Session;
import dev.accel.runtime.StepTiming;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * {@code accel run MODEL.onnx}: places the model as {@code accel plan} does, runs it on seeded random
 * inputs, and prints the timings: the first run (which plans and prepares), the median of the timed
 * runs, and per region the estimate against the measured time; optionally writes a Chrome trace and
 * compares the outputs with a CPU-only run.
 */
final class RunCommand implements Command {
    private final Supplier<List<Backend>> discovery;

    RunCommand(Supplier<List<Backend>> discovery) {
        this.discovery = discovery;
    }

    @Override
    public String name() {
        return "run";
    }

    @Override
    public String summary() {
        return "run an ONNX model across this machine's devices and print the timings";
    }

    @Override
    public String help() {
        return """
                usage: accel run MODEL.onnx [--trace FILE] [--profile] [--runs N] [--warmup N] [--seed N]
                                 [--compare] [--prefer LIST] [--precision fp32|fp16|int8] [--pin LIST]
                                 [--forbid LIST] [--budget LIST] [--bind LIST] [--search auto|exact|heuristic]

                Places the model as accel plan does, then runs it on seeded random inputs (uniform in
                [-1, 1)): one first run (which also plans and prepares the kernels), the warm-up runs, and
                the timed runs. Prints the plan's regions, the median time, each region's estimate
                against its measured time (from a traced run), and the outputs. A device that fails
                during a run has its work re-placed on the others, and the run is repeated: the output
                says so.

                options:
                  --trace FILE   write the last run's trace (Chrome trace-event JSON; open it in
                                 ui.perfetto.dev): one process per device, a span per kernel and transfer
                  --profile      trace every timed run and print where the time goes: per operator
                                 type and for the slowest nodes, each node's median over the runs
                  --runs N       timed runs, 1 to 1000 (default 5)
                  --warmup N     untimed runs after the first, 0 to 1000 (default: at least 20, then until
                                 40 runs in a row bring no 5% better run time, at most 15 s)
                  --seed N       seed of the inputs (default 42)
                  --compare      also run on the CPU alone and print the largest difference
                  (placement options as for accel plan; see accel plan --help)
                  --help         this text
                """;
    }

    @Override
    public int run(List<String> args, Io io) {
        ArgParser.Parsed p = PlanCommand.placementOptions(new ArgParser(name())).option("trace", "FILE").option("runs", "N")
                .option("warmup", "N").option("seed", "N").flag("compare").flag("profile").parse(args);
        if (p.help()) {
            io.out().print(help());
            return Main.OK;
        }
        Path model = PlanCommand.modelPath(p);
        Preferences prefs = PlanCommand.preferences(p);
        int runs = p.intValue("runs", 5, 1, 1000);
        // No --warmup: warm up until run times settle, as the demo does (one warm-up run left small
        // networks at two to three times their settled time: the JIT was not done).
        int warmup = p.values().containsKey("warmup") ? p.intValue("warmup", 1, 0, 1000) : -1;
        long seed = p.longValue("seed", 42);
        Graph g = PlanCommand.load(model, p);
        PrintStream out = io.out();
        try (DeviceSet set = DeviceSet.open(discovery.get())) {
            List<Device> devices = set.devices();
            if (devices.isEmpty()) {
                io.err().println("accel run: no device is available; run accel devices to see why");
                return Main.FAILED;
            }
            Map<String, HostTensor> inputs = inputs(g, seed);
            Profiles profiles = Profiles.of(devices, io);
            profiles.describe(out);
            Int8Setup int8 = PlanCommand.int8(g, prefs, p, devices, io);
            g = int8.graph();
            Session.Builder builder = Session.builder(g).devices(devices).preferences(int8.preferences())
                    .partitioner(PlanCommand.partitioner(p));
            profiles.byId().forEach(builder::profile);
            try (Session s = builder.build()) {
                long t0 = System.nanoTime();
                try (RunResult first = s.run(inputs)) {
                    report(out, first);
                }
                double firstMs = (System.nanoTime() - t0) / 1e6;
                List<Double> warm = new ArrayList<>();
                long w0 = System.nanoTime();
                int warmed = 0;
                while (warmup >= 0 ? warmed < warmup : !DemoSplit.settled(warm, w0)) {
                    try (RunResult r = s.run(inputs)) {
                        report(out, r);
                        warm.add(r.seconds());
                    }
                    warmed++;
                }
                double[] ms = new double[runs];
                RunResult last = null;
                boolean profile = p.flag("profile");
                NodeProfile nodeProfile = new NodeProfile();
                for (int i = 0; i < runs; i++) {
                    RunResult r = s.run(inputs, profile || i == runs - 1);
                    ms[i] = r.seconds() * 1e3;
                    report(out, r);
                    if (profile) {
                        nodeProfile.add(r.timings());
                    }
                    if (i == runs - 1) {
                        last = r;
                    } else {
                        r.close();
                    }
                }
                try (RunResult r = last) {
                    Plan plan = r.plan();
                    out.printf(Locale.ROOT, "accel run %s: %d nodes on %s, precision %s%n", model.getFileName(),
                            g.nodes().size(), plan.usedTargets().stream().map(t -> t.id()).toList(), prefs.precision().label());
                    out.printf(Locale.ROOT, "first run (plans, prepares kernels, uploads weights): %.1f ms%n", firstMs);
                    double[] sorted = ms.clone();
                    Arrays.sort(sorted);
                    out.printf(Locale.ROOT, "median of %d run%s after %d warm-up%s: %.2f ms (min %.2f, max %.2f); estimated %.2f ms%n%n",
                            runs, runs == 1 ? "" : "s", warmed, warmup >= 0 ? "" : " (until run times settled)", sorted[runs / 2],
                            sorted[0], sorted[runs - 1], plan.estimatedSeconds() * 1e3);
                    regions(out, plan, r.timings());
                    if (profile) {
                        nodeProfile.print(out, plan);
                    }
                    outputs(out, r);
                    String trace = p.value("trace", null);
                    if (trace != null) {
                        r.trace().write(Path.of(trace));
                        out.println("wrote " + trace + " (" + r.trace().spans().size() + " spans; open it in ui.perfetto.dev)");
                    }
                    if (p.flag("compare")) {
                        compare(out, g, set, inputs, r);
                    }
                }
            } finally {
                inputs.values().forEach(HostTensor::close);
            }
            return Main.OK;
        }
    }

    private static void report(PrintStream out, RunResult r) {
        r.fallbacks().forEach(f -> out.println("fallback: " + f.describe()));
    }

    static Map<String, HostTensor> inputs(Graph g, long seed) {
        Random rnd = new Random(seed);
        Map<String, HostTensor> in = new LinkedHashMap<>();
        for (String name : g.inputs()) {
            TensorType t = g.type(name).toTensorType();
            HostTensor h = HostTensor.allocate(t);
            for (long i = 0; i < t.numel(); i++) {
                h.setDouble(i, t.dtype().isFloat() ? rnd.nextDouble() * 2 - 1 : rnd.nextInt(4));
            }
            in.put(name, h);
        }
        return in;
    }

    /** Per region: device, precision, nodes, estimated and measured kernel time. */
    private static void regions(PrintStream out, Plan plan, List<StepTiming> timings) {
        Map<String, Double> measured = new HashMap<>();
        for (StepTiming t : timings) {
            if (t.step().kind() == Step.Kind.KERNEL) {
                measured.put(t.step().node(), t.seconds());
            }
        }
        TextTable table = new TextTable("region>", "device", "precision", "nodes>", "estimated ms>", "measured ms>", "ratio>");
        Map<String, double[]> perDevice = new LinkedHashMap<>();
        for (Region reg : plan.regions()) {
            double m = 0;
            for (String n : reg.nodes()) {
                m += measured.getOrDefault(n, 0.0);
            }
            table.row("#" + reg.index(), reg.device(), reg.precision().label(), String.valueOf(reg.nodes().size()),
                    String.format(Locale.ROOT, "%.3f", reg.seconds() * 1e3), String.format(Locale.ROOT, "%.3f", m * 1e3),
                    m > 0 ? String.format(Locale.ROOT, "%.2f", reg.seconds() / m) : "-");
            double[] acc = perDevice.computeIfAbsent(reg.device(), k -> new double[2]);
            acc[0] += reg.seconds();
            acc[1] += m;
        }
        out.println("regions (kernel time: the plan's estimate and the last run's measurement):");
        out.print(table.render("  "));
        List<String> lines = new ArrayList<>();
        perDevice.forEach((d, v) -> lines.add(String.format(Locale.ROOT, "%s %.2f ms estimated, %.2f ms measured", d, v[0] * 1e3,
                v[1] * 1e3)));
        out.println("  per device: " + String.join("; ", lines));
        out.println();
    }

    private static void outputs(PrintStream out, RunResult r) {
        out.println("outputs:");
        for (var e : r.outputs().entrySet()) {
            HostTensor h = e.getValue();
            int best = 0;
            double max = Double.NEGATIVE_INFINITY;
            double sum = 0;
            long bad = 0;
            for (long i = 0; i < h.numel(); i++) {
                double v = h.getDouble(i);
                if (!Double.isFinite(v)) {
                    bad++;
                }
                sum += v;
                if (v > max) {
                    max = v;
                    best = (int) i;
                }
            }
            out.printf(Locale.ROOT, "  %s %s: largest %.5g at %d, mean %.5g%s%n", e.getKey(), h.type(), max, best,
                    sum / Math.max(1, h.numel()), bad == 0 ? "" : "; " + bad + " values are NaN or infinite (float16 overflow?"
                            + " try --precision fp32)");
        }
        out.println();
    }

    private static void compare(PrintStream out, Graph g, DeviceSet set, Map<String, HostTensor> inputs, RunResult r) {
        Device cpu = set.devices().stream().filter(d -> d.info().kind() == dev.accel.hal.DeviceKind.CPU).findFirst().orElse(null);
        if (cpu == null) {
            out.println("compare: no CPU device to compare with");
            return;
        }
        try (Session s = Session.builder(g).devices(List.of(cpu)).build(); RunResult ref = s.run(inputs)) {
            for (String o : g.outputs()) {
                HostTensor want = ref.output(o);
                HostTensor got = r.output(o);
                Agreement a = Agreement.of(want, got);
                out.printf(Locale.ROOT, "compare %s with %s alone: largest |difference| %.3g, relative to the largest |value| %.3g%n",
                        o, cpu.info().id(), a.difference(), a.relative());
            }
        }
    }
}
