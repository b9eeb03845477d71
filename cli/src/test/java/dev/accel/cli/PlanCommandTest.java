package dev.accel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.accel.hal.Backend;
import dev.accel.hal.Backends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code accel plan} and {@code accel run} on a light model, over the CPU and the NPU. */
class PlanCommandTest {
    private static final Path CORPUS = Path.of("..", "..", "shared", "conformance", "onnx").toAbsolutePath().normalize();
    private static final Supplier<List<Backend>> CPU_NPU = () -> List.of(Backends.find("cpu").orElseThrow(),
            Backends.find("npu").orElseThrow());

    private static Path squeezenet() {
        Path p = CORPUS.resolve("light/light_squeezenet.onnx");
        assumeTrue(Files.exists(p), "the shared ONNX corpus is absent (" + p + "): these tests read ../shared/conformance/onnx");
        return p;
    }

    @Test
    void planExplainsAndWritesDot(@TempDir Path tmp) throws Exception {
        Path dot = tmp.resolve("plan.dot");
        CliRunner.Result r = CliRunner.run(CPU_NPU, "plan", squeezenet().toString(), "--precision", "fp16", "--prefer", "npu,cpu",
                "--dot", dot.toString());
        assertEquals(Main.OK, r.status(), r.all());
        for (String s : new String[] {"regions (", "npu:0", "cpu:0", "fp16", "transfers (", "conversions (", "nodes (",
                "search:", "memory per run", "one buffer per tensor"}) {
            assertTrue(r.out().contains(s), "plan output lacks '" + s + "':\n" + r.all());
        }
        String d = Files.readString(dot);
        assertTrue(d.startsWith("digraph") && d.contains("subgraph cluster_0"), d);
    }

    @Test
    void planRejectsBadOptions() {
        CliRunner.Result r = CliRunner.run(CPU_NPU, "plan", squeezenet().toString(), "--precision", "fp8");
        assertEquals(Main.USAGE, r.status(), r.all());
        assertTrue(r.err().contains("--precision") && r.err().contains("fp8"), r.all());
        CliRunner.Result pin = CliRunner.run(CPU_NPU, "plan", squeezenet().toString(), "--pin", "n0");
        assertEquals(Main.USAGE, pin.status(), pin.all());
        assertTrue(pin.err().contains("NODE=DEVICE"), pin.all());
        CliRunner.Result missing = CliRunner.run(CPU_NPU, "plan", "no-such.onnx");
        assertEquals(Main.USAGE, missing.status());
        CliRunner.Result unknownNode = CliRunner.run(CPU_NPU, "plan", squeezenet().toString(), "--pin", "nope=cpu");
        assertEquals(Main.FAILED, unknownNode.status(), unknownNode.all());
        assertTrue(unknownNode.err().contains("no node named 'nope'"), unknownNode.all());
    }

    @Test
    void runPrintsTimingsWritesATraceAndCompares(@TempDir Path tmp) throws Exception {
        Path trace = tmp.resolve("trace.json");
        CliRunner.Result r = CliRunner.run(CPU_NPU, "run", squeezenet().toString(), "--precision", "fp16", "--runs", "2",
                "--warmup", "0", "--trace", trace.toString(), "--compare", "--pin", "n0=npu");
        assertEquals(Main.OK, r.status(), r.all());
        for (String s : new String[] {"first run", "median of 2 runs", "estimated", "measured", "outputs:", "compare",
                "wrote " + trace}) {
            assertTrue(r.out().contains(s), "run output lacks '" + s + "':\n" + r.all());
        }
        String json = Files.readString(trace);
        assertTrue(json.contains("\"traceEvents\"") && json.contains("\"npu:0\"") && json.contains("\"ph\":\"X\""), json);
    }

    @Test
    void runWithoutWarmupWarmsUpUntilRunTimesSettle() {
        CliRunner.Result r = CliRunner.run(CPU_NPU, "run", squeezenet().toString(), "--runs", "1");
        assertEquals(Main.OK, r.status(), r.all());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("median of 1 run after ([0-9]+) warm-up \\(until run times settled\\)")
                .matcher(r.out());
        assertTrue(m.find(), r.all());
        assertTrue(Integer.parseInt(m.group(1)) >= DemoSplit.MIN_WARMUP, r.all());
    }

    @Test
    void runWithProfileSumsEachOperatorsStepsOverTheTracedRuns() {
        CliRunner.Result r = CliRunner.run(CPU_NPU, "run", squeezenet().toString(), "--runs", "3", "--warmup", "0", "--profile",
                "--forbid", "npu:0");
        assertEquals(Main.OK, r.status(), r.all());
        assertTrue(r.out().contains("profile: each step's median over 3 traced runs"), r.all());
        // SqueezeNet 1.0 has 26 convolutions, all on the CPU here, each followed by a Relu that alone
        // reads it: 26 FusedConv steps, and Relu steps only where a Relu is not fused.
        java.util.regex.Matcher conv = java.util.regex.Pattern.compile("\\n\\s+(Fused)?Conv\\s+([0-9]+)\\s+([0-9.]+)\\s+([0-9.]+)%")
                .matcher(r.out());
        int convSteps = 0;
        int fusedSteps = 0;
        while (conv.find()) {
            int steps = Integer.parseInt(conv.group(2));
            convSteps += steps;
            fusedSteps += conv.group(1) == null ? 0 : steps;
            assertTrue(Double.parseDouble(conv.group(3)) > 0, r.all());
        }
        assertEquals(26, convSteps, r.all());
        assertEquals(26, fusedSteps, r.all());
        assertFalse(java.util.regex.Pattern.compile("\\n\\s+Relu\\s").matcher(r.out()).find(), r.all());
        assertTrue(r.out().contains("slowest steps:"), r.all());
    }

    @Test
    void int8IsCalibratedOnRandomInputsThenPlannedAndRun() {
        CliRunner.Result plan = CliRunner.run(CPU_NPU, "plan", squeezenet().toString(), "--precision", "int8", "--calibrate", "2");
        assertEquals(Main.OK, plan.status(), plan.all());
        assertTrue(plan.out().contains("calibrated on cpu:0 over 2 random inputs (seeds 1000..1001)"), plan.all());
        assertTrue(java.util.regex.Pattern.compile("\\bint8\\b").matcher(plan.out()).find(), "no int8 in the plan:\n" + plan.all());

        CliRunner.Result run = CliRunner.run(CPU_NPU, "run", squeezenet().toString(), "--precision", "int8", "--calibrate", "2",
                "--runs", "1", "--warmup", "0", "--compare");
        assertEquals(Main.OK, run.status(), run.all());
        assertTrue(run.out().contains("compare ") && run.out().contains("median of 1 run ") && run.out().contains("int8"), run.all());

        CliRunner.Result misplaced = CliRunner.run(CPU_NPU, "plan", squeezenet().toString(), "--calibrate", "4");
        assertEquals(Main.USAGE, misplaced.status(), misplaced.all());
        assertTrue(misplaced.err().contains("--calibrate goes with --precision int8"), misplaced.all());
    }
}
