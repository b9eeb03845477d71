package dev.accel.cli;

import dev.accel.benchmarks.BenchRecord;
import dev.accel.benchmarks.CpuReport;
import dev.accel.benchmarks.CpuSuite;
import dev.accel.benchmarks.PlanningSuite;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code accel bench plan [--quick] [--nodes N]}: the partitioner's planning time on a large graph
 * (JMH, in-process).
 *
 * <p>{@code accel bench cpu [--quick] [--out FILE.json]}: the CPU suite of the benchmarks module (JMH,
 * in-process), each of accel's CPU kernels against a peer in the same JVM at the same thread count
 * (OpenBLAS, ONNX Runtime, a plain Java loop) and against the machine's measured peak. Prints the
 * facts of the run and the table; writes the records as JSON on request.
 */
final class BenchCommand implements Command {
    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "benchmark the CPU kernels against OpenBLAS, ONNX Runtime and the measured peak, or the planner's speed";
    }

    @Override
    public String help() {
        return """
                usage: accel bench cpu [--quick] [--out FILE.json]
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
        ArgParser.Parsed p = new ArgParser(name()).flag("quick").option("out", "FILE.json").option("nodes", "N")
                .positionals("SUITE").parse(args);
        if (p.help()) {
            io.out().print(help());
            return Main.OK;
        }
        if (p.positionals().size() != 1 || !List.of("cpu", "plan").contains(p.positionals().getFirst())) {
            throw new UsageException("expected one suite, 'cpu' or 'plan', got " + (p.positionals().isEmpty() ? "none"
                    : "'" + String.join(" ", p.positionals()) + "'") + "; usage: accel bench cpu [--quick] [--out FILE.json] | "
                    + "accel bench plan [--quick] [--nodes N]");
        }
        try {
            return p.positionals().getFirst().equals("plan") ? plan(p, io) : cpu(p, io);
        } catch (IllegalStateException e) {
            // JMH refused or failed (another JMH holds its lock, a benchmark threw): say so without a stack trace.
            io.err().println("accel bench: " + e.getMessage());
            return Main.FAILED;
        }
    }

    private int cpu(ArgParser.Parsed p, Io io) {
        if (p.values().containsKey("nodes")) {
            throw new UsageException("--nodes applies to 'accel bench plan' only");
        }
        Path out = p.values().containsKey("out") ? Path.of(p.value("out", "")) : null;
        if (out != null && out.getParent() != null && !Files.isDirectory(out.getParent())) {
            throw new UsageException("--out " + out + ": the folder " + out.getParent() + " does not exist");
        }
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
        if (out != null) {
            try {
                Files.writeString(out, report.json());
            } catch (IOException e) {
                io.err().println("accel bench: cannot write " + out + ": " + e.getMessage());
                return Main.FAILED;
            }
            o.println("wrote " + out);
        }
        return Main.OK;
    }

    private int plan(ArgParser.Parsed p, Io io) {
        if (p.values().containsKey("out")) {
            throw new UsageException("--out applies to 'accel bench cpu' only");
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
