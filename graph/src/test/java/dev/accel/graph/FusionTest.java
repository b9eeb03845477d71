package dev.accel.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.Unary;
import java.util.List;
import org.junit.jupiter.api.Test;

class FusionTest {
    private static final Binary ADD = new Binary(Binary.Kind.ADD);

    private static List<String> ops(Graph g) {
        return g.nodes().stream().map(n -> n.op().name()).toList();
    }

    @Test
    void channelBiasAddFoldsIntoTheConvolutionAndReluIsMarked() {
        GraphBuilder b = new GraphBuilder("g");
        String x = b.input("x", DType.F32, 1, 2, 4, 4);
        String y = b.op(Conv2d.simple(), x, b.constant("w", Constant.splat(TensorType.of(DType.F32, 3, 2, 1, 1), 1)),
                b.constant("b0", Constant.ofFloats(Shape.of(3), 1, 2, 3)));
        String z = b.op(ADD, y, b.constant("k", Constant.ofFloats(Shape.of(1, 3, 1, 1), 10, 20, 30)));
        String r = b.op(Unary.of(Unary.Kind.RELU), z);
        b.output(r);
        Graph f = new ConvGemmFusion().apply(b.build());
        assertEquals(List.of("Conv", "Relu"), ops(f));
        Node conv = f.nodes().get(0);
        assertArrayEquals(new double[] {11, 22, 33}, RefMath.values(f.constant(conv.inputs().get(2))), 1e-6);
        assertEquals(conv.name(), conv.annotations().get(ConvGemmFusion.GROUP));
        assertEquals(f.nodes().get(1).name(), conv.annotations().get(ConvGemmFusion.ACTIVATION));
        assertEquals(conv.name(), f.nodes().get(1).annotations().get(ConvGemmFusion.GROUP));
        assertEquals(r, f.outputs().get(0));
    }

    @Test
    void aResidualBlocksConvAddAndReluShareAGroupAfterTheShortcut() {
        // relu(conv2(relu(conv1(x))) + shortcut(x)), the shortcut inserted after conv2: the pass moves
        // conv2 after it, so that the group's first node comes after every value the group reads.
        GraphBuilder b = new GraphBuilder("block");
        String x = b.input("x", DType.F32, 1, 4, 5, 5);
        TensorType w = TensorType.of(DType.F32, 4, 4, 1, 1);
        String a = b.op(Unary.of(Unary.Kind.RELU), b.op(Conv2d.simple(), x, b.constant("w1", Constant.splat(w, 0.1))));
        String main = b.op(Conv2d.simple(), a, b.constant("w2", Constant.splat(w, 0.2)));
        String shortcut = b.op(Conv2d.simple(), x, b.constant("w3", Constant.splat(w, 0.3)));
        String sum = b.op(new dev.accel.hal.op.Sum(), main, shortcut);
        b.output(b.op(Unary.of(Unary.Kind.RELU), sum));
        Graph f = new ConvGemmFusion().apply(b.build());
        Node conv2 = f.nodes().stream().filter(n -> n.outputs().contains(main)).findFirst().orElseThrow();
        Node add = f.nodes().stream().filter(n -> n.outputs().contains(sum)).findFirst().orElseThrow();
        Node relu = f.consumers(sum).get(0);
        Node shortcutConv = f.nodes().stream().filter(n -> n.outputs().contains(shortcut)).findFirst().orElseThrow();
        assertEquals(add.name(), conv2.annotations().get(ConvGemmFusion.RESIDUAL));
        assertEquals(relu.name(), conv2.annotations().get(ConvGemmFusion.ACTIVATION));
        for (Node n : List.of(conv2, add, relu)) {
            assertEquals(conv2.name(), n.annotations().get(ConvGemmFusion.GROUP), n.name());
        }
        assertTrue(!shortcutConv.annotations().containsKey(ConvGemmFusion.GROUP), "the shortcut's Conv has no activation");
        assertTrue(f.nodes().indexOf(shortcutConv) < f.nodes().indexOf(conv2), "the shortcut is computed before the group: "
                + ops(f));
        assertEquals(f.nodes().indexOf(conv2) + 1, f.nodes().indexOf(add));
    }

