package dev.accel.partitioner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.graph.Constant;
import dev.accel.graph.Graph;
import dev.accel.graph.GraphBuilder;
import dev.accel.graph.Node;
import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Unary;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Claims, the graph as it runs, steps, the explanation, DOT and immutability. */
class PlanTest {
    private static final Preferences FP16 = Preferences.builder().precision(Precision.FP16).build();

    @Test
    void claimsSayNativeEmulatedAndUnsupportedWithReasons() {
        Plan p = new Partitioner().plan(Synthetic.chain(2, 8, 64), List.of(Synthetic.cpu(), Synthetic.npu()), FP16);
        List<Claim> c = p.placements().get("matmul").claims();
        assertEquals(4, c.size(), "two devices times the two allowed precisions: " + c);
        Claim cpu32 = find(c, "cpu:0", Precision.FP32);
        Claim cpu16 = find(c, "cpu:0", Precision.FP16);
        Claim npu32 = find(c, "npu:0", Precision.FP32);
        Claim npu16 = find(c, "npu:0", Precision.FP16);
        assertEquals(Support.Level.NATIVE, cpu32.support().level());
        assertEquals(Support.Level.EMULATED, cpu16.support().level());
        assertTrue(cpu16.seconds() > cpu32.seconds(), "emulated float16 costs more than float32 on the CPU");
        assertEquals(Support.Level.UNSUPPORTED, npu32.support().level());
        assertTrue(npu32.support().reason().contains("no float32"), npu32.toString());
        assertTrue(Double.isNaN(npu32.seconds()));
        assertEquals(DType.F16, npu16.spec().inputs().get(0).dtype());
        assertEquals(DType.F16, npu16.spec().outputs().get(0).dtype());
        assertTrue(npu16.usable());
    }

    private static Claim find(List<Claim> c, String t, Precision p) {
        return c.stream().filter(x -> x.target().equals(t) && x.precision() == p).findFirst().orElseThrow();
    }

    @Test
    void cpuKindDevicesShareTheCoresSoBranchesThereDoNotRunBesideTheCpu() {
        // Two independent MatMuls (335 us each on the CPU's 100 GFLOP/s, 419 us at 80) and a second
        // device a little slower than the CPU. A GPU runs its branch beside the CPU's; a CPU-type
        // driver (PoCL, lavapipe) would take turns on the same cores, so the CPU runs both.
        GraphBuilder b = new GraphBuilder("branches");
        String x = b.input("x", DType.F32, 64, 512);
        String w1 = b.constant("w1", Constant.splat(TensorType.of(DType.F32, 512, 512), 0.01));
        String w2 = b.constant("w2", Constant.splat(TensorType.of(DType.F32, 512, 512), 0.02));
        b.output(b.op(new MatMul(), x, w1));
        b.output(b.op(new MatMul(), x, w2));
        Graph g = b.build();
        Synthetic.Caps caps = new Synthetic.Caps(null, java.util.Set.of(DType.F32), java.util.Set.of());
        var slower = Synthetic.profile(80e9, 0, 20e9, 3e-6, 20e9, 0.2e-6);
        Target gpu = new Target("gpu:0", dev.accel.hal.DeviceKind.GPU, caps, slower, 16L << 30, true);
        Target pocl = new Target("opencl:0", dev.accel.hal.DeviceKind.CPU, caps, slower, 16L << 30, true);

        Plan beside = new Partitioner().plan(g, List.of(Synthetic.cpu(), gpu), Preferences.defaults());
        assertEquals(java.util.Set.of("cpu:0", "gpu:0"), java.util.Set.of(beside.deviceOf("matmul"), beside.deviceOf("matmul_1")),
                "one branch on each device: " + beside.explain());
        Plan shared = new Partitioner().plan(g, List.of(Synthetic.cpu(), pocl), Preferences.defaults());
        assertEquals("cpu:0", shared.deviceOf("matmul"), shared.explain());
        assertEquals("cpu:0", shared.deviceOf("matmul_1"), shared.explain());
        assertTrue(shared.estimatedSeconds() > 2 * 0.3e-3, "the two branches take turns: " + shared.estimatedSeconds());
    }

    @Test
    void reshapeRunsAnywhereAsAViewSoItDoesNotSplitANpuRegion() {
        GraphBuilder b = new GraphBuilder("reshape");
        String x = b.input("x", DType.F32, 64, 512);
        String w = b.constant("w", Constant.splat(TensorType.of(DType.F32, 512, 512), 0.01));
        String m = b.op(new MatMul(), x, w);
        String r = b.op(new Reshape(Shape.of(64, 8, 64)), m);
        String r2 = b.op(new Reshape(Shape.of(64, 512)), r);
        b.output(b.op(new MatMul(), r2, w));
        Plan p = new Partitioner().plan(b.build(), List.of(Synthetic.cpu(), Synthetic.npu()), FP16);
        assertEquals(1, p.regions().size(), p.explain());
        assertEquals("npu:0", p.regions().get(0).device());
        Claim view = find(p.placements().get("reshape").claims(), "npu:0", Precision.FP16);
        assertEquals(Support.Level.NATIVE, view.support().level(), "a view needs no kernel, though the NPU has no Reshape unit");
        assertEquals(0.0, view.seconds());
    }

