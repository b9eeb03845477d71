package dev.accel.partitioner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.graph.Graph;
import dev.accel.graph.GraphBuilder;
import dev.accel.hal.DType;
import dev.accel.hal.DeviceKind;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.OutOfDeviceMemoryException;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.Unary;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Pins, forbidden devices, memory budgets, the precision policy and device order. */
class ConstraintsTest {
    private static final Preferences FP16 = Preferences.builder().precision(Precision.FP16).build();

    private static Plan plan(Graph g, Preferences p, Target... t) {
        return new Partitioner().plan(g, List.of(t), p);
    }

    @Test
    void withoutConstraintsTheHeavyChainGoesToTheNpu() {
        Plan p = plan(Synthetic.chain(6, 64, 512), FP16, Synthetic.cpu(), Synthetic.npu());
        assertEquals("npu:0", p.placements().get("matmul").device());
        assertEquals(Precision.FP16, p.placements().get("matmul").precision());
    }

    @Test
    void aPinWinsOverTheCostAndIsExplained() {
        Graph g = Synthetic.chain(6, 64, 512);
        Plan p = plan(g, FP16.toBuilder().pin("matmul_2", "cpu").build(), Synthetic.cpu(), Synthetic.npu());
        NodePlacement m = p.placements().get("matmul_2");
        assertEquals("cpu:0", m.device());
        assertTrue(m.why().contains("pinned to cpu:0"), m.why());
        assertTrue(p.explain().contains("pinned to cpu:0"));
        // The others stay on the NPU: pinning one node does not drag the rest.
        assertEquals("npu:0", p.placements().get("matmul").device());
    }

    @Test
    void badPinsAndForbiddenDevicesAreErrorsThatSayWhy() {
        Graph g = Synthetic.chain(4, 8, 64);
        InvalidArgumentException noNode = assertThrows(InvalidArgumentException.class,
                () -> plan(g, Preferences.builder().pin("nope", "cpu").build(), Synthetic.cpu()));
        assertTrue(noNode.getMessage().contains("no node named 'nope'"), noNode.getMessage());
        InvalidArgumentException forbidden = assertThrows(InvalidArgumentException.class,
                () -> plan(g, Preferences.builder().pin("relu", "npu").forbid("npu").build(), Synthetic.cpu(), Synthetic.npu()));
        assertTrue(forbidden.getMessage().contains("also forbid"), forbidden.getMessage());
        InvalidArgumentException all = assertThrows(InvalidArgumentException.class,
                () -> plan(g, Preferences.builder().forbid("cpu", "npu").build(), Synthetic.cpu(), Synthetic.npu()));
        assertTrue(all.getMessage().contains("every device is forbidden"), all.getMessage());
        InvalidArgumentException budget = assertThrows(InvalidArgumentException.class,
                () -> plan(g, Preferences.builder().memoryBudget("tpu", 1).build(), Synthetic.cpu()));
        assertTrue(budget.getMessage().contains("names no device"), budget.getMessage());
        UnsupportedOpException pinnedWhereItCannotRun = assertThrows(UnsupportedOpException.class,
                () -> plan(g, FP16.toBuilder().pin("relu", "npu").build(), Synthetic.cpu(),
                        new Target("npu:0", DeviceKind.NPU, new Synthetic.Caps(Set.of("MatMul"), Set.of(DType.F16), Set.of()),
                                Synthetic.profile(0, 1e12, 1e10, 1e-5, 1e9, 1e-5), 1L << 30, false)));
        assertTrue(pinnedWhereItCannotRun.getMessage().contains("no Relu"), pinnedWhereItCannotRun.getMessage());
    }

