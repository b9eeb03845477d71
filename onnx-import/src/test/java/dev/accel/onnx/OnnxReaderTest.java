package dev.accel.onnx;

import static dev.accel.onnx.Protos.f32;
import static dev.accel.onnx.Protos.i;
import static dev.accel.onnx.Protos.ints;
import static dev.accel.onnx.Protos.node;
import static dev.accel.onnx.Protos.of;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.graph.Graph;
import dev.accel.graph.Node;
import dev.accel.graph.Passes;
import dev.accel.graph.SymShape;
import dev.accel.hal.DType;
import dev.accel.hal.ModelFormatException;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.Softmax;
import dev.accel.onnx.proto.Onnx.GraphProto;
import dev.accel.onnx.proto.Onnx.ModelProto;
import dev.accel.onnx.proto.Onnx.StringStringEntryProto;
import dev.accel.onnx.proto.Onnx.TensorProto;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxReaderTest {
    private static Graph read(ModelProto m) {
        return OnnxReader.read(m.toByteArray(), null, "test").graph();
    }

    private static <T> T kernelOf(Graph g, Class<T> type) {
        return g.nodes().stream().map(Node::kernel).filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
    }

    @Test
    void autoPadSameUpperAndLowerSplitTheOddPaddingOppositeWays() {
        for (String mode : List.of("SAME_UPPER", "SAME_LOWER")) {
            GraphProto.Builder g = GraphProto.newBuilder().addInput(f32("x", 1, 1, 6, 6))
                    .addInitializer(Protos.floats("w", new long[] {1, 1, 2, 2}, 1, 1, 1, 1))
                    .addNode(node("Conv", "c", of("x", "w"), of("y"), Protos.s("auto_pad", mode), ints("strides", 2, 2)))
                    .addOutput(f32("y", 1, 1, 3, 3));
            Conv2d c = kernelOf(read(Protos.model(11, g)), Conv2d.class);
            // out = ceil(6 / 2) = 3; total pad = (3 - 1) * 2 + 2 - 6 = 0.
            assertEquals(0, c.padTop() + c.padBottom());
            GraphProto.Builder h = GraphProto.newBuilder().addInput(f32("x", 1, 1, 5, 5))
                    .addInitializer(Protos.floats("w", new long[] {1, 1, 2, 2}, 1, 1, 1, 1))
                    .addNode(node("Conv", "c", of("x", "w"), of("y"), Protos.s("auto_pad", mode)))
                    .addOutput(f32("y"));
            Conv2d d = kernelOf(read(Protos.model(11, h)), Conv2d.class);
            // out = 5, total pad = 1: SAME_UPPER puts it at the end, SAME_LOWER at the start.
            int begin = mode.equals("SAME_UPPER") ? 0 : 1;
            assertEquals(List.of(begin, begin, 1 - begin, 1 - begin), List.of(d.padTop(), d.padLeft(), d.padBottom(), d.padRight()), mode);
        }
    }

    @Test
    void oneDimensionalConvolutionAndPoolingUseTheTwoDimensionalKernels() {
        GraphProto.Builder g = GraphProto.newBuilder().addInput(f32("x", "N", 2, 10))
                .addInitializer(Protos.floats("w", new long[] {4, 2, 3}, new float[24]))
                .addNode(node("Conv", "c", of("x", "w"), of("y"), ints("pads", 1, 0), ints("strides", 2), ints("dilations", 2)))
                .addNode(node("MaxPool", "p", of("y"), of("z"), ints("kernel_shape", 2)))
                .addOutput(f32("z"));
        Graph graph = read(Protos.model(12, g));
        assertEquals(SymShape.parse("N", 4, 3), graph.type("z").shape(), "(10 + 1 - 5) / 2 + 1 = 4, pooled by 2 to 3");
        Graph r = Passes.resolve(graph, Map.of("N", 3));
        Conv2d c = kernelOf(r, Conv2d.class);
        assertEquals(new Conv2d(1, 2, 0, 1, 0, 0, 1, 2, 1), c);
        assertEquals(TensorType.of(DType.F32, 4, 2, 1, 3), r.type(r.nodes().stream().filter(n -> n.kernel() instanceof Conv2d)
                .findFirst().orElseThrow().inputs().get(1)).toTensorType());
        Pool2d p = kernelOf(r, Pool2d.class);
        assertEquals(1, p.kernelH());
        assertEquals(2, p.kernelW());
        assertEquals(TensorType.of(DType.F32, 3, 4, 3), r.type("z").toTensorType());
    }

    @Test
    void softmaxBefore13NormalisesFromTheAxisOn() {
        GraphProto.Builder g = GraphProto.newBuilder().addInput(f32("x", 2, 3, 4))
                .addNode(node("Softmax", "s", of("x"), of("y"))).addOutput(f32("y"));
        Graph old = Passes.resolve(read(Protos.model(11, g)), Map.of());
        assertEquals(List.of("Reshape", "Softmax", "Reshape"), old.nodes().stream().map(n -> n.op().name()).toList());
        assertEquals(new Softmax(1), kernelOf(old, Softmax.class));
        assertEquals(TensorType.of(DType.F32, 2, 3, 4), old.type("y").toTensorType());
        Graph now = Passes.resolve(read(Protos.model(13, g)), Map.of());
        assertEquals(List.of(new Softmax(-1)), now.nodes().stream().map(Node::kernel).toList());
    }

    @Test
    void unsupportedModelsListEveryProblemAtOnce() {
        GraphProto.Builder g = GraphProto.newBuilder().addInput(f32("x", 2, 3))
                .addNode(node("Relu", "ok", of("x"), of("a")))
                .addNode(node("Selu", "selu1", of("a"), of("b")))
                .addNode(node("Celu", "downstream", of("b"), of("c")))
                .addNode(node("Gradient", "grad", of("c"), of("d")).toBuilder().setDomain("ai.onnx.preview.training").build())
                .addOutput(f32("d"));
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class, () -> read(Protos.model(14, g)));
        List<String> nodes = e.items().stream().map(UnsupportedModelException.Item::node).toList();
        assertEquals(List.of("selu1", "downstream", "grad"), nodes);
        assertEquals(14, e.items().get(0).opset());
        assertTrue(e.getMessage().contains("Selu node 'selu1' at opset 14") && e.getMessage().contains("ai.onnx.preview.training"),
                e.getMessage());
    }

    @Test
    void opsetsOutsideTheRangeAreNotApplicable() {
        GraphProto.Builder g = GraphProto.newBuilder().addInput(f32("x", 2)).addNode(node("Relu", "r", of("x"), of("y"))).addOutput(f32("y"));
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class, () -> read(Protos.model(5, g)));
        assertTrue(e.getMessage().contains("opset 5 is outside the supported 6 to 25"), e.getMessage());
    }

    @Test
    void externalDataIsReadFromTheModelFolderOnly(@TempDir Path dir) throws Exception {
        float[] w = {1, 2, 3, 4, 5, 6};
        byte[] raw = Protos.floats("w", new long[] {6}, w).getRawData().toByteArray();
        byte[] file = new byte[raw.length + 8];
        System.arraycopy(raw, 0, file, 8, raw.length);
        Files.write(dir.resolve("weights.bin"), file);
        TensorProto ext = TensorProto.newBuilder().setName("w").setDataType(1).addDims(6)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin"))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue("8"))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue(String.valueOf(raw.length))).build();
        GraphProto.Builder g = GraphProto.newBuilder().addInput(f32("x", 6)).addInitializer(ext)
                .addNode(node("Add", "a", of("x", "w"), of("y"))).addOutput(f32("y"));
        Files.write(dir.resolve("m.onnx"), Protos.model(13, g).toByteArray());
        Graph graph = OnnxReader.read(dir.resolve("m.onnx")).graph();
        assertEquals(6.0, graph.constant("w").getDouble(5));
        assertEquals(3.0, graph.constant("w").getDouble(2));

        for (String bad : List.of("../weights.bin", "/etc/passwd")) {
            TensorProto escape = ext.toBuilder().setExternalData(0, StringStringEntryProto.newBuilder().setKey("location").setValue(bad)).build();
            GraphProto.Builder h = g.clone().setInitializer(0, escape);
            Files.write(dir.resolve("bad.onnx"), Protos.model(13, h).toByteArray());
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> OnnxReader.read(dir.resolve("bad.onnx")));
            assertTrue(e.getMessage().contains("leaves the model's folder"), e.getMessage());
        }
        TensorProto tooLong = ext.toBuilder().setExternalData(1, StringStringEntryProto.newBuilder().setKey("offset").setValue("16")).build();
        Files.write(dir.resolve("short.onnx"), Protos.model(13, g.clone().setInitializer(0, tooLong)).toByteArray());
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> OnnxReader.read(dir.resolve("short.onnx")));
        assertTrue(e.getMessage().contains("do not fit"), e.getMessage());
    }

    @Test
    void hostileAndBrokenFilesGiveModelFormatErrors() {
        byte[] good = Protos.model(13, GraphProto.newBuilder().addInput(f32("x", 2)).addNode(node("Relu", "r", of("x"), of("y")))
                .addOutput(f32("y"))).toByteArray();
        assertEquals(1, OnnxReader.read(good, null, "good").graph().nodes().size());
        List<byte[]> bad = List.of(new byte[0], java.util.Arrays.copyOf(good, good.length / 2),
                "this is not a model at all, just some text".getBytes(StandardCharsets.UTF_8),
                new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a});
        for (byte[] b : bad) {
            assertThrows(ModelFormatException.class, () -> OnnxReader.read(b, null, "bad"));
        }
        // 2^31 x 2^31 elements over 8 bytes of data: refused before any allocation.
        TensorProto huge = TensorProto.newBuilder().setName("w").setDataType(1).addDims(1L << 31).addDims(1L << 31)
                .setRawData(com.google.protobuf.ByteString.copyFrom(new byte[8])).build();
        GraphProto.Builder g = GraphProto.newBuilder().addInput(f32("x", 2)).addInitializer(huge)
                .addNode(node("Relu", "r", of("x"), of("y"))).addOutput(f32("y"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> read(Protos.model(13, g)));
        assertTrue(e.getMessage().contains("initializer 'w'"), e.getMessage());
        TensorProto lying = TensorProto.newBuilder().setName("w").setDataType(1).addDims(1000)
                .setRawData(com.google.protobuf.ByteString.copyFrom(new byte[8])).build();
        e = assertThrows(ModelFormatException.class, () -> read(Protos.model(13, g.clone().setInitializer(0, lying))));
        assertTrue(e.getMessage().contains("raw_data holds 8 bytes"), e.getMessage());
        GraphProto.Builder cycle = GraphProto.newBuilder().addInput(f32("x", 2))
                .addNode(node("Add", "a", of("x", "c"), of("b"))).addNode(node("Relu", "b", of("b"), of("c"))).addOutput(f32("c"));
        e = assertThrows(ModelFormatException.class, () -> read(Protos.model(13, cycle)));
        assertTrue(e.getMessage().contains("cycle"), e.getMessage());
    }

    @Test
    void legacyAttributeFormsMeetTheSameGraphOps() {
        GraphProto.Builder g = GraphProto.newBuilder().addInput(f32("x", 1, 3, 1, 4))
                .addNode(node("Squeeze", "sq", of("x"), of("a"), ints("axes", 0, 2)))
                .addNode(node("Slice", "sl", of("a"), of("b"), ints("starts", 1), ints("ends", 100), ints("axes", 1)))
                .addNode(node("Pad", "pd", of("b"), of("c"), ints("pads", 0, 1, 0, 0), Protos.s("mode", "edge")))
                .addNode(node("Unsqueeze", "us", of("c"), of("d"), ints("axes", 0)))
                .addOutput(f32("d"));
        Graph r = Passes.resolve(read(Protos.model(9, g)), Map.of());
        assertTrue(r.isResolved(), r.unresolved().toString());
        assertEquals(TensorType.of(DType.F32, 1, 3, 4), r.type("d").toTensorType());
        assertEquals(List.of("Reshape", "Slice", "Pad", "Reshape"), r.nodes().stream().map(n -> n.op().name()).toList());
        GraphProto.Builder gemm = GraphProto.newBuilder().addInput(f32("a", 2, 3)).addInput(f32("b", 4, 3))
                .addInitializer(Protos.floats("c", new long[] {4}, 1, 2, 3, 4))
                .addNode(node("Gemm", "g", of("a", "b", "c"), of("y"), i("transB", 1), i("broadcast", 1))).addOutput(f32("y"));
        assertEquals(TensorType.of(DType.F32, 2, 4), read(Protos.model(6, gemm)).type("y").toTensorType());
    }
}