    @Test
    void aResidualOfAnotherTypeOrAConstantIsNoFusion() {
        GraphBuilder b = new GraphBuilder("g");
        String x = b.input("x", DType.F32, 1, 4, 5, 5);
        String y = b.op(Conv2d.simple(), x, b.constant("w", Constant.splat(TensorType.of(DType.F32, 4, 4, 1, 1), 0.1)));
        // A broadcast residual (one value per channel) is not a tensor of the output's type.
        String z = b.op(ADD, y, b.input("z", DType.F32, 1, 4, 1, 1));
        b.output(b.op(Unary.of(Unary.Kind.RELU), z));
        Graph f = new ConvGemmFusion().apply(b.build());
        assertTrue(f.nodes().stream().noneMatch(n -> n.annotations().containsKey(ConvGemmFusion.GROUP)), f.nodes().toString());
    }

    @Test
    void aBiasAlongTheWidthAxisIsNotAChannelBias() {
        GraphBuilder b = new GraphBuilder("g");
        String x = b.input("x", DType.F32, 1, 2, 3, 3);
        String y = b.op(Conv2d.simple(), x, b.constant("w", Constant.splat(TensorType.of(DType.F32, 3, 2, 1, 1), 1)));
        b.output(b.op(ADD, y, b.constant("k", Constant.ofFloats(Shape.of(3), 1, 2, 3))));
        assertEquals(List.of("Conv", "Add"), ops(new ConvGemmFusion().apply(b.build())));
    }

    @Test
    void gemmTakesTheAddAsItsC() {
        GraphBuilder b = new GraphBuilder("g");
        String x = b.input("x", DType.F32, 2, 4);
        String y = b.op(new Gemm(2f, 0.5f, false, true), x, b.constant("w", Constant.splat(TensorType.of(DType.F32, 3, 4), 1)));
        b.output(b.op(ADD, b.constant("c", Constant.ofFloats(Shape.of(3), 1, 2, 3)), y));
        Graph f = new ConvGemmFusion().apply(b.build());
        assertEquals(List.of("Gemm"), ops(f));
        assertEquals(new Gemm(2f, 1f, false, true), f.nodes().get(0).kernel());
        assertEquals(3, f.nodes().get(0).inputs().size());
    }

    @Test
    void matMulPlusAddBecomesGemmOnlyFor2D() {
        GraphBuilder b = new GraphBuilder("g");
        String x = b.input("x", DType.F32, 2, 4);
        String w = b.constant("w", Constant.splat(TensorType.of(DType.F32, 4, 3), 1));
        String y = b.op(new MatMul(), x, w);
        String out = b.op(ADD, y, b.input("c", DType.F32, 2, 3));
        b.output(out);
        Graph f = new MatMulAddToGemm().apply(b.build());
        assertEquals(List.of("Gemm"), ops(f));
        assertEquals(Gemm.plain(), f.nodes().get(0).kernel());
        assertEquals(out, f.nodes().get(0).outputs().get(0));

        GraphBuilder b3 = new GraphBuilder("g3");
        String x3 = b3.input("x", DType.F32, 5, 2, 4);
        String y3 = b3.op(new MatMul(), x3, b3.constant("w", Constant.splat(TensorType.of(DType.F32, 4, 3), 1)));
        b3.output(b3.op(ADD, y3, b3.constant("c", Constant.splat(TensorType.of(DType.F32, 3), 1))));
        Graph g3 = b3.build();
        assertTrue(new MatMulAddToGemm().apply(g3) == g3, "a batched product has no Gemm form");
    }

    @Test
    void identitiesAndDeadNodesGo() {
        GraphBuilder b = new GraphBuilder("g");
        String x = b.input("x", DType.F32, 3);
        String i1 = b.op(new dev.accel.hal.op.Identity(), x);
        String i2 = b.op(new dev.accel.hal.op.Identity(), i1);
        String r = b.op(Unary.of(Unary.Kind.RELU), i2);
        b.op(Unary.of(Unary.Kind.TANH), r);
        b.constant("unused", Constant.ofLongs(1));
        String last = b.op(new dev.accel.hal.op.Identity(), r);
        b.output(last);
        Graph f = Passes.run(b.build(), new DeadNodeElimination(), new IdentityElimination(), new DeadNodeElimination());
        assertEquals(List.of("Relu"), ops(f));
        assertEquals(List.of(x), f.nodes().get(0).inputs());
        assertEquals(List.of(last), f.outputs(), "the graph output keeps its name");
        assertEquals(0, f.constants().size());
    }
}
