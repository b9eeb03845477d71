package dev.accel.partitioner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.graph.Constant;
import dev.accel.graph.Graph;
import dev.accel.graph.GraphBuilder;
import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.Unary;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Crossings between two devices are one copy where either side's buffers are host-addressable:
 * the plan marks them (steps, transfers, explain, DOT), runs them on the right queue, and prices
 * them as one copy, below a read and a write through host memory.
 */
class DirectTransferTest {
    private static final int BATCH = 64;
    private static final int C = 512;
    private static final long BYTES = 4L * BATCH * C;

    /** x -> a (MatMul, pinned to gpu:0) -> b (Relu, pinned to cpu:0) -> c (MatMul, pinned to gpu:0) -> output. */
    private static Graph pingPong() {
        GraphBuilder b = new GraphBuilder("pingpong");
        String x = b.input("x", DType.F32, BATCH, C);
        String w = b.constant("w", Constant.splat(TensorType.of(DType.F32, C, C), 0.01));
        String a = b.op(new MatMul(), x, w);
        String r = b.op(Unary.of(Unary.Kind.RELU), a);
        b.output(b.op(new MatMul(), r, w));
        return b.build();
    }

    /** Pins the graph's three nodes, in order, to {@code a}, {@code b} and {@code a}. */
    private static Preferences pins(Graph g, String a, String b) {
        List<String> n = g.nodes().stream().map(dev.accel.graph.Node::name).toList();
        assertEquals(3, n.size());
        return Preferences.builder().pin(n.get(0), a).pin(n.get(1), b).pin(n.get(2), a).build();
    }

    private static Plan plan(Target cpu, Target gpu) {
        Graph g = pingPong();
        return new Partitioner().plan(g, List.of(cpu, gpu), pins(g, "gpu:0", "cpu:0"));
    }

    @Test
    void aCrossingIsDirectWhereOneSideIsHostAddressableAndCostsOneCopy() {
        Target cpu = Synthetic.cpu();
        Target gpu = Synthetic.gpu();
        assertTrue(cpu.hostAddressable(), "a hand-written target that shares host memory is addressable");
        assertFalse(gpu.hostAddressable());
        Plan direct = plan(cpu, gpu);
        Plan viaHost = plan(cpu.withHostAddressable(false), gpu);
        assertEquals(List.of("gpu:0", "cpu:0", "gpu:0"), direct.regions().stream().map(Region::device).toList(), direct.explain());
        assertEquals(viaHost.regions().stream().map(Region::device).toList(), direct.regions().stream().map(Region::device).toList());

        // gpu -> cpu: the CPU's memory is addressable, so the GPU's transfer queue reads straight into it.
        Transfer down = transfer(direct, "gpu:0", "cpu:0");
        assertTrue(down.direct(), direct.explain());
        assertEquals("direct", down.path());
        Step downStep = copyOf(direct, down.value());
        assertEquals("gpu:0", downStep.device());
        assertTrue(downStep.transferQueue());
        assertEquals("gpu:0", downStep.source());
        assertEquals("cpu:0", downStep.destination());
        assertEquals(CostModel.roofline().readSeconds(gpu, BYTES), down.seconds(), 1e-12, "one read by the GPU");
        assertEquals(down.seconds(), downStep.seconds(), 1e-12);

        // cpu -> gpu: the GPU's memory is not addressable, so its compute queue writes straight from the CPU's.
        Transfer up = transfer(direct, "cpu:0", "gpu:0");
        assertTrue(up.direct());
        Step upStep = copyOf(direct, up.value());
        assertEquals("gpu:0", upStep.device());
        assertFalse(upStep.transferQueue());
        assertEquals("cpu:0", upStep.source());
        assertEquals("gpu:0", upStep.destination());
        assertEquals(CostModel.roofline().writeSeconds(gpu, BYTES), up.seconds(), 1e-12, "one write by the GPU");

        // No staging in host memory for either crossing: the only READ is the graph output's, the only WRITE the input's.
        assertEquals(direct.graph().outputs(), values(direct, Step.Kind.READ), direct.explain());
        assertEquals(List.of("x"), values(direct, Step.Kind.WRITE));
        assertEquals(2, direct.steps().stream().filter(s -> s.kind() == Step.Kind.COPY).count());

        // Through host memory the same crossings are a read plus a write each, and cost more.
        for (String[] pair : new String[][] {{"gpu:0", "cpu:0"}, {"cpu:0", "gpu:0"}}) {
            Transfer d = transfer(direct, pair[0], pair[1]);
            Transfer h = transfer(viaHost, pair[0], pair[1]);
            assertFalse(h.direct());
            assertEquals("via host", h.path());
            Target from = pair[0].equals("gpu:0") ? gpu : cpu;
            Target to = pair[1].equals("gpu:0") ? gpu : cpu;
            double twoCopies = CostModel.roofline().readSeconds(from, BYTES) + CostModel.roofline().writeSeconds(to, BYTES);
            assertEquals(twoCopies, h.seconds(), 1e-12, "a read and a write");
            assertTrue(d.seconds() < h.seconds(), pair[0] + " -> " + pair[1] + ": direct " + d.seconds() + " s, via host "
                    + h.seconds() + " s");
        }
        assertTrue(viaHost.steps().stream().noneMatch(s -> s.kind() == Step.Kind.COPY));
        assertTrue(direct.estimatedSeconds() < viaHost.estimatedSeconds(), direct.estimatedSeconds() + " vs "
                + viaHost.estimatedSeconds());
    }

