package dev.accel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.graph.Graph;
import dev.accel.graph.Node;
import dev.accel.hal.Backend;
import dev.accel.hal.Backends;
import dev.accel.hal.DType;
import dev.accel.hal.Device;
import dev.accel.hal.HostTensor;
import dev.accel.runtime.RunResult;
import dev.accel.runtime.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The partitioned demo (accel demo without --each-device) on the real CPU and NPU-simulator backends. */
class DemoSplitTest {
    private static final String[] SMALL = {"--size", "16", "--seq", "8", "--width", "16", "--heads", "2", "--runs", "2",
        "--warmup", "1", "--short"};

    private static Supplier<List<Backend>> backends(String... ids) {
        return () -> java.util.Arrays.stream(ids).map(id -> Backends.find(id).orElseThrow()).toList();
    }

    private static CliRunner.Result demo(Supplier<List<Backend>> backends, String... extra) {
        List<String> args = new ArrayList<>(List.of("demo"));
        args.addAll(List.of(SMALL));
        args.addAll(List.of(extra));
        return CliRunner.run(backends, args.toArray(String[]::new));
    }

    /** The relative differences the agreement lines print, in order. */
    private static List<Double> agreements(String out) {
        Matcher m = Pattern.compile("\nagreement of \\S+ float32\\[[0-9, ]+\\] with cpu:0 alone \\(fp32\\): largest \\|difference\\| "
                + "\\S+, largest \\|value\\| \\S+, relative difference (\\S+)\n").matcher(out);
        List<Double> found = new ArrayList<>();
        while (m.find()) {
            found.add(Double.parseDouble(m.group(1)));
        }
        return found;
    }

    @Test
    void onTheCpuAloneBothModelsArePlannedTimedAndAgreeExactly() {
        CliRunner.Result r = demo(backends("cpu"), "--precision", "fp32");
        assertEquals(Main.OK, r.status(), r.all());
        String out = r.out();
        assertTrue(out.contains("  cpu:0  "), r.all());
        assertTrue(out.contains("== MobileNet-style CNN (input 1x3x16x16, 14 ops, "), r.all());
        assertTrue(out.contains("== transformer encoder block (sequence 8, width 16, 2 heads)"), r.all());
        assertTrue(out.contains("plan for 'mobilenet-style': 14 nodes on [cpu:0]"), r.all());
        assertTrue(Pattern.compile("plan for 'encoder-block': [0-9]+ nodes on \\[cpu:0\\]").matcher(out).find(), r.all());
        assertTrue(out.contains("(per-node explanation left out by --short)"), r.all());
        assertEquals(2, Pattern.compile("\n  median of 2 runs after 1 warm-up: [0-9]+\\.[0-9]{3} ms; the plan estimated")
                .matcher(out).results().count(), r.all());
        assertEquals(2, Pattern.compile("\n +#0 +cpu:0 +fp32 +[0-9]+ +[0-9.]+ +[0-9.]+\n").matcher(out).results().count(), r.all());
        List<Double> rel = agreements(out);
        assertEquals(2, rel.size(), r.all());
        for (double d : rel) {
            assertTrue(d <= 1e-5, "cpu-only against cpu-only differs by " + d + "\n" + out);
        }
        assertEquals(2, out.split("\nfallback events: none\n", -1).length - 1, r.all());
        assertTrue(out.contains("summary:\n  MobileNet-style CNN"), r.all());
    }

    @Test
    void aForcedCpuNpuSplitRunsInFloat16AndAgreesWithinTolerance() {
        CliRunner.Result r = demo(backends("cpu", "npu"), "--pin", "conv=npu:0,conv_3=npu:0,gemm=npu:0,matmul=npu:0,matmul_15=npu:0");
        assertEquals(Main.OK, r.status(), r.all());
        String out = r.out();
        assertTrue(out.contains("plan for 'mobilenet-style': 14 nodes on [cpu:0, npu:0]"), r.all());
        assertTrue(Pattern.compile("plan for 'encoder-block': [0-9]+ nodes on \\[cpu:0, npu:0\\]").matcher(out).find(), r.all());
        assertTrue(out.contains("pins ignored (no such node in this model): matmul, matmul_15"), r.all());
        assertTrue(Pattern.compile("\n +#[0-9]+ +npu:0 +fp16 +1 +[0-9.]+ +[0-9.]+\n").matcher(out).find(), r.all());
        assertTrue(out.contains("float32 -> float16 on cpu:0"), r.all());
        List<Double> rel = agreements(out);
        assertEquals(2, rel.size(), r.all());
        for (double d : rel) {
            // float16 on the NPU really changes the numbers, but only within the float16 tolerance.
            assertTrue(d > 0 && d <= DemoSplitJob.FP16_TOLERANCE, "split against cpu-only differs by " + d + "\n" + out);
        }
        assertTrue(out.contains("relative difference") && out.contains("(within 1e-02)"), r.all());
    }

    @Test
    void badOptionsAreUsageErrors() {
        Supplier<List<Backend>> cpu = backends("cpu");
        assertUsage(CliRunner.run(cpu, "demo", "--width", "30", "--heads", "4"),
                "option '--width' (30) must be a multiple of '--heads' (4)");
        assertUsage(CliRunner.run(cpu, "demo", "--precision", "int8"), "option '--precision' must be fp32 or fp16, got 'int8'");
        assertUsage(CliRunner.run(cpu, "demo", "--model", "rnn"), "option '--model' must be cnn, transformer or both, got 'rnn'");
        assertUsage(CliRunner.run(cpu, "demo", "--dtype", "f16"), "options '--dtype' and '--batch' go with '--each-device'");
        assertUsage(CliRunner.run(cpu, "demo", "--device", "cpu:0,npu:7"), "unknown device 'npu:7' for --device; devices here: cpu:0");
    }

