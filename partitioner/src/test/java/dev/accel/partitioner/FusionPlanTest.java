package dev.accel.partitioner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.graph.Constant;
import dev.accel.graph.ConvGemmFusion;
import dev.accel.graph.Graph;
import dev.accel.graph.GraphBuilder;
import dev.accel.graph.Node;
import dev.accel.hal.DType;
import dev.accel.hal.DeviceKind;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.FusedConv;
import dev.accel.hal.op.Unary;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A Conv and the activation that alone reads it become one FusedConv node and step where the target runs it natively. */
class FusionPlanTest {
    /** x -> Conv -> Relu -> Conv -> (Sigmoid, and a second reader) -> outputs, the activations marked by ConvGemmFusion. */
    private static Graph graph() {
        GraphBuilder b = new GraphBuilder("fusion");
        String x = b.input("x", DType.F32, 1, 8, 10, 10);
        String w1 = b.constant("w1", Constant.splat(TensorType.of(DType.F32, 16, 8, 3, 3), 0.01));
        String b1 = b.constant("b1", Constant.splat(TensorType.of(DType.F32, 16), -0.5));
        String w2 = b.constant("w2", Constant.splat(TensorType.of(DType.F32, 16, 16, 1, 1), 0.02));
        String relu = b.op(Unary.of(Unary.Kind.RELU), b.op(Conv2d.of(1, 1, 1), x, w1, b1));
        String second = b.op(Conv2d.simple(), relu, w2);
        b.output(b.op(Unary.of(Unary.Kind.SIGMOID), second));
        b.output(b.op(Unary.of(Unary.Kind.TANH), second));
        return new ConvGemmFusion().apply(b.build());
    }

    @Test
    void aMarkedConvAndItsActivationRunAsOneNodeAndOneStep() {
        Graph source = graph();
        Plan p = new Partitioner().plan(source, List.of(Synthetic.cpu()), Preferences.defaults());
        Graph g = p.graph();
        List<Node> fused = g.nodes().stream().filter(n -> n.kernel() instanceof FusedConv).toList();
        assertEquals(1, fused.size(), "only the first Conv has a sole activation reader: " + g.nodes());
        Node n = fused.get(0);
        Node conv = source.nodes().stream().filter(s -> s.kernel() instanceof Conv2d).findFirst().orElseThrow();
        Node relu = source.nodes().stream().filter(s -> s.kernel() instanceof Unary u && u.kind() == Unary.Kind.RELU)
                .findFirst().orElseThrow();
        assertEquals(conv.name(), n.name());
        assertEquals(conv.inputs(), n.inputs());
        assertEquals(relu.outputs(), n.outputs(), "the fused node writes the activation's output");
        FusedConv f = assertInstanceOf(FusedConv.class, n.kernel());
        assertEquals(Unary.Kind.RELU, f.activation().kind());
        assertEquals(relu.name(), n.annotations().get(PlanBuilder.FUSED));
        assertFalse(g.values().containsKey(conv.outputs().get(0)), "the Conv's own output is never written");
        assertTrue(g.nodes().stream().noneMatch(x -> x.name().equals(relu.name())));
        List<String> kernels = p.steps().stream().filter(s -> s.kind() == Step.Kind.KERNEL).map(Step::node).toList();
        assertEquals(g.nodes().size(), kernels.size(), "one step per node of the plan graph: " + kernels);
        assertTrue(kernels.contains(conv.name()) && !kernels.contains(relu.name()), kernels.toString());
        assertEquals(source.outputs(), g.outputs());
        assertEquals("cpu:0", p.deviceOf(relu.name()), "a fused-away node runs where the node that carries it runs");
    }

    @Test
    void aConvWhoseOutputBecameAGraphOutputAfterThePassStaysApart() {
        Graph marked = graph();
        Node conv = marked.nodes().get(0);
        GraphBuilder b = marked.toBuilder();
        List<String> outs = new java.util.ArrayList<>(marked.outputs());
        outs.add(conv.outputs().get(0));
        b.setOutputs(outs);
        Plan p = new Partitioner().plan(b.build(), List.of(Synthetic.cpu()), Preferences.defaults());
        assertTrue(p.graph().nodes().stream().noneMatch(n -> n.kernel() instanceof FusedConv), p.graph().nodes().toString());
        assertTrue(p.graph().values().containsKey(conv.outputs().get(0)));
    }