    @Test
    void theGraphAsItRunsKeepsInputsOutputsAndConvertsWeightsOnce() {
        Graph g = Synthetic.chain(6, 64, 512);
        Plan p = new Partitioner().plan(g, List.of(Synthetic.cpu(), Synthetic.npu()), FP16);
        Graph run = p.graph();
        assertEquals(g.inputs(), run.inputs());
        assertEquals(g.outputs(), run.outputs());
        for (String o : g.outputs()) {
            assertEquals(g.type(o), run.type(o), "outputs keep their source type");
        }
        assertTrue(run.isResolved(), run.unresolved().toString());
        for (Node n : run.nodes()) {
            String dev = p.deviceOf(n.name());
            if (dev.equals("npu:0")) {
                for (String in : n.inputs()) {
                    assertEquals(DType.F16, run.type(in).dtype(), n + " on the NPU reads " + in);
                }
            }
        }
        long weights = run.constants().stream().filter(v -> v.constant().type().dtype() == DType.F16).count();
        assertEquals(3, weights, "three matmul weights narrowed once each");
        // Steps: every kernel node of the graph once, in an order that respects its inputs.
        List<String> kernels = p.steps().stream().filter(s -> s.kind() == Step.Kind.KERNEL).map(Step::node).toList();
        assertEquals(run.nodes().size(), kernels.size());
        for (int i = 1; i < p.steps().size(); i++) {
            assertTrue(p.steps().get(i).end() >= p.steps().get(i).start());
        }
        double last = p.steps().stream().mapToDouble(Step::end).max().orElseThrow();
        assertEquals(p.estimatedSeconds(), last, 1e-15, "the estimate is when the last step ends");
    }

    @Test
    void explainAndDotShowRegionsNodesAndCrossings() {
        Plan p = new Partitioner().plan(Synthetic.chain(6, 64, 512), List.of(Synthetic.cpu(), Synthetic.npu()), FP16);
        String e = p.explain();
        for (String s : new String[] {"regions (", "npu:0", "fp16", "nodes", "est", "in ", "out ", "transfers (", "conversions (",
                "matmul (MatMul) -> npu:0 fp16", "cheapest", "best single device", "search: exact"}) {
            assertTrue(e.contains(s), "explain lacks '" + s + "':\n" + e);
        }
        String dot = p.toDot();
        assertTrue(dot.startsWith("digraph") && dot.contains("subgraph cluster_0") && dot.contains("color=red"), dot);
        assertTrue(p.estimatedSeconds() <= p.singleDeviceSeconds());
    }

    @Test
    void aPlanIsImmutable() {
        Plan p = new Partitioner().plan(Synthetic.chain(3, 8, 64), List.of(Synthetic.cpu(), Synthetic.npu()), FP16);
        assertThrows(UnsupportedOperationException.class, () -> p.regions().clear());
        assertThrows(UnsupportedOperationException.class, () -> p.steps().clear());
        assertThrows(UnsupportedOperationException.class, () -> p.placements().clear());
        assertThrows(UnsupportedOperationException.class, () -> p.transfers().clear());
        assertThrows(UnsupportedOperationException.class, () -> p.regions().get(0).nodes().clear());
        assertThrows(dev.accel.hal.InvalidArgumentException.class, () -> p.deviceOf("nope"));
    }

    @Test
    void fusedNodesStayTogether() {
        GraphBuilder b = new GraphBuilder("fused");
        String x = b.input("x", DType.F32, 64, 512);
        String w = b.constant("w", Constant.splat(TensorType.of(DType.F32, 512, 512), 0.01));
        String m = b.op(new MatMul(), x, w);
        b.output(b.op(Unary.of(Unary.Kind.SIGMOID), m));
        Graph g = b.build();
        GraphBuilder fb = g.toBuilder();
        fb.replaceNode(fb.node("matmul").annotated("fusion.group", "matmul"));
        fb.replaceNode(fb.node("sigmoid").annotated("fusion.group", "matmul"));
        // The NPU has no Sigmoid: fused with it, the MatMul cannot go there either.
        Plan p = new Partitioner().plan(fb.build(), List.of(Synthetic.cpu(), Synthetic.npu()), FP16);
        assertEquals("cpu:0", p.placements().get("matmul").device(), p.explain());
        Plan apart = new Partitioner().plan(g, List.of(Synthetic.cpu(), Synthetic.npu()), FP16);
        assertEquals("npu:0", apart.placements().get("matmul").device(), apart.explain());
    }
}