    @Test
    void explainAndDotShowWhichCrossingsAreDirect() {
        Plan direct = plan(Synthetic.cpu(), Synthetic.gpu());
        String text = direct.explain();
        assertTrue(text.contains("2 direct device to device"), text);
        assertTrue(text.matches("(?s).*gpu:0 -> cpu:0\\s+direct.*"), text);
        assertTrue(text.matches("(?s).*host -> gpu:0\\s+host.*"), "the graph input still crosses from host memory: " + text);
        String dot = direct.toDot();
        assertEquals(2, count(dot, " direct\""), dot);
        assertFalse(dot.contains("via host"), dot);

        Plan viaHost = plan(Synthetic.cpu().withHostAddressable(false), Synthetic.gpu());
        assertFalse(viaHost.explain().contains("direct"), viaHost.explain());
        assertEquals(2, count(viaHost.toDot(), " via host\""), viaHost.toDot());
    }

    @Test
    void twoDevicesNeitherOfWhichIsAddressableCrossThroughTheHost() {
        Target a = Synthetic.gpu();
        Target b = new Target("gpu:1", a.kind(), a.capabilities(), a.profile(), a.memoryBytes(), false);
        Graph g = pingPong();
        Plan plan = new Partitioner().plan(g, List.of(a, b), pins(g, "gpu:0", "gpu:1"));
        assertTrue(plan.transfers().stream().noneMatch(Transfer::direct), plan.explain());
        assertTrue(plan.steps().stream().noneMatch(s -> s.kind() == Step.Kind.COPY));
        assertEquals(3, values(plan, Step.Kind.READ).size(), "each crossing stages in host memory, and so does the output: "
                + values(plan, Step.Kind.READ));
    }

    @Test
    void aCopyStepNamesItsPeer() {
        assertThrows(InvalidArgumentException.class, () -> new Step(Step.Kind.COPY, "cpu:0", null, "x", true, 0, 1));
        assertThrows(InvalidArgumentException.class, () -> new Step(Step.Kind.READ, "cpu:0", null, "x", true, 0, 1, "gpu:0"));
        Step s = new Step(Step.Kind.READ, "cpu:0", null, "x", true, 0, 1);
        assertEquals("cpu:0", s.source());
        assertEquals("cpu:0", s.destination());
    }

    private static Transfer transfer(Plan p, String from, String to) {
        List<Transfer> t = p.transfers().stream().filter(x -> x.from().equals(from) && x.to().equals(to)).toList();
        assertEquals(1, t.size(), "one crossing " + from + " -> " + to + ": " + p.transfers());
        return t.get(0);
    }

    private static Step copyOf(Plan p, String value) {
        return p.steps().stream().filter(s -> s.kind() == Step.Kind.COPY && s.value().equals(value)).findFirst().orElseThrow();
    }

    private static List<String> values(Plan p, Step.Kind kind) {
        return p.steps().stream().filter(s -> s.kind() == kind).map(Step::value).toList();
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
