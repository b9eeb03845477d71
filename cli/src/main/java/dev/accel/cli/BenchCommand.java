package dev.accel.cli;

import dev.accel.benchmarks.BenchRecord;
import dev.accel.benchmarks.CpuReport;
import dev.accel.benchmarks.CpuSuite;
import dev.accel.benchmarks.ModelPeer;
import dev.accel.benchmarks.PlanningSuite;
import dev.accel.hal.Backend;
import dev.accel.hal.Device;
import dev.accel.hal.DeviceKind;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code accel bench plan [--quick] [--nodes N]}: the partitioner's planning time on a large graph
 * (JMH, in-process).
 *
 * <p>{@code accel bench cpu [--quick] [--out FILE.json]}: the CPU suite of the benchmarks module (JMH,
 * in-process), each of accel's CPU kernels against a peer in the same JVM at the same thread count
 * (OpenBLAS, ONNX Runtime, a plain Java loop) and against the machine's measured peak. Prints the
 * facts of the run and the table; writes the records as JSON on request.
 *
 * <p>{@code accel bench models [--runs N] [--out FILE.json] [MODEL.onnx ...]}: whole networks on the
 * CPU device against ONNX Runtime ({@link ModelBench}).
 */
final class BenchCommand implements Command {
    /** Where the light model-zoo networks lie, from the project root. */
    static final Path LIGHT_DIR = Path.of("..", "shared", "conformance", "onnx", "light");

    private final Supplier<List<Backend>> discovery;

