package dev.accel.cli;

import dev.accel.graph.Graph;
import dev.accel.graph.Passes;
import dev.accel.hal.Backend;
import dev.accel.hal.Device;
import dev.accel.onnx.OnnxReader;
import dev.accel.partitioner.Partitioner;
import dev.accel.partitioner.Plan;
import dev.accel.partitioner.Precision;
import dev.accel.partitioner.Preferences;
import dev.accel.partitioner.SearchOptions;
import dev.accel.runtime.MemoryPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code accel plan MODEL.onnx}: places a model on this machine's devices and prints the plan with
 * its explanation: regions, transfers, conversions, memory, and per node why it is where it is.
 * Also holds what {@link RunCommand} shares with it: reading the placement options and the model.
 */
final class PlanCommand implements Command {
    private final Supplier<List<Backend>> discovery;

    PlanCommand(Supplier<List<Backend>> discovery) {
        this.discovery = discovery;
    }

    @Override
    public String name() {
        return "plan";
    }

    @Override
    public String summary() {
        return "place an ONNX model on this machine's devices and explain the plan";
    }

    @Override
    public String help() {
        return """
                usage: accel plan MODEL.onnx [--prefer npu,gpu,cpu] [--precision fp32|fp16|int8] [--dot FILE]
                                  [--pin NODE=DEVICE,...] [--forbid DEVICE,...] [--budget DEVICE=BYTES,...]
                                  [--bind NAME=SIZE,...] [--search auto|exact|heuristic]

                Reads the model, folds and fuses it as it will run, asks every available device what it
                can run (in each precision the policy allows), estimates each option's cost (kernels,
                transfers, conversions) and places the nodes where the estimated end-to-end latency is
                least. Prints per region its device, precision, node count, estimated time and bytes in
                and out; the transfers and conversions; the memory per device; and per node why it is
                where it is: its estimate on every device that could run it, or why a device could not.

                options:
                  --prefer LIST      devices in order of preference (ids, backends or kinds), for ties
                  --precision P      fp32 (default): float32 only; fp16: float16 allowed where a device
                                     runs it; int8: int8 allowed too (Conv, MatMul, Gemm), with
                                     quantization parameters from the model's QDQ nodes or calibrated
                                     on the CPU over random inputs (see --calibrate)
                  --dot FILE         also write the plan as Graphviz DOT (one cluster per region)
                  --pin LIST         NODE=DEVICE pairs: run these nodes there whatever the cost
                  --forbid LIST      devices never to use
                  --budget LIST      DEVICE=BYTES pairs: most bytes of weights and activations there
                  --bind LIST        sizes for symbolic dimensions (default: each 1)
                  --search S         auto (default: exact up to 18 nodes), exact or heuristic
                  --calibrate N      with int8: random inputs to calibrate over (default 8), unless
                                     the model is QDQ (its QuantizeLinear nodes give the parameters)
                  --help             this text
                """;
    }

    /** Declares the placement options both commands take. */
    static ArgParser placementOptions(ArgParser p) {
        return p.positionals("MODEL.onnx").option("prefer", "LIST").option("precision", "P").option("pin", "LIST")
                .option("forbid", "LIST").option("budget", "LIST").option("bind", "LIST").option("search", "S")
                .option("calibrate", "N");
    }

    @Override
    public int run(List<String> args, Io io) {
        ArgParser.Parsed p = placementOptions(new ArgParser(name())).option("dot", "FILE").parse(args);
        if (p.help()) {
            io.out().print(help());
            return Main.OK;
        }
        Path model = modelPath(p);
        Preferences prefs = preferences(p);
        Partitioner partitioner = partitioner(p);
        Graph g = load(model, p);
        try (DeviceSet set = DeviceSet.open(discovery.get())) {
            List<Device> devices = set.devices();
            if (devices.isEmpty()) {
                io.err().println("accel plan: no device is available; run accel devices to see why");
                return Main.FAILED;
            }
            Profiles profiles = Profiles.of(devices, io);
            profiles.describe(io.out());
            Int8Setup int8 = int8(g, prefs, p, devices, io);
            Plan plan = partitioner.plan(int8.graph(), profiles.targets(devices), int8.preferences());
            io.out().print(plan.explain());
            io.out().println();
            io.out().println("memory per run (buffers reused by lifetime):");
            io.out().print(indent(MemoryPlan.of(plan).describe()));
            String dot = p.value("dot", null);
            if (dot != null) {
                try {
                    Files.writeString(Path.of(dot), plan.toDot());
                } catch (IOException e) {
                    throw new UsageException("cannot write --dot file '" + dot + "': " + e.getMessage());
                }
                io.out().println("wrote " + dot + " (render with: dot -Tsvg " + dot + " -o plan.svg)");
            }
            return Main.OK;
        }
    }

