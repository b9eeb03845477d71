package dev.accel.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.graph.Constant;
import dev.accel.graph.Graph;
import dev.accel.graph.GraphBuilder;
import dev.accel.graph.Node;
import dev.accel.graph.Passes;
import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Attention;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.FusedConv;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.Pad;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.ReduceMean;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Softmax;
import dev.accel.hal.op.Split;
import dev.accel.hal.op.Transpose;
import dev.accel.hal.op.Unary;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OnnxWriterTest {
    private static List<Op> kernels(Graph g) {
        return g.nodes().stream().map(Node::kernel).toList();
    }

    @Test
    void aGraphBuiltInCodeReadsBackToTheSameKernels() {
        GraphBuilder b = new GraphBuilder("zoo");
        String x = b.input("x", DType.F32, 1, 4, 8, 8);
        String w = b.constant("w", Constant.ofDoubles(DType.F32, Shape.of(6, 2, 3, 3), new double[108]));
        String y = b.op(new Conv2d(1, 2, 1, 0, 1, 2, 1, 1, 2), x, w);
        TensorType vec = TensorType.of(DType.F32, 6);
        y = b.op(new BatchNorm(1e-3f), y, b.constant("s", Constant.splat(vec, 1)), b.constant("t", Constant.splat(vec, 0)),
                b.constant("m", Constant.splat(vec, 0)), b.constant("v", Constant.splat(vec, 1)));
        y = b.op(new Pool2d(Pool2d.PoolKind.AVERAGE, 2, 2, 2, 2, 0, 0, 1, 1, 1, 1, true, true), y);
        y = b.op(Unary.leakyRelu(0.2f), y);
        y = b.op(new Pad(Pad.Mode.REFLECT, List.of(0, 0, 1, 1, 0, 0, 1, 1), 0f), y);
        List<String> parts = b.ops(new dev.accel.graph.KernelOp(new Split(1, List.of(2, 4))), y);
        y = b.op(new Concat(1), parts.get(1), parts.get(0));
        y = b.op(new Slice(List.of(1), List.of(-1), List.of(2), List.of()), y);
        y = b.op(new Transpose(List.of(0, 2, 3, 1)), y);
        y = b.op(new ReduceMean(List.of(1), false), y);
        y = b.op(new Reshape(Shape.of(1, 24)), y);
        y = b.op(new Gemm(0.5f, 1f, false, true), y, b.constant("fw", Constant.splat(TensorType.of(DType.F32, 10, 24), 0.1)),
                b.constant("fb", Constant.ofFloats(Shape.of(10), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)));
        y = b.op(Unary.clip(Float.NEGATIVE_INFINITY, 6f), y);
        y = b.op(new LayerNorm(-1, 1e-5f), y, b.constant("g", Constant.splat(TensorType.of(DType.F32, 10), 1)));
        y = b.op(Unary.of(Unary.Kind.GELU_TANH), y);
        y = b.op(new Softmax(-1), y);
        b.output(y);
        Graph g = b.build();

        Graph back = Passes.resolve(OnnxReader.read(OnnxWriter.toBytes(g), null, "zoo").graph(), Map.of());
        assertEquals(kernels(g), kernels(back));
        for (Node n : g.nodes()) {
            for (String o : n.outputs()) {
                assertEquals(g.type(o), back.type(o), o);
            }
        }
        assertEquals(10.0, back.constant("fb").getDouble(9));
        assertTrue(back.constant("fw").isSplat(), "large splats travel as ConstantOfShape and fold back to splats");
    }

    @Test
    void aFusedConvWritesAsTheConvAndItsActivation() {
        // A plan graph's fused node: ONNX has no such operator, so it goes out as the two it came from.
        GraphBuilder b = new GraphBuilder("fused");
        String x = b.input("x", DType.F32, 1, 3, 6, 6);
        String w = b.constant("w", Constant.splat(TensorType.of(DType.F32, 4, 3, 3, 3), 0.1));
        String y = b.op(new FusedConv(Conv2d.of(1, 1, 1), Unary.clip(0f, 6f)), x, w);
        b.output(b.op(new FusedConv(Conv2d.simple(), Unary.of(Unary.Kind.RELU)), y,
                b.constant("w2", Constant.splat(TensorType.of(DType.F32, 2, 4, 1, 1), -0.1))));
        Graph g = b.build();
        Graph back = Passes.resolve(OnnxReader.read(OnnxWriter.toBytes(g), null, "fused").graph(), Map.of());
        assertEquals(List.of(Conv2d.of(1, 1, 1), Unary.clip(0f, 6f), Conv2d.simple(), Unary.of(Unary.Kind.RELU)), kernels(back));
        assertEquals(g.outputs(), back.outputs());
        assertEquals(g.type(g.outputs().get(0)), back.type(back.outputs().get(0)));
        assertEquals(y, back.nodes().get(1).outputs().get(0), "the activation writes the fused node's output");

        // With a residual: Conv, Add, activation.
        b = new GraphBuilder("residual");
        x = b.input("x", DType.F32, 1, 3, 6, 6);
        String z = b.input("z", DType.F32, 1, 4, 6, 6);
        b.output(b.op(new FusedConv(Conv2d.of(1, 1, 1), Unary.of(Unary.Kind.RELU), true), x,
                b.constant("w", Constant.splat(TensorType.of(DType.F32, 4, 3, 3, 3), 0.1)), z));
        g = b.build();
        back = Passes.resolve(OnnxReader.read(OnnxWriter.toBytes(g), null, "residual").graph(), Map.of());
        assertEquals(List.of(Conv2d.of(1, 1, 1), new Binary(Binary.Kind.ADD), Unary.of(Unary.Kind.RELU)), kernels(back));
        assertEquals(z, back.nodes().get(1).inputs().get(1));
        assertEquals(g.outputs(), back.outputs());
    }

    @Test
    void attentionAndSymbolicInputsSurvive(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        GraphBuilder b = new GraphBuilder("attn");
        String q = b.input("q", DType.F32, "B", 2, 5, 8);
        String k = b.input("k", DType.F32, "B", 2, 7, 8);
        String mask = b.input("mask", DType.BOOL, 5, 7);
        String y = b.op(new Attention(0.25f, true), q, k, k, mask);
        b.output(b.op(new Binary(Binary.Kind.MUL), y, y));
        Graph g = b.build();
        Path f = dir.resolve("attn.onnx");
        OnnxWriter.write(g, f);
        OnnxModel m = OnnxReader.read(f);
        assertEquals(23, m.opset());
        assertEquals(g.type(q), m.graph().type(q));
        assertEquals(kernels(g), kernels(m.graph()));
        assertEquals(g.type(g.outputs().get(0)), m.graph().type(m.graph().outputs().get(0)));
    }

    @Test
    void randomWeightsAreSeededAndKeepTheGraph() {
        GraphBuilder b = new GraphBuilder("fc");
        String x = b.input("x", DType.F32, 1, 16);
        b.output(b.op(new Gemm(1f, 1f, false, true), x, b.constant("w", Constant.splat(TensorType.of(DType.F32, 4, 16), 0.5)),
                b.constant("c", Constant.splat(TensorType.of(DType.F32, 4), 0))));
        Graph g = b.build();
        Graph r1 = ModelRewrites.randomWeights(g, 9);
        Graph r2 = ModelRewrites.randomWeights(g, 9);
        Graph r3 = ModelRewrites.randomWeights(g, 10);
        Constant w1 = r1.constant("w");
        assertTrue(!w1.isSplat());
        double bound = Math.sqrt(6.0 / 16);
        for (long i = 0; i < w1.numel(); i++) {
            assertEquals(w1.getDouble(i), r2.constant("w").getDouble(i));
            assertTrue(Math.abs(w1.getDouble(i)) <= bound);
        }
        assertTrue(w1.getDouble(0) != r3.constant("w").getDouble(0));
        assertEquals(kernels(g), kernels(r1));
    }
}
