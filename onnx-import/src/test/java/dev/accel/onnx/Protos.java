package dev.accel.onnx;

import com.google.protobuf.ByteString;
import dev.accel.onnx.proto.Onnx.AttributeProto;
import dev.accel.onnx.proto.Onnx.GraphProto;
import dev.accel.onnx.proto.Onnx.ModelProto;
import dev.accel.onnx.proto.Onnx.NodeProto;
import dev.accel.onnx.proto.Onnx.OperatorSetIdProto;
import dev.accel.onnx.proto.Onnx.TensorProto;
import dev.accel.onnx.proto.Onnx.TensorShapeProto;
import dev.accel.onnx.proto.Onnx.TypeProto;
import dev.accel.onnx.proto.Onnx.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Terse builders for hand-made ONNX protos in tests. */
final class Protos {
    private Protos() {
    }

    static ModelProto model(long opset, GraphProto.Builder g) {
        return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(g).build();
    }

    /** A tensor value info; dims are numbers or symbol names; no dims leaves the shape unknown. */
    static ValueInfoProto value(String name, int elemType, Object... dims) {
        if (dims.length == 0) {
            return ValueInfoProto.newBuilder().setName(name)
                    .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType))).build();
        }
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            if (d instanceof Integer i) {
                s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(i));
            } else {
                s.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam((String) d));
            }
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(s))).build();
    }

    static ValueInfoProto f32(String name, Object... dims) {
        return value(name, 1, dims);
    }

    static NodeProto node(String op, String name, String[] in, String[] out, AttributeProto... attrs) {
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(op).setName(name);
        for (String s : in) {
            b.addInput(s);
        }
        for (String s : out) {
            b.addOutput(s);
        }
        for (AttributeProto a : attrs) {
            b.addAttribute(a);
        }
        return b.build();
    }

    static String[] of(String... s) {
        return s;
    }

    static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            b.addInts(x);
        }
        return b.build();
    }

    static AttributeProto i(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static AttributeProto s(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFrom(v, StandardCharsets.UTF_8)).build();
    }

    static TensorProto floats(String name, long[] dims, float... v) {
        ByteBuffer bb = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            bb.putFloat(f);
        }
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(1).setRawData(ByteString.copyFrom(bb.array()));
        for (long d : dims) {
            b.addDims(d);
        }
        return b.build();
    }

    static TensorProto longs(String name, long... v) {
        return TensorProto.newBuilder().setName(name).setDataType(7).addDims(v.length)
                .addAllInt64Data(java.util.Arrays.stream(v).boxed().toList()).build();
    }
}
