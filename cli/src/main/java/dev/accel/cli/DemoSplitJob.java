package dev.accel.cli;

import dev.accel.graph.Graph;
import dev.accel.graph.Node;
import dev.accel.graph.Passes;
import dev.accel.hal.Backend;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceKind;
import dev.accel.partitioner.Precision;
import dev.accel.partitioner.Preferences;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.function.Supplier;

/**
 * The main job of {@code accel demo}: builds the MobileNet-style CNN and the transformer encoder
 * block in code, and for each one runs a {@link DemoSplit} (plan, timings, agreement with the CPU
 * alone), then prints a summary. Option parsing is {@link DemoCommand}'s; this reads the values.
 */
final class DemoSplitJob {
    /** Largest relative difference from the CPU-only float32 run accepted when float16 is allowed. */
    static final double FP16_TOLERANCE = 1e-2;
    /** Largest relative difference from the CPU-only float32 run accepted in float32. */
    static final double FP32_TOLERANCE = 1e-4;

    private DemoSplitJob() {
    }

    static int run(ArgParser.Parsed p, Io io, Supplier<List<Backend>> discovery) {
        Precision precision = precision(p.value("precision", "fp16"));
        String model = p.value("model", "both");
        if (!List.of("cnn", "transformer", "both").contains(model)) {
            throw new UsageException("option '--model' must be cnn, transformer or both, got '" + model + "'");
        }
        int size = p.intValue("size", 64, 8, 1024);
        int seq = p.intValue("seq", 64, 1, 4096);
        int width = p.intValue("width", 128, 8, 4096);
        int heads = p.intValue("heads", 4, 1, 64);
        if (width % heads != 0) {
            throw new UsageException("option '--width' (" + width + ") must be a multiple of '--heads' (" + heads + ")");
        }
        int runs = p.intValue("runs", 5, 1, 1000);
        // No --warmup: warm up until run times settle (a fixed count left the JIT unfinished on some models).
        int warmup = p.values().containsKey("warmup") ? p.intValue("warmup", 20, 0, 1000) : -1;
        long seed = p.longValue("seed", 42);
        String only = p.value("device", "");
        if (p.values().containsKey("dtype") || p.values().containsKey("batch")) {
            throw new UsageException("options '--dtype' and '--batch' go with '--each-device'; the partitioned demo takes "
                    + "'--precision'");
        }
        PrintStream out = io.out();
        try (DeviceSet set = DeviceSet.open(discovery.get())) {
            List<Device> devices = chosen(set, only);
            out.printf(Locale.ROOT, "accel demo: two models built in code (seed %d), placed across this machine's devices "
                    + "with precision %s allowed, each compared with a float32 run on the CPU alone%n%n", seed, precision.label());
            DemoCommand.printDevices(out, set);
            if (devices.isEmpty()) {
                io.err().println("accel demo: no device is available; run accel devices to see why");
                return Main.FAILED;
            }
            Profiles profiles = Profiles.of(devices, io);
            profiles.describe(out);
            out.println();
            Device cpu = set.devices().stream().filter(d -> d.info().kind() == DeviceKind.CPU).findFirst().orElse(null);
            Preferences prefs = PlanCommand.preferences(p).toBuilder().precision(precision).build();
            Map<String, Graph> models = new LinkedHashMap<>();
            if (!model.equals("transformer")) {
                try (DemoNetwork net = DemoNetwork.build(DType.F32, 1, size, seed)) {
                    models.put(String.format(Locale.ROOT, "MobileNet-style CNN (input 1x3x%dx%d, %d ops, %d parameters)",
                            size, size, net.layers().size(), net.parameterCount()), net.toGraph());
                }
            }
            if (!model.equals("cnn")) {
                models.put(String.format(Locale.ROOT, "transformer encoder block (sequence %d, width %d, %d heads)", seq, width,
                        heads), Passes.optimize(DemoTransformer.build(seq, width, heads, seed), Map.of()));
            }
            double tolerance = precision == Precision.FP32 ? FP32_TOLERANCE : FP16_TOLERANCE;
            List<String> summary = new ArrayList<>();
            boolean failed = false;
            for (var e : models.entrySet()) {
                out.println("== " + e.getKey());
                try {
                    DemoSplit r = DemoSplit.run(e.getKey(), e.getValue(), devices, profiles, cpu, pinsOf(prefs, e.getValue(), out), warmup,
                            runs, seed, p.flag("short"), out);
                    double worst = r.worstDifference();
                    boolean ok = Double.isNaN(worst) ? r.relativeDifference().isEmpty() : worst <= tolerance;
                    failed |= !ok;
                    summary.add(String.format(Locale.ROOT, "  %s: on %s, median %.3f ms, %s", e.getKey(),
                            r.plan().usedTargets().stream().map(t -> t.id()).toList(), r.medianMillis(),
                            r.relativeDifference().isEmpty() ? "not compared (no CPU)"
                                    : String.format(Locale.ROOT, "relative difference %.3g (%s %.0e)", worst,
                                            ok ? "within" : "NOT within", tolerance)));
                } catch (RuntimeException ex) {
                    failed = true;
                    out.println("could not run: " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
                    summary.add("  " + e.getKey() + ": could not run: " + ex.getMessage());
                }
                out.println();
            }
            out.println("summary:");
            summary.forEach(out::println);
            return failed ? Main.FAILED : Main.OK;
        }
    }

    /** {@code prefs} without the pins that name no node of {@code g} (each model has its own nodes), saying which. */
    private static Preferences pinsOf(Preferences prefs, Graph g, PrintStream out) {
        Set<String> nodes = g.nodes().stream().map(Node::name).collect(Collectors.toSet());
        Preferences.Builder b = Preferences.builder().prefer(prefs.deviceOrder()).precision(prefs.precision())
                .fallback(prefs.fallback());
        if (!prefs.forbidden().isEmpty()) {
            b.forbid(prefs.forbidden().toArray(String[]::new));
        }
        List<String> ignored = new ArrayList<>();
        prefs.pins().forEach((node, device) -> {
            if (nodes.contains(node)) {
                b.pin(node, device);
            } else {
                ignored.add(node);
            }
        });
        if (!ignored.isEmpty()) {
            out.println("pins ignored (no such node in this model): " + String.join(", ", ignored));
        }
        return b.build();
    }

    private static Precision precision(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "fp32", "f32", "float32" -> Precision.FP32;
            case "fp16", "f16", "float16" -> Precision.FP16;
            default -> throw new UsageException("option '--precision' must be fp32 or fp16, got '" + text + "'");
        };
    }

    /** The devices named by {@code only} (comma-separated ids), or all when it is blank. */
    private static List<Device> chosen(DeviceSet set, String only) {
        if (only.isBlank()) {
            return set.devices();
        }
        List<Device> picked = new ArrayList<>();
        for (String id : only.split("\\s*,\\s*")) {
            Device d = set.devices().stream().filter(x -> x.info().id().equals(id)).findFirst().orElseThrow(
                    () -> new UsageException("unknown device '" + id + "' for --device; devices here: "
                            + (set.deviceIds().isEmpty() ? "none" : String.join(", ", set.deviceIds()))));
            picked.add(d);
        }
        return picked;
    }
}
