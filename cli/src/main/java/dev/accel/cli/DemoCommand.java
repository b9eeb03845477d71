package dev.accel.cli;

import dev.accel.hal.Backend;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceInfo;
import dev.accel.hal.HostTensor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@code accel demo}: the main job until the partitioner lands. Discovers the devices, builds a
 * small MobileNet-style network in code, runs the whole network on every available device, prints
 * per-op timings per device and how far each device's output is from the first device's.
 */
final class DemoCommand implements Command {
    private final Supplier<List<Backend>> discovery;

    DemoCommand(Supplier<List<Backend>> discovery) {
        this.discovery = discovery;
    }

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "place a MobileNet-style CNN and a transformer block across the devices, time them, check them";
    }

    @Override
    public String help() {
        return """
                usage: accel demo [--device LIST] [--precision fp32|fp16] [--model cnn|transformer|both]
                                  [--size N] [--seq N] [--width N] [--heads N] [--short]
                                  [--prefer LIST] [--pin LIST] [--forbid LIST]
                                  [--runs N] [--warmup N] [--seed N]
                       accel demo --each-device [--device ID] [--dtype f32|f16|bf16] [--batch N] [--size N]
                                  [--runs N] [--warmup N] [--seed N]

                Discovers the devices and builds two models in code with seeded random weights: a
                MobileNet-style CNN (Conv 3x3 stride 2 + BatchNorm + Relu, depthwise Conv 3x3 + Relu,
                pointwise 1x1 Conv + Relu, channel shuffle as Reshape + Transpose + Reshape,
                GlobalAveragePool, Reshape, Gemm, Softmax) and a transformer encoder block (LayerNorm,
                Q/K/V projections, Reshape + Transpose to heads, Attention, output projection, residual
                Add, LayerNorm, MLP with Gelu, residual Add). For each model the partitioner places it
                across the devices (float16 allowed by default) and the plan is printed with its
                explanation; a session runs it once (planning and preparing), then the warm-up runs,
                then the timed runs, and prints the median and per region the estimated against the
                measured kernel time. Then a float32 session on the CPU alone runs the same inputs and
                the largest difference, relative to the largest output value, is printed, with any
                fallback events.

                options:
                  --device LIST  only these devices (comma-separated ids, "cpu:0,npu:0"); see accel devices
                  --precision P  fp16 (default): float16 allowed where a device runs it; fp32: float32 only
                  --model M      cnn, transformer or both (default both)
                  --size N       CNN input height and width, 8 to 1024 (default 64)
                  --seq N        transformer sequence length, 1 to 4096 (default 64)
                  --width N      transformer model width, 8 to 4096, a multiple of --heads (default 128)
                  --heads N      transformer attention heads, 1 to 64 (default 4)
                  --runs N       timed runs, 1 to 1000 (default 5)
                  --warmup N     untimed runs after the first, 0 to 1000 (default: at least 20, then until
                                 40 runs in a row bring no 5% better run time, at most 15 s: until
                                 the JIT has compiled the Vector API kernels they run interpreted and
                                 slow; with --each-device the default is 20)
                  --seed N       seed of the weights and the inputs (default 42)
                  --prefer LIST  devices in order of preference (ids, backends or kinds), for ties
                  --pin LIST     NODE=DEVICE pairs (node names as the plan prints them): run these nodes
                                 there whatever the cost, to force a split; a pin naming no node of a
                                 model is ignored for that model
                  --forbid LIST  devices never to use
                  --short        print each plan without its per-node explanation
                  --each-device  the earlier demo instead: each device runs the whole CNN on its own
                                 (no partitioner), per-op timings per device; takes --dtype f32|f16|bf16
                                 and --batch N (1 to 256) too, and one --device ID
                  --help         this text

                Exit status 1 when no device is available, a model could not run, or an output differs
                from the CPU-only run by more than 1e-2 relative (fp16) or 1e-4 (fp32).
                """;
    }

    @Override
    public int run(List<String> args, Io io) {
        ArgParser.Parsed p = new ArgParser(name()).option("device", "ID").option("dtype", "T").option("batch", "N")
                .option("size", "N").option("runs", "N").option("warmup", "N").option("seed", "N")
                .option("precision", "P").option("model", "M").option("seq", "N").option("width", "N")
                .option("heads", "N").option("prefer", "LIST").option("pin", "LIST").option("forbid", "LIST")
                .flag("each-device").flag("short").parse(args);
        if (p.help()) {
            io.out().print(help());
            return Main.OK;
        }
        if (p.flag("each-device")) {
            return eachDevice(p, io);
        }
        return DemoSplitJob.run(p, io, discovery);
    }

    private int eachDevice(ArgParser.Parsed p, Io io) {
        DType dtype = parseDType(p.value("dtype", "f32"));
        int batch = p.intValue("batch", 1, 1, 256);
        int size = p.intValue("size", 64, 8, 1024);
        int runs = p.intValue("runs", 5, 1, 1000);
        int warmup = p.intValue("warmup", 20, 0, 1000);
        long seed = p.longValue("seed", 42);
        String only = p.value("device", null);
        PrintStream out = io.out();
        try (DeviceSet set = DeviceSet.open(discovery.get());
             DemoNetwork net = DemoNetwork.build(dtype, batch, size, seed);
             HostTensor input = net.makeInput(seed)) {
            if (only != null && !set.deviceIds().contains(only)) {
                throw new UsageException("unknown device '" + only + "' for --device; devices here: "
                        + (set.deviceIds().isEmpty() ? "none" : String.join(", ", set.deviceIds())));
            }
            out.printf("accel demo: a MobileNet-style network built in code: %d ops, %s, batch %d, input 3x%dx%d, "
                    + "%d parameters, seed %d%n%n", net.layers().size(), dtype.displayName(), batch, size, size,
                    net.parameterCount(), seed);
            printDevices(out, set);
            printNetwork(out, net);
            List<Device> devices = set.devices().stream().filter(d -> only == null || d.info().id().equals(only)).toList();
            if (devices.isEmpty()) {
                io.err().println("accel demo: no device is available; run accel devices to see why");
                return Main.FAILED;
            }
            List<DemoRun> results = new ArrayList<>();
            boolean failed = false;
            for (Device d : devices) {
                out.println();
                try {
                    DemoRun r = DemoRun.run(d, net, input, warmup, runs);
                    results.add(r);
                    printRun(out, d.info(), net, r, warmup, runs);
                } catch (RuntimeException e) {
                    failed = true;
                    out.println(d.info().id() + " (" + d.info().name() + ") could not run the network: "
                            + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
            printDifferences(out, results);
            out.println();
            out.println("Each device ran the whole network on its own; accel demo without --each-device places one");
            out.println("network across the devices with the partitioner.");
            return failed || results.isEmpty() ? Main.FAILED : Main.OK;
        }
    }

    /** Reads "f32", "float32", "F32" and the like. */
    static DType parseDType(String s) {
        String v = s.toLowerCase(Locale.ROOT);
        return switch (v) {
            case "f32", "float32", "float" -> DType.F32;
            case "f16", "float16", "half" -> DType.F16;
            case "bf16", "bfloat16" -> DType.BF16;
            default -> throw new UsageException("option '--dtype' must be f32, f16 or bf16, got '" + s + "'");
        };
    }

    static void printDevices(PrintStream out, DeviceSet set) {
        out.println("devices:");
        for (DeviceSet.Entry e : set.entries()) {
            if (!e.availability().available()) {
                out.println("  " + e.backend().id() + ": unavailable: " + e.availability().detail()
                        + (e.availability().fix().isEmpty() ? "" : " (fix: " + e.availability().fix() + ")"));
            } else if (!e.openError().isEmpty()) {
                out.println("  " + e.backend().id() + ": open failed: " + e.openError());
            }
            for (Device d : e.devices()) {
                DeviceInfo i = d.info();
                out.println("  " + i.id() + "  " + i.name() + " (" + i.kind() + ", " + TextTable.bytes(i.memoryBytes())
                        + (i.sharesHostMemory() ? ", shares host memory)" : ")"));
            }
        }
        out.println();
    }

    private static void printNetwork(PrintStream out, DemoNetwork net) {
        out.println("network:");
        TextTable t = new TextTable("#>", "layer", "op", "inputs", "output");
        for (int i = 0; i < net.layers().size(); i++) {
            DemoNetwork.Layer l = net.layers().get(i);
            List<String> ins = l.inputs().stream().map(x -> net.values().get(x).name()).toList();
            t.row(String.valueOf(i), l.name(), DemoNetwork.describe(l.spec()), String.join(", ", ins),
                    l.spec().outputs().getFirst().toString());
        }
        out.print(t.render("  "));
    }

    private static void printRun(PrintStream out, DeviceInfo info, DemoNetwork net, DemoRun r, int warmup, int runs) {
        out.printf("%s (%s): median of %d run%s after %d warm-up run%s%n", info.id(), info.name(), runs,
                runs == 1 ? "" : "s", warmup, warmup == 1 ? "" : "s");
        TextTable t = new TextTable("#>", "layer", "op", "support", "median ms>");
        for (int i = 0; i < net.layers().size(); i++) {
            DemoNetwork.Layer l = net.layers().get(i);
            t.row(String.valueOf(i), l.name(), l.spec().op().name(), r.support().get(i).level().name(),
                    ms(r.layerMillis()[i]));
        }
        out.print(t.render("  "));
        out.println("  sum of the ops, each dispatched and awaited alone: " + ms(r.sumOfLayersMillis()) + " ms");
        out.println("  whole network queued at once (input write, " + net.layers().size()
                + " dispatches, output read): " + ms(r.pipelinedMillis()) + " ms");
        float[] o = r.output();
        int classes = net.values().get(net.output()).type().shape().dim(-1);
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (o[c] > o[best]) {
                best = c;
            }
        }
        out.printf(Locale.ROOT, "  output %s: first image's top class %d, probability %.4f%n",
                net.values().get(net.output()).type(), best, o[best]);
    }

    private static void printDifferences(PrintStream out, List<DemoRun> results) {
        if (results.isEmpty()) {
            return;
        }
        DemoRun ref = results.getFirst();
        out.println();
        out.println("largest |difference| of each device's output from " + ref.deviceId() + "'s:");
        for (DemoRun r : results) {
            String d = r == ref ? "0 (the reference)"
                    : String.format(Locale.ROOT, "%.3g", DemoRun.maxAbsDifference(ref.output(), r.output()));
            out.println("  " + r.deviceId() + "  " + d);
        }
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