    private static void assertUsage(CliRunner.Result r, String message) {
        assertEquals(Main.USAGE, r.status(), r.all());
        assertTrue(r.err().contains(message), r.all());
    }

    @Test
    void theTransformerBlockHasTheEncoderLayersAndIsSeeded() {
        Graph g = DemoTransformer.build(8, 16, 2, 1);
        List<String> ops = g.nodes().stream().map(n -> n.op().name()).toList();
        assertEquals(1, ops.stream().filter("Attention"::equals).count(), ops.toString());
        assertEquals(2, ops.stream().filter("LayerNormalization"::equals).count(), ops.toString());
        assertEquals(1, ops.stream().filter("Gelu"::equals).count(), ops.toString());
        assertEquals(6, ops.stream().filter("MatMul"::equals).count(), ops.toString());
        assertEquals("float32[1, 8, 16]", g.type(g.outputs().getFirst()).toTensorType().toString());
        assertEquals("float32[1, 8, 16]", g.type(g.inputs().getFirst()).toTensorType().toString());
        Device cpu = Backends.find("cpu").orElseThrow().open().getFirst();
        try (cpu) {
            float[] a = runOnce(g, cpu, 3);
            float[] again = runOnce(DemoTransformer.build(8, 16, 2, 1), cpu, 3);
            float[] other = runOnce(DemoTransformer.build(8, 16, 2, 2), cpu, 3);
            // Same seed, same weights: the same outputs up to rounding. Not bit for bit: the Vector API leaves the
            // order of a lane reduction (reduceLanes ADD) unspecified, and the interpreter's fallback and C2's
            // intrinsic differ, so a run that overlaps a JIT compilation can round differently (CI saw 6e-7).
            assertTrue(DemoRun.maxAbsDifference(a, again) <= 1e-5, "same seed differs by " + DemoRun.maxAbsDifference(a, again));
            assertTrue(DemoRun.maxAbsDifference(a, other) > 1e-3);
            double max = 0;
            for (float v : a) {
                assertTrue(Float.isFinite(v));
                max = Math.max(max, Math.abs(v));
            }
            // Residual stream of unit-size inputs: well inside float16's range, and not all zeros.
            assertTrue(max > 0.5 && max < 100, "largest |output| " + max);
        }
    }

    @Test
    void theCnnGraphComputesWhatTheLayerByLayerRunComputes() {
        Device cpu = Backends.find("cpu").orElseThrow().open().getFirst();
        try (cpu; DemoNetwork net = DemoNetwork.build(DType.F32, 1, 12, 5); HostTensor input = net.makeInput(5)) {
            Graph g = net.toGraph();
            assertEquals(net.layers().size(), g.nodes().size());
            assertEquals(List.of("input"), g.inputs());
            assertEquals(List.of("Conv", "BatchNormalization", "Relu"), g.nodes().stream().limit(3).map(Node::op)
                    .map(o -> o.name()).toList());
            float[] layered = DemoRun.run(cpu, net, input, 0, 1).output();
            try (Session s = Session.builder(g).devices(List.of(cpu)).build();
                 RunResult r = s.run(Map.of("input", input))) {
                float[] graphed = r.output(g.outputs().getFirst()).toFloatArray();
                assertTrue(DemoRun.maxAbsDifference(layered, graphed) <= 1e-6,
                        "graph and layer-by-layer differ by " + DemoRun.maxAbsDifference(layered, graphed));
            }
        }
    }

    private static float[] runOnce(Graph g, Device cpu, long seed) {
        Map<String, HostTensor> in = RunCommand.inputs(g, seed);
        try (Session s = Session.builder(g).devices(List.of(cpu)).build(); RunResult r = s.run(in)) {
            return r.output(g.outputs().getFirst()).toFloatArray();
        } finally {
            in.values().forEach(HostTensor::close);
        }
    }

    @Test
    void warmUpWaitsOutPlateausInRunsAndInTime() {
        long start = System.nanoTime();
        List<Double> runs = new ArrayList<>();
        // 8 ms runs: 40 runs without improvement are 0.32 s, not the 3 s of patience.
        for (int i = 0; i < 200; i++) {
            runs.add(0.008);
        }
        assertFalse(DemoSplit.settled(runs, start), "a plateau of 1.6 s is not yet settled");
        for (int i = 0; i < 200; i++) {
            runs.add(0.008);
        }
        assertTrue(DemoSplit.settled(runs, start), "3.2 s without a better run is settled");
        // Slow runs: the 40-run patience is what holds.
        List<Double> slow = new ArrayList<>();
        for (int i = 0; i < 44; i++) {
            slow.add(0.1);
        }
        assertFalse(DemoSplit.settled(slow, start), "39 runs after the best");
        slow.add(0.1);
        assertTrue(DemoSplit.settled(slow, start), "40 runs and 4 s after the best");
        // A drop late in the plateau starts the patience again.
        for (int i = 0; i < 5; i++) {
            runs.add(0.004);
        }
        assertFalse(DemoSplit.settled(runs, start), "just improved");
    }
}
