package dev.accel.benchmarks;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a one-node ONNX model in code (ModelProto bytes, IR version 8, default-domain opset 17),
 * written with {@link ProtoWriter} so that the benchmarks need no ONNX library. Graph inputs and
 * outputs have fixed shapes; constant operands (a convolution's weights, a quantized matmul's zero
 * points) are initializers, as they are in a real model, so ONNX Runtime may pre-pack them.
 *
 * <p>Field numbers are those of onnx.proto: ModelProto (ir_version 1, producer_name 2, graph 7,
 * opset_import 8), GraphProto (node 1, name 2, initializer 5, input 11, output 12), NodeProto
 * (input 1, output 2, name 3, op_type 4, attribute 5), AttributeProto (name 1, f 2, i 3, ints 8,
 * type 20), TensorProto (dims 1, data_type 2, name 8, raw_data 9), ValueInfoProto (name 1,
 * type 2), TypeProto (tensor_type 1), TypeProto.Tensor (elem_type 1, shape 2), TensorShapeProto
 * (dim 1), Dimension (dim_value 1).
 */
final class OnnxModel {
    /** ONNX TensorProto.DataType codes. */
    static final int FLOAT = 1;
    static final int UINT8 = 2;
    static final int INT8 = 3;
    static final int INT32 = 6;

    private static final int ATTR_INT = 2;
    private static final int ATTR_INTS = 7;

    private final String opType;
    private final List<ProtoWriter> attributes = new ArrayList<>();
    private final List<String> nodeInputs = new ArrayList<>();
    private final List<ProtoWriter> inputs = new ArrayList<>();
    private final List<ProtoWriter> initializers = new ArrayList<>();
    private ProtoWriter output;
    private String outputName;

    /** A model whose single node runs {@code opType} (default domain). */
    OnnxModel(String opType) {
        this.opType = opType;
    }

    /** Adds a graph input feeding the node's next input. */
    OnnxModel input(String name, int elemType, long... dims) {
        nodeInputs.add(name);
        inputs.add(valueInfo(name, elemType, dims));
        return this;
    }

    /** Adds an initializer (a constant with raw little-endian data) feeding the node's next input. */
    OnnxModel initializer(String name, int elemType, byte[] raw, long... dims) {
        nodeInputs.add(name);
        ProtoWriter t = new ProtoWriter();
        for (long d : dims) {
            t.varint(1, d);
        }
        t.varint(2, elemType).string(8, name).bytes(9, raw);
        initializers.add(t);
        return this;
    }

    /** Float32 data as raw little-endian bytes. */
    static byte[] raw(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    /** The node's output, which is also the graph's. */
    OnnxModel output(String name, int elemType, long... dims) {
        output = valueInfo(name, elemType, dims);
        outputName = name;
        return this;
    }

    /** An integer attribute. */
    OnnxModel attribute(String name, long value) {
        attributes.add(new ProtoWriter().string(1, name).varint(3, value).varint(20, ATTR_INT));
        return this;
    }

    /** An integer-list attribute. */
    OnnxModel attribute(String name, long... values) {
        ProtoWriter a = new ProtoWriter().string(1, name);
        for (long v : values) {
            a.varint(8, v);
        }
        attributes.add(a.varint(20, ATTR_INTS));
        return this;
    }

    /** The serialized ModelProto. */
    byte[] toBytes() {
        if (output == null) {
            throw new IllegalStateException("OnnxModel " + opType + ": no output declared");
        }
        ProtoWriter node = new ProtoWriter();
        for (String in : nodeInputs) {
            node.string(1, in);
        }
        node.string(2, outputName).string(3, opType.toLowerCase(java.util.Locale.ROOT) + "0").string(4, opType);
        for (ProtoWriter a : attributes) {
            node.message(5, a);
        }
        ProtoWriter graph = new ProtoWriter().message(1, node).string(2, "bench_" + opType);
        for (ProtoWriter t : initializers) {
            graph.message(5, t);
        }
        for (ProtoWriter in : inputs) {
            graph.message(11, in);
        }
        graph.message(12, output);
        ProtoWriter opset = new ProtoWriter().string(1, "").varint(2, 17);
        return new ProtoWriter().varint(1, 8).string(2, "accel-benchmarks").message(7, graph).message(8, opset).toByteArray();
    }

    private static ProtoWriter valueInfo(String name, int elemType, long... dims) {
        ProtoWriter shape = new ProtoWriter();
        for (long d : dims) {
            shape.message(1, new ProtoWriter().varint(1, d));
        }
        ProtoWriter tensor = new ProtoWriter().varint(1, elemType).message(2, shape);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensor));
    }
}
