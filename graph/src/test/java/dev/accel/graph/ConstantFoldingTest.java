package dev.accel.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.Reshape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConstantFoldingTest {
    /** The flatten pattern exporters write: Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])). */
    private static Graph flattenThenGemm() {
        GraphBuilder b = new GraphBuilder("flatten");
        String x = b.input("x", DType.F32, "N", 2, 3, 4);
        String shape = b.op(GraphOp.ShapeOf.all(), x);
        String n = b.op(new GraphOp.Gather(0), shape, b.constant("zero", Constant.ofLongs(Shape.scalar(), 0)));
        String n1 = b.op(new GraphOp.Unsqueeze(), n, b.constant("axes", Constant.ofLongs(0)));
        String target = b.op(new Concat(0), n1, b.constant("minus1", Constant.ofLongs(-1)));
        String flat = b.op(new GraphOp.Reshape(false), x, target);
        String w = b.constant("w", Constant.splat(TensorType.of(DType.F32, 24, 5), 0.5));
        b.output(b.op(Gemm.plain(), flat, w));
        return b.build();
    }

    @Test
    void shapeArithmeticFoldsOnceTheBatchIsBound() {
        Graph g = flattenThenGemm();
        Graph unbound = new ConstantFolding().apply(g);
        assertFalse(unbound.isResolved(), "Shape of a symbolic input cannot fold");
        Graph r = Passes.resolve(g, Map.of("N", 7));
        assertTrue(r.isResolved(), r.unresolved().toString());
        assertEquals(List.of("Reshape", "Gemm"), r.nodes().stream().map(nd -> nd.op().name()).toList());
        Node reshape = r.nodes().get(0);
        assertEquals(new Reshape(Shape.of(7, 24)), reshape.kernel());
        assertEquals(TensorType.of(DType.F32, 7, 5), r.type(r.outputs().get(0)).toTensorType());
    }

    @Test
    void constantOfShapeFoldsToAnUnallocatedSplat() {
        GraphBuilder b = new GraphBuilder("g");
        String x = b.input("x", DType.F32, 1, 4);
        String dims = b.op(new Binary(Binary.Kind.MUL), b.constant("d", Constant.ofLongs(4, 1000)),
                b.constant("k", Constant.ofLongs(1, 1000)));
        String w = b.op(new GraphOp.ConstantOfShape(DType.F32, 0.125), dims);
        b.output(b.op(new dev.accel.hal.op.MatMul(), x, w));
        Graph f = new ConstantFolding().apply(b.build());
        assertEquals(1, f.nodes().size());
        Constant c = f.constant(w);
        assertTrue(c.isSplat());
        assertEquals(TensorType.of(DType.F32, 4, 1_000_000), c.type());
        assertEquals(0.125, c.getDouble(3_999_999));
    }

    @Test
    void nothingToFoldReturnsTheSameGraph() {
        GraphBuilder b = new GraphBuilder("g");
        String x = b.input("x", DType.F32, 2);
        b.output(b.op(dev.accel.hal.op.Unary.of(dev.accel.hal.op.Unary.Kind.RELU), x));
        Graph g = b.build();
        assertTrue(new ConstantFolding().apply(g) == g);
    }
}