    @Test
    void aResidualBlockRunsAsOneNodeReadingTheShortcut() {
        GraphBuilder b = new GraphBuilder("block");
        String x = b.input("x", DType.F32, 1, 8, 6, 6);
        TensorType w = TensorType.of(DType.F32, 8, 8, 1, 1);
        String main = b.op(Conv2d.simple(), x, b.constant("w1", Constant.splat(w, 0.1)), b.constant("b1",
                Constant.splat(TensorType.of(DType.F32, 8), 0.5)));
        String shortcut = b.op(Unary.of(Unary.Kind.TANH), x);
        String sum = b.op(new dev.accel.hal.op.Binary(dev.accel.hal.op.Binary.Kind.ADD), shortcut, main);
        String y = b.op(Unary.of(Unary.Kind.RELU), sum);
        b.output(y);
        Graph source = new ConvGemmFusion().apply(b.build());
        Plan p = new Partitioner().plan(source, List.of(Synthetic.cpu()), Preferences.defaults());
        Node n = p.graph().nodes().stream().filter(x2 -> x2.kernel() instanceof FusedConv).findFirst().orElseThrow();
        FusedConv f = (FusedConv) n.kernel();
        assertTrue(f.residual());
        assertEquals(4, n.inputs().size(), n.toString());
        assertEquals(shortcut, n.inputs().get(3), "the residual is the Add's other input");
        assertEquals(List.of(y), n.outputs());
        assertEquals(2, p.graph().nodes().size(), "Tanh and the fused node: " + p.graph().nodes());
        Node add = source.consumers(main).get(0);
        assertEquals("cpu:0", p.deviceOf(add.name()));
        assertEquals("cpu:0", p.deviceOf(source.consumers(sum).get(0).name()));
    }

    @Test
    void aGroupNoDeviceRunsWholeUnderItsPinsRunsAsSingleNodes() {
        // The Conv and its Relu pinned to a device without Add: the residual group splits, the Add runs on the CPU.
        GraphBuilder b = new GraphBuilder("block");
        String x = b.input("x", DType.F32, 1, 8, 6, 6);
        String main = b.op(Conv2d.simple(), x, b.constant("w1", Constant.splat(TensorType.of(DType.F32, 8, 8, 1, 1), 0.1)));
        String sum = b.op(new dev.accel.hal.op.Binary(dev.accel.hal.op.Binary.Kind.ADD), main, x);
        b.output(b.op(Unary.of(Unary.Kind.RELU), sum));
        Graph source = new ConvGemmFusion().apply(b.build());
        Node conv = source.nodes().stream().filter(n -> n.kernel() instanceof Conv2d).findFirst().orElseThrow();
        Node add = source.consumers(main).get(0);
        Node relu = source.consumers(sum).get(0);
        assertEquals(conv.name(), add.annotations().get(ConvGemmFusion.GROUP), "a residual group to split");
        Synthetic.Caps convOnly = new Synthetic.Caps(Set.of("Conv", "Relu"), Set.of(DType.F32), Set.of());
        Target accel = new Target("acc:0", DeviceKind.GPU, convOnly, Synthetic.gpu().profile(), 8L << 30, false);
        Preferences pins = Preferences.builder().pin(conv.name(), "acc:0").pin(relu.name(), "acc:0").build();
        Plan p = new Partitioner().plan(source, List.of(Synthetic.cpu(), accel), pins);
        assertEquals("acc:0", p.deviceOf(conv.name()));
        assertEquals("cpu:0", p.deviceOf(add.name()));
        assertEquals("acc:0", p.deviceOf(relu.name()));
        assertTrue(p.graph().nodes().stream().noneMatch(n -> n.kernel() instanceof FusedConv));
    }

    @Test
    void aTargetWithoutTheFusedKernelRunsTheTwoApart() {
        Synthetic.Caps noFused = new Synthetic.Caps(Set.of("Conv", "Relu", "Sigmoid", "Tanh"), Set.of(DType.F32), Set.of());
        Target t = new Target("cpu:0", DeviceKind.CPU, noFused, Synthetic.cpu().profile(), 16L << 30, true);
        Plan p = new Partitioner().plan(graph(), List.of(t), Preferences.defaults());
        assertTrue(p.graph().nodes().stream().noneMatch(n -> n.kernel() instanceof FusedConv), p.graph().nodes().toString());
        assertEquals(5, p.steps().stream().filter(s -> s.kind() == Step.Kind.KERNEL).count());
    }
}
