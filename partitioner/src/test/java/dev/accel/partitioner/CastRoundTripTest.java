package dev.accel.partitioner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.graph.Graph;
import dev.accel.graph.GraphBuilder;
import dev.accel.hal.DType;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.Unary;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Conversions only where a tensor changes dtype: a chain run in float16 on a float16-only device
 * gets one conversion in and one out, never one pair per op; no plan of many random graphs over a
 * CPU, a GPU and an NPU converts a conversion, converts one value twice to one dtype, or wraps a
 * single op in a round trip on one device. The check itself catches the naive per-op wrapping.
 */
class CastRoundTripTest {
    @Test
    void aChainOnAFloat16DeviceConvertsOnceAtEachBoundary() {
        for (int n : new int[] {2, 5, 12}) {
            Graph g = Synthetic.chain(n, 64, 512);
            Plan p = new Partitioner().plan(g, List.of(Synthetic.cpu(), Synthetic.npu()),
                    Preferences.builder().precision(Precision.FP16).pin(g.nodes().get(0).name(), "npu")
                            .pin(g.nodes().get(n - 1).name(), "npu").build());
            for (var pl : p.placements().values()) {
                assertEquals("npu:0", pl.device(), p.explain());
            }
            assertEquals(2, p.conversions().size(), "one conversion into float16, one back: " + p.conversions());
            assertEquals(List.of(), RoundTripCheck.violations(p));
        }
    }

    @Test
    void noPlanOfRandomGraphsHasAWastefulConversion() {
        Random r = new Random(7);
        int conversions = 0;
        for (int i = 0; i < 60; i++) {
            Graph g = Synthetic.randomDag(r, 4 + r.nextInt(20));
            Plan p = new Partitioner().plan(g, List.of(Synthetic.cpu(), Synthetic.gpu(), Synthetic.npu()),
                    Preferences.builder().precision(Precision.FP16).build());
            conversions += p.conversions().size();
            assertEquals(List.of(), RoundTripCheck.violations(p), p.explain());
            for (Conversion c : p.conversions()) {
                assertTrue(c.from() != c.to(), c.toString());
            }
        }
        assertTrue(conversions > 0, "some plans mix precisions, so the check saw conversions");
    }

    @Test
    void theCheckCatchesPerOpWrapping() {
        GraphBuilder b = new GraphBuilder("naive");
        String x = b.input("x", DType.F32, 4, 8);
        String v = x;
        for (int i = 0; i < 3; i++) {
            String h = b.op(new Cast(DType.F16), v);
            String y = b.op(Unary.of(Unary.Kind.RELU), h);
            v = b.op(new Cast(DType.F32), y);
        }
        b.output(v);
        Graph naive = b.build();
        List<String> found = RoundTripCheck.violations(naive, node -> "gpu:0", (node, dtype) -> 1e-6);
        assertEquals(3 + 2, found.size(), found.toString());
        assertFalse(found.stream().noneMatch(s -> s.contains("wrapped in a round trip")), found.toString());
    }
}
