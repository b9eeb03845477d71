package dev.accel.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphBuilderTest {
    private static final Unary RELU = Unary.of(Unary.Kind.RELU);

    @Test
    void infersTypesThroughAChainAndExposesSpecs() {
        GraphBuilder b = new GraphBuilder("mlp");
        String x = b.input("x", DType.F32, 4, 8);
        String w = b.constant("w", Constant.splat(TensorType.of(DType.F32, 8, 3), 0.5));
        String y = b.op(new MatMul(), x, w);
        String r = b.op(RELU, y);
        b.output(r);
        Graph g = b.build();
        assertEquals(ValueType.of(DType.F32, 4, 3), g.type(r));
        Node mm = g.producer(y).orElseThrow();
        OpSpec spec = g.spec(mm);
        assertEquals(List.of(TensorType.of(DType.F32, 4, 8), TensorType.of(DType.F32, 8, 3)), spec.inputs());
        assertEquals(List.of(g.producer(r).orElseThrow()), g.consumers(y));
        assertTrue(g.isResolved());
    }

    @Test
    void ordersNodesTopologicallyWhateverTheInsertionOrder() {
        GraphBuilder b = new GraphBuilder("g");
        b.input("x", DType.F32, 2);
        b.node(new Node("second", new KernelOp(RELU), List.of("a"), List.of("b")));
        b.node(new Node("first", new KernelOp(RELU), List.of("x"), List.of("a")));
        b.node(new Node("third", new KernelOp(new Binary(Binary.Kind.ADD)), List.of("a", "b"), List.of("c")));
        b.output("c");
        List<String> order = b.build().nodes().stream().map(Node::name).toList();
        assertEquals(List.of("first", "second", "third"), order);
    }

    @Test
    void reportsCyclesWithTheirNodes() {
        GraphBuilder b = new GraphBuilder("g");
        b.input("x", DType.F32, 2);
        b.node(new Node("p", new KernelOp(new Binary(Binary.Kind.ADD)), List.of("x", "b"), List.of("a")));
        b.node(new Node("q", new KernelOp(RELU), List.of("a"), List.of("b")));
        b.output("b");
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, b::build);
        assertTrue(e.getMessage().contains("cycle") && e.getMessage().contains("p") && e.getMessage().contains("q"), e.getMessage());
    }

    @Test
    void reportsUndefinedAndDoublyDefinedValues() {
        GraphBuilder b = new GraphBuilder("g");
        b.input("x", DType.F32, 2);
        b.node(new Node("n", new KernelOp(RELU), List.of("nowhere"), List.of("y")));
        b.output("y");
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, b::build);
        assertTrue(e.getMessage().contains("'nowhere' (read by node 'n')"), e.getMessage());

        GraphBuilder d = new GraphBuilder("g");
        d.input("x", DType.F32, 2);
        d.node(new Node("n1", new KernelOp(RELU), List.of("x"), List.of("y")));
        d.node(new Node("n2", new KernelOp(RELU), List.of("x"), List.of("y")));
        d.output("y");
        e = assertThrows(InvalidArgumentException.class, d::build);
        assertTrue(e.getMessage().contains("'y' is defined twice"), e.getMessage());
    }

    @Test
    void shapeErrorsNameTheNodeAndTheTypes() {
        GraphBuilder b = new GraphBuilder("g");
        String x = b.input("x", DType.F32, 2, 3);
        String y = b.input("y", DType.F32, 4, 5);
        b.node(new Node("mm", new KernelOp(new MatMul()), List.of(x, y), List.of("z")));
        b.output("z");
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, b::build);
        assertTrue(e.getMessage().contains("node 'mm' (MatMul)") && e.getMessage().contains("float32[2, 3]"), e.getMessage());
    }

    @Test
    void symbolicBatchFlowsThroughConvolutionAndBinds() {
        GraphBuilder b = new GraphBuilder("cnn");
        String x = b.input("x", DType.F32, "N", 3, 32, 32);
        String w = b.constant("w", Constant.splat(TensorType.of(DType.F32, 8, 3, 3, 3), 0.1));
        String y = b.op(Conv2d.of(2, 1, 1), x, w);
        b.output(y);
        Graph g = b.build();
        assertEquals(SymShape.parse("N", 8, 16, 16), g.type(y).shape());
        assertFalse(g.isResolved());
        assertEquals(List.of("N"), List.copyOf(g.symbols()));
        Graph bound = g.bind(Map.of("N", 5));
        assertEquals(new TensorType(DType.F32, Shape.of(5, 8, 16, 16)), bound.type(y).toTensorType());
        assertTrue(bound.isResolved());
    }

    @Test
    void multiplesOfASymbolAreDerivedDimensions() {
        GraphBuilder b = new GraphBuilder("g");
        String x = b.input("x", DType.F32, "N", 4);
        String y = b.op(new dev.accel.hal.op.Concat(0), x, x);
        b.output(y);
        Dim d = b.build().type(y).shape().dim(0);
        assertTrue(d.isSymbolic() && d.symbol().startsWith("?") && d.symbol().contains("2*N"), d.toString());
    }

    @Test
    void specOfAGraphLevelNodeIsRefused() {
        GraphBuilder b = new GraphBuilder("g");
        String x = b.input("x", DType.F32, 2, 3);
        String s = b.op(GraphOp.ShapeOf.all(), x);
        b.output(s);
        Graph g = b.build();
        assertEquals(ValueType.of(DType.I64, 2), g.type(s));
        assertThrows(InvalidArgumentException.class, () -> g.spec(g.producer(s).orElseThrow()));
        assertEquals(1, g.unresolved().size());
    }

    @Test
    void subgraphsTakeTheirBoundaryAsInputsAndOutputs() {
        GraphBuilder b = new GraphBuilder("g");
        String x = b.input("x", DType.F32, 4);
        String k = b.constant("k", Constant.splat(TensorType.of(DType.F32, 4), 2));
        b.node(new Node("a", new KernelOp(new Binary(Binary.Kind.MUL)), List.of(x, k), List.of("va")));
        b.node(new Node("r", new KernelOp(RELU), List.of("va"), List.of("vr")));
        b.node(new Node("t", new KernelOp(Unary.of(Unary.Kind.TANH)), List.of("vr"), List.of("vt")));
        b.node(new Node("s", new KernelOp(new Binary(Binary.Kind.ADD)), List.of("vr", "va"), List.of("vs")));
        b.output("vt", "vs");
        Graph g = b.build();
        Graph mid = g.subgraph("mid", List.of("r", "t"));
        assertEquals(List.of("va"), mid.inputs());
        assertEquals(List.of("vr", "vt"), mid.outputs(), "vr is read by s outside, vt is a graph output");
        Graph head = g.subgraph("head", List.of("a"));
        assertEquals(List.of(x), head.inputs());
        assertTrue(head.constant(k) != null, "constants stay constants");
        assertThrows(InvalidArgumentException.class, () -> g.subgraph("none", List.of("nope")));
    }
}