    @Test
    void forbiddenDevicesAreNeverUsedAndSaySo() {
        Plan p = plan(Synthetic.chain(6, 64, 512), FP16.toBuilder().forbid("npu:0").build(), Synthetic.cpu(), Synthetic.npu());
        for (NodePlacement n : p.placements().values()) {
            assertEquals("cpu:0", n.device());
            assertTrue(n.claims().stream().filter(c -> c.target().equals("npu:0") && c.runnable())
                    .allMatch(c -> !c.allowed() && c.note().contains("forbidden")), n.claims().toString());
        }
        assertTrue(p.explain().contains("forbidden by the preferences"));
    }

    @Test
    void theFp32PolicyKeepsNodesOffAFloat16OnlyDevice() {
        Plan p = plan(Synthetic.chain(6, 64, 512), Preferences.defaults(), Synthetic.cpu(), Synthetic.npu());
        assertTrue(p.placements().values().stream().allMatch(n -> n.device().equals("cpu:0") && n.precision() == Precision.FP32));
        assertEquals(0, p.conversions().size());
    }

    @Test
    void aMemoryBudgetMovesWeightsElsewhere() {
        Graph g = Synthetic.chain(6, 64, 512);
        // Three float16 weights of 512 KiB each do not fit in 1 MiB.
        Plan p = plan(g, FP16.toBuilder().memoryBudget("npu", 1L << 20).build(), Synthetic.cpu(), Synthetic.npu());
        long onNpu = p.placements().values().stream().filter(n -> n.op().equals("MatMul") && n.device().equals("npu:0")).count();
        assertTrue(onNpu <= 1, p.explain());
        assertTrue(p.estimatedMemory().get("npu:0") <= 1L << 20, p.estimatedMemory().toString());
        assertTrue(p.estimatedSeconds() >= plan(g, FP16, Synthetic.cpu(), Synthetic.npu()).estimatedSeconds());
        OutOfDeviceMemoryException e = assertThrows(OutOfDeviceMemoryException.class,
                () -> plan(g, FP16.toBuilder().memoryBudget("npu", 1000).memoryBudget("cpu", 1000).build(), Synthetic.cpu(),
                        Synthetic.npu()));
        assertTrue(e.getMessage().contains("memory budgets"), e.getMessage());
    }

    @Test
    void aNodeNoDeviceRunsIsNamedWithEachDevicesReason() {
        GraphBuilder b = new GraphBuilder("gelu");
        b.output(b.op(Unary.of(Unary.Kind.GELU), b.input("x", DType.F32, 4, 4)));
        Target noGelu = new Target("gpu:0", DeviceKind.GPU, new Synthetic.Caps(Set.of("Relu"), Set.of(DType.F32), Set.of()),
                Synthetic.profile(1e12, 0, 1e11, 1e-5, 1e10, 1e-5), 1L << 30, false);
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class,
                () -> plan(b.build(), FP16, noGelu, Synthetic.npu()));
        assertTrue(e.getMessage().contains("gpu:0") && e.getMessage().contains("npu:0") && e.getMessage().contains("no Gelu"),
                e.getMessage());
    }

    @Test
    void deviceOrderBreaksTiesBetweenEqualDevices() {
        Target a = new Target("gpu:0", DeviceKind.GPU, Synthetic.gpu().capabilities(), Synthetic.gpu().profile(), 8L << 30, false);
        Target b = new Target("gpu:1", DeviceKind.GPU, Synthetic.gpu().capabilities(), Synthetic.gpu().profile(), 8L << 30, false);
        Graph g = Synthetic.chain(4, 64, 512);
        Plan first = plan(g, Preferences.builder().prefer("gpu:1").build(), a, b);
        Plan second = plan(g, Preferences.builder().prefer("gpu:0").build(), a, b);
        assertTrue(first.placements().values().stream().allMatch(n -> n.device().equals("gpu:1")), first.explain());
        assertTrue(second.placements().values().stream().allMatch(n -> n.device().equals("gpu:0")), second.explain());
        assertEquals(first.estimatedSeconds(), second.estimatedSeconds(), 1e-15);
        assertNotEquals(first.placements().get("matmul").device(), second.placements().get("matmul").device());
    }
}
