package dev.accel.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.Pad;
import dev.accel.hal.op.ReduceMean;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Split;
import dev.accel.hal.op.Unary;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoweringTest {
    private static Op lowerOne(GraphOp op, int[] dims, Constant... params) {
        GraphBuilder b = new GraphBuilder("g");
        String x = b.input("x", DType.F32, (Object[]) java.util.Arrays.stream(dims).boxed().toArray(Integer[]::new));
        String[] in = new String[params.length + 1];
        in[0] = x;
        for (int i = 0; i < params.length; i++) {
            in[i + 1] = params[i] == null ? "" : b.constant("p" + i, params[i]);
        }
        List<String> outs = b.ops(op, in);
        b.output(outs.toArray(String[]::new));
        Graph g = new Lowering().apply(b.build());
        return g.nodes().get(0).kernel();
    }

    @Test
    void reshapeLikeOpsResolveTheirTargets() {
        assertEquals(new Reshape(Shape.of(2, 12)), lowerOne(new GraphOp.Reshape(false), new int[] {2, 3, 4}, Constant.ofLongs(0, -1)));
        assertEquals(new Reshape(Shape.of(0, 4)), lowerOne(new GraphOp.Reshape(true), new int[] {0, 3, 4}, Constant.ofLongs(0, 4)));
        assertEquals(new Reshape(Shape.of(6, 4)), lowerOne(new GraphOp.Flatten(-1), new int[] {2, 3, 4}));
        assertEquals(new Reshape(Shape.of(3, 4)), lowerOne(new GraphOp.Squeeze(), new int[] {1, 3, 1, 4}));
        assertEquals(new Reshape(Shape.of(3, 1, 4)), lowerOne(new GraphOp.Squeeze(), new int[] {1, 3, 1, 4}, Constant.ofLongs(0)));
        assertEquals(new Reshape(Shape.of(1, 3, 4, 1)), lowerOne(new GraphOp.Unsqueeze(), new int[] {3, 4}, Constant.ofLongs(-1, 0)));
    }

    @Test
    void parameterTensorsBecomeAttributes() {
        assertEquals(new Slice(List.of(1), List.of(Integer.MAX_VALUE), List.of(1), List.of()),
                lowerOne(new GraphOp.Slice(), new int[] {2, 3}, Constant.ofLongs(1), Constant.ofLongs(Long.MAX_VALUE), Constant.ofLongs(1)));
        assertEquals(new Pad(Pad.Mode.REFLECT, List.of(0, 1, 0, 2), 0f),
                lowerOne(new GraphOp.Pad(Pad.Mode.REFLECT), new int[] {2, 3}, Constant.ofLongs(0, 1, 0, 2)));
        assertEquals(new Pad(Pad.Mode.CONSTANT, List.of(0, 1, 0, 0), 2.5f), lowerOne(new GraphOp.Pad(Pad.Mode.CONSTANT), new int[] {2, 3},
                Constant.ofLongs(1, 0), Constant.ofFloats(Shape.scalar(), 2.5f), Constant.ofLongs(1)));
        assertEquals(Unary.clip(Float.NEGATIVE_INFINITY, 6f), lowerOne(new GraphOp.Clip(), new int[] {4}, null,
                Constant.ofFloats(Shape.scalar(), 6f)));
        assertEquals(new Split(1, List.of(3, 3, 1)), lowerOne(new GraphOp.Split(1, 3), new int[] {2, 7}));
        assertEquals(new ReduceMean(List.of(), true), lowerOne(new GraphOp.ReduceMean(true, false), new int[] {2, 7}));
        assertEquals(new Identity(), lowerOne(new GraphOp.ReduceMean(true, true), new int[] {2, 7}));
        assertEquals(new Binary(Binary.Kind.ADD), lowerOne(new GraphOp.Expand(), new int[] {3, 1}, Constant.ofLongs(2, 1, 4)));
    }

    @Test
    void negativePadsAreRefusedWithTheReason() {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> lowerOne(new GraphOp.Pad(Pad.Mode.CONSTANT), new int[] {4}, Constant.ofLongs(-1, 0)));
        assertEquals(true, e.getMessage().contains("negative pads"), e.getMessage());
    }

    @Test
    void symbolicDataStaysUnloweredUntilBound() {
        GraphBuilder b = new GraphBuilder("g");
        String x = b.input("x", DType.F32, "N", 3);
        b.output(b.op(new GraphOp.Unsqueeze(), x, b.constant("a", Constant.ofLongs(1))));
        Graph g = b.build();
        assertEquals(SymShape.parse("N", 1, 3), g.type(g.outputs().get(0)).shape());
        assertEquals(true, new Lowering().apply(g) == g);
        Graph r = Passes.resolve(g, Map.of("N", 2));
        assertEquals(new Reshape(Shape.of(2, 1, 3)), r.nodes().get(0).kernel());
    }
}