    /** The int8 setup the options ask for (nothing to do unless --precision int8), its description printed. */
    static Int8Setup int8(Graph g, Preferences prefs, ArgParser.Parsed p, List<Device> devices, Io io) {
        int samples = p.intValue("calibrate", Int8Setup.DEFAULT_SAMPLES, 1, 10_000);
        if (p.values().containsKey("calibrate") && prefs.precision() != dev.accel.partitioner.Precision.INT8) {
            throw new UsageException("--calibrate goes with --precision int8");
        }
        Int8Setup s = Int8Setup.of(g, prefs, samples, 1000, devices);
        if (!s.description().isEmpty()) {
            io.out().println(s.description());
        }
        return s;
    }

    static String indent(String text) {
        return text.lines().map(l -> "  " + l + "\n").reduce("", String::concat);
    }

    static Path modelPath(ArgParser.Parsed p) {
        if (p.positionals().size() != 1) {
            throw new UsageException("expects exactly one model file, got " + p.positionals().size() + ": " + p.positionals());
        }
        Path model = Path.of(p.positionals().getFirst());
        if (!Files.isRegularFile(model)) {
            throw new UsageException("model file '" + model + "' does not exist or is not a file");
        }
        return model;
    }

    /** The model read, its symbols bound (each 1 unless --bind says), folded and fused. */
    static Graph load(Path model, ArgParser.Parsed p) {
        return load(model, p.value("bind", ""));
    }

    /** As above, with the {@code --bind} text given ({@code name=size,...}; free dimensions not named are 1). */
    static Graph load(Path model, String bind) {
        Graph raw = OnnxReader.read(model).graph();
        Map<String, Integer> given = AnalyzeCommand.bindings(bind);
        Map<String, Integer> bindings = new LinkedHashMap<>();
        for (String s : raw.symbols()) {
            bindings.put(s, given.getOrDefault(s, 1));
        }
        Graph g = Passes.optimize(raw, bindings);
        if (!g.isResolved()) {
            throw new dev.accel.hal.InvalidArgumentException("model graph '" + raw.name() + "' does not resolve to kernels: "
                    + g.unresolved());
        }
        return g;
    }

    static Preferences preferences(ArgParser.Parsed p) {
        Preferences.Builder b = Preferences.builder();
        String prefer = p.value("prefer", "");
        if (!prefer.isBlank()) {
            b.prefer(list(prefer));
        }
        try {
            b.precision(Precision.parse(p.value("precision", "fp32")));
        } catch (dev.accel.hal.InvalidArgumentException e) {
            throw new UsageException("option '--precision' must be fp32, fp16 or int8, got '" + p.value("precision", "") + "'");
        }
        for (String pair : list(p.value("pin", ""))) {
            String[] kv = pair(pair, "--pin", "NODE=DEVICE");
            b.pin(kv[0], kv[1]);
        }
        String forbid = p.value("forbid", "");
        if (!forbid.isBlank()) {
            b.forbid(list(forbid).toArray(String[]::new));
        }
        for (String pair : list(p.value("budget", ""))) {
            String[] kv = pair(pair, "--budget", "DEVICE=BYTES");
            try {
                b.memoryBudget(kv[0], Long.parseLong(kv[1]));
            } catch (NumberFormatException e) {
                throw new UsageException("--budget entry '" + pair + "' needs a number of bytes after '='");
            }
        }
        return b.build();
    }

    static Partitioner partitioner(ArgParser.Parsed p) {
        String s = p.value("search", "auto");
        SearchOptions.Mode mode = switch (s) {
            case "auto" -> SearchOptions.Mode.AUTO;
            case "exact" -> SearchOptions.Mode.EXACT;
            case "heuristic" -> SearchOptions.Mode.HEURISTIC;
            default -> throw new UsageException("option '--search' must be auto, exact or heuristic, got '" + s + "'");
        };
        return new Partitioner().withSearch(SearchOptions.defaults().withMode(mode));
    }

    private static List<String> list(String text) {
        return text.isBlank() ? List.of() : List.of(text.split("\\s*,\\s*"));
    }

    private static String[] pair(String text, String option, String form) {
        int eq = text.indexOf('=');
        if (eq <= 0 || eq == text.length() - 1) {
            throw new UsageException(option + " entry '" + text + "' is not " + form);
        }
        return new String[] {text.substring(0, eq).trim(), text.substring(eq + 1).trim()};
    }
}
