package dev.accel.onnx;

import dev.accel.graph.Constant;
import dev.accel.graph.Dim;
import dev.accel.graph.Graph;
import dev.accel.graph.Node;
import dev.accel.graph.Value;
import dev.accel.graph.ValueType;
import dev.accel.onnx.proto.Onnx.AttributeProto;
import dev.accel.onnx.proto.Onnx.GraphProto;
import dev.accel.onnx.proto.Onnx.ModelProto;
import dev.accel.onnx.proto.Onnx.NodeProto;
import dev.accel.onnx.proto.Onnx.OperatorSetIdProto;
import dev.accel.onnx.proto.Onnx.TensorShapeProto;
import dev.accel.onnx.proto.Onnx.TypeProto;
import dev.accel.onnx.proto.Onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes graphs as ONNX models (default domain, opset 17, or 20 / 23 when Gelu / Attention need
 * it): graphs built in code, or rewritten ones such as a light model given random weights. Kernel
 * parameters that ONNX passes as tensors (Reshape targets, Slice bounds, Pad amounts) become
 * initializers. Splat constants of more than {@value #SPLAT_AS_NODE} elements are written as
 * {@code ConstantOfShape} nodes, keeping constant-weight models small; other constants are
 * initializers holding raw data. The output reads back to an equivalent graph with
 * {@link OnnxReader}.
 */
public final class OnnxWriter {
    /** Splat constants larger than this are written as ConstantOfShape nodes. */
    public static final long SPLAT_AS_NODE = 16;

    private OnnxWriter() {
    }

    /** The model as protobuf bytes. */
    public static byte[] toBytes(Graph g) {
        return toProto(g).toByteArray();
    }

    /** Writes the model to a file. */
    public static void write(Graph g, Path file) throws IOException {
        Files.write(file, toBytes(g));
    }

    static ModelProto toProto(Graph g) {
        long opset = NodeWriter.opsetFor(g);
        long ir = opset <= 17 ? 8 : opset <= 19 ? 9 : opset <= 21 ? 10 : 11;
        GraphProto.Builder gb = GraphProto.newBuilder().setName(g.name());
        for (String i : g.inputs()) {
            gb.addInput(valueInfo(i, g.type(i)));
        }
        for (Value v : g.constants()) {
            Constant c = v.constant();
            if (c.isSplat() && c.numel() > SPLAT_AS_NODE) {
                String shape = v.name() + "__shape";
                gb.addInitializer(OnnxTensors.toProto(shape, Constant.ofLongs(
                        java.util.Arrays.stream(c.type().shape().dims()).asLongStream().toArray())));
                gb.addNode(NodeProto.newBuilder().setName(v.name() + "__fill").setOpType("ConstantOfShape").addInput(shape)
                        .addOutput(v.name()).addAttribute(AttributeProto.newBuilder().setName("value")
                                .setType(AttributeProto.AttributeType.TENSOR)
                                .setT(OnnxTensors.toProto("value", Constant.ofDoubles(c.type().dtype(), dev.accel.hal.Shape.of(1),
                                        c.splatValue())))));
            } else {
                gb.addInitializer(OnnxTensors.toProto(v.name(), c));
            }
        }
        NodeWriter w = new NodeWriter(g, gb, opset);
        for (Node n : g.nodes()) {
            w.write(n);
        }
        for (String o : g.outputs()) {
            gb.addOutput(valueInfo(o, g.type(o)));
        }
        return ModelProto.newBuilder().setIrVersion(ir).setProducerName("accel").setProducerVersion("0.1")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(gb).build();
    }

    private static ValueInfoProto valueInfo(String name, ValueType t) {
        TypeProto.Tensor.Builder tb = TypeProto.Tensor.newBuilder().setElemType(OnnxTypes.code(t.dtype()));
        if (t.shape().isKnown()) {
            TensorShapeProto.Builder sb = TensorShapeProto.newBuilder();
            for (Dim d : t.shape().dims()) {
                TensorShapeProto.Dimension.Builder db = TensorShapeProto.Dimension.newBuilder();
                if (!d.isSymbolic()) {
                    db.setDimValue(d.value());
                } else if (!d.symbol().startsWith("?")) {
                    db.setDimParam(d.symbol());
                }
                sb.addDim(db);
            }
            tb.setShape(sb);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tb)).build();
    }
}