    BenchCommand(Supplier<List<Backend>> discovery) {
        this.discovery = discovery;
    }
    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "benchmark the CPU kernels or whole models against OpenBLAS, ONNX Runtime and the measured peak, or the planner's speed";
    }

    @Override
    public String help() {
        return """
                usage: accel bench cpu [--quick] [--out FILE.json]
                       accel bench models [--runs N] [--out FILE.json] [MODEL.onnx ...]
                       accel bench plan [--quick] [--nodes N]

                Runs the CPU suite with JMH inside this JVM (forks 0): FP32 GEMM (n = 512, 1024,
                2048) against OpenBLAS sgemm, ONNX Runtime MatMul and a plain Java loop; INT8 GEMM
                against accel's own FP32 GEMM and ONNX Runtime MatMulInteger; skinny GEMM (M = 1..8,
                K = N = 4096) in FP32 and INT8 against memory bandwidth and OpenBLAS; the convolution
                layers of ResNet-50, MobileNetV2 and SqueezeNet against ONNX Runtime Conv (the faster
                of its NCHW and NCHWc layouts); the dispatch of a one-element Add on a CPU queue;
                and a peak probe (FP32 FMA rate, memory bandwidth) measured in the same run. Peers
                use the same thread count as accel (the accel.cpu.threads property, else every core).

                Each result is the median of the measurement iterations' average time per call. The
                table gives, per case: ours, the peer, the unit, the speed ratio ours/peer (above 1:
                accel is faster), ours as a fraction of the measured peak, and the issue's goal for the
                row with whether this run met it. Progress goes to standard error.

                options:
                  --quick          a representative subset with short iterations (about a minute);
                                   the full run takes a few minutes
                  --out FILE.json  also write the records: name, ours, peer, unit, ratio,
                                   fractionOfPeak (plus peerName, goal, goalMet) and the run's facts
                  --help           this text

                accel bench models runs whole float32 networks on accel's CPU device and on ONNX
                Runtime (CPU, every graph optimization, the same thread count) with the same seeded
                inputs: both warmed up (accel at least 20 runs and 8 s, then ONNX Runtime at least 20
                runs and 3 s), then N rounds (--runs, default 20)
                of 4 runs of one side and 4 of the other, alternating which goes first; the first run
                of each 4 is not counted. Per model: each side's median in ms and the speed ratio
                (ONNX Runtime's time over accel's: above 1, accel is faster). Without MODEL.onnx
                arguments: the five light networks of ../shared/conformance/onnx/light, from the
                current directory (ResNet-50, VGG-19, SqueezeNet, ShuffleNet, AlexNet; their weights
                are constants, so their outputs are not compared). --out writes the records as for
                accel bench cpu.

                accel bench plan times the partitioner with JMH (single-shot, in-process): one plan
                per iteration of a graph of residual blocks (MatMul, Relu, MatMul, Add, Mul, Sigmoid,
                Softmax, Add; default 10,000 nodes) over three declared devices (a CPU, a GPU, an NPU
                that runs four of the ops in float16 only), float16 allowed. It prints the median and
                the fastest plan time against the goal of 200 ms, and the plan's shape. --nodes N
                sets the size (a multiple of 8).

                Numbers from a machine shared with other work are noisy: run it when the machine is
                otherwise idle, and compare runs by their ratios, which pair measurements taken
                seconds apart.
                """;
    }

    @Override
    public int run(List<String> args, Io io) {
        ArgParser.Parsed p = new ArgParser(name()).flag("quick").option("out", "FILE.json").option("nodes", "N").option("runs", "N")
                .positionals("SUITE").parse(args);
        if (p.help()) {
            io.out().print(help());
            return Main.OK;
        }
        String suite = p.positionals().isEmpty() ? "" : p.positionals().getFirst();
        if (!List.of("cpu", "plan", "models").contains(suite) || (!suite.equals("models") && p.positionals().size() != 1)) {
            throw new UsageException("expected one suite, 'cpu', 'models' or 'plan', got " + (p.positionals().isEmpty() ? "none"
                    : "'" + String.join(" ", p.positionals()) + "'") + "; usage: accel bench cpu [--quick] [--out FILE.json] | "
                    + "accel bench models [--runs N] [--out FILE.json] [MODEL.onnx ...] | accel bench plan [--quick] [--nodes N]");
        }
        try {
            return switch (suite) {
                case "plan" -> plan(p, io);
                case "models" -> models(p, io);
                default -> cpu(p, io);
            };
        } catch (IllegalStateException e) {
            // JMH refused or failed (another JMH holds its lock, a benchmark threw): say so without a stack trace.
            io.err().println("accel bench: " + e.getMessage());
            return Main.FAILED;
        }
    }

    private static Path outPath(ArgParser.Parsed p) {
        Path out = p.values().containsKey("out") ? Path.of(p.value("out", "")) : null;
        if (out != null && out.getParent() != null && !Files.isDirectory(out.getParent())) {
            throw new UsageException("--out " + out + ": the folder " + out.getParent() + " does not exist");
        }
        return out;
    }

    private int models(ArgParser.Parsed p, Io io) {
        if (p.values().containsKey("nodes") || p.flag("quick")) {
            throw new UsageException(p.flag("quick") ? "--quick applies to 'accel bench cpu' and 'accel bench plan' only"
                    : "--nodes applies to 'accel bench plan' only");
        }
        Path out = outPath(p);
        int rounds = p.intValue("runs", 20, 3, 1000);
        List<Path> models = new ArrayList<>();
        for (String m : p.positionals().subList(1, p.positionals().size())) {
            Path path = Path.of(m);
            if (!Files.isRegularFile(path)) {
                throw new UsageException("model file '" + m + "' does not exist or is not a file");
            }
            models.add(path);
        }
        if (models.isEmpty()) {
            if (!Files.isDirectory(LIGHT_DIR)) {
                throw new UsageException("no model named and " + LIGHT_DIR + " is not here (it holds the light networks of the"
                        + " shared corpus, beside the project root); name MODEL.onnx files");
            }
            ModelBench.LIGHT.forEach(n -> models.add(LIGHT_DIR.resolve(n + ".onnx")));
        }
        try (DeviceSet set = DeviceSet.open(discovery.get())) {
            Device cpu = set.devices().stream().filter(d -> d.info().kind() == DeviceKind.CPU).findFirst().orElse(null);
            if (cpu == null) {
                io.err().println("accel bench: no CPU device is available; run accel devices to see why");
                return Main.FAILED;
            }
            List<ModelBench.Row> rows = new ArrayList<>();
            for (Path m : models) {
                rows.add(ModelBench.measure(m, cpu, rounds, line -> io.err().println("accel bench: " + line)));
            }
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("device", cpu.info().id() + " (" + cpu.info().name() + ")");
            facts.put("threads", Integer.toString(ModelPeer.threads()));
            facts.put("rounds", rounds + " of " + ModelBench.BLOCK + " runs of each side in turn (the first of each "
                    + ModelBench.BLOCK + " not counted: the other side's threads are still spinning), after at least"
                    + " 8 s of warm-up for accel and 3 s for ONNX Runtime; median of the runs counted");
            CpuReport report = new CpuReport(rows.stream().map(ModelBench.Row::record).toList(), facts);
            PrintStream o = io.out();
            o.println("accel bench models");
            report.facts().forEach((k, v) -> o.println("  " + k + ": " + v));
            o.println();
            o.print(report.table());
            return write(report, out, io);
        }
    }

    private static int write(CpuReport report, Path out, Io io) {
        if (out != null) {
            try {
                Files.writeString(out, report.json());
            } catch (IOException e) {
                io.err().println("accel bench: cannot write " + out + ": " + e.getMessage());
                return Main.FAILED;
            }
            io.out().println("wrote " + out);
        }
        return Main.OK;
    }

    private int cpu(ArgParser.Parsed p, Io io) {
        if (p.values().containsKey("nodes") || p.values().containsKey("runs")) {
            throw new UsageException(p.values().containsKey("nodes") ? "--nodes applies to 'accel bench plan' only"
                    : "--runs applies to 'accel bench models' only");
        }
        Path out = outPath(p);
        CpuReport report = new CpuSuite(p.flag("quick"), line -> io.err().println("accel bench: " + line)).run();
        PrintStream o = io.out();
        o.println("accel bench cpu" + (p.flag("quick") ? " --quick" : ""));
        report.facts().forEach((k, v) -> o.println("  " + k + ": " + v));
        o.println();
        o.print(report.table());
        List<BenchRecord> missed = report.missedGoals();
        long goals = report.records().stream().filter(r -> !r.goal().isEmpty()).count();
        o.println();
        o.printf("goals met: %d of %d%n", goals - missed.size(), goals);
        return write(report, out, io);
    }

    private int plan(ArgParser.Parsed p, Io io) {
        if (p.values().containsKey("out") || p.values().containsKey("runs")) {
            throw new UsageException(p.values().containsKey("out") ? "--out applies to 'accel bench cpu' and 'accel bench models' only"
                    : "--runs applies to 'accel bench models' only");
        }
        int nodes;
        try {
            nodes = Integer.parseInt(p.value("nodes", "10000"));
        } catch (NumberFormatException e) {
            throw new UsageException("--nodes " + p.value("nodes", "") + ": not a whole number");
        }
        if (nodes < 8 || nodes % 8 != 0) {
            throw new UsageException("--nodes " + nodes + ": must be a positive multiple of 8 (the benchmark graph's block)");
        }
        io.err().println("accel bench: planning a " + nodes + "-node graph repeatedly under JMH");
        PlanningSuite.Result r = new PlanningSuite(p.flag("quick")).run(nodes);
        io.out().println("accel bench plan" + (p.flag("quick") ? " --quick" : "") + " --nodes " + nodes);
        io.out().println(r.line());
        return Main.OK;
    }
}
