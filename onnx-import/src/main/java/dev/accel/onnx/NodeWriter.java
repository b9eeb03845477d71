package dev.accel.onnx;

import com.google.protobuf.ByteString;
import dev.accel.graph.Constant;
import dev.accel.graph.Graph;
import dev.accel.graph.GraphOp;
import dev.accel.graph.KernelOp;
import dev.accel.graph.Node;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Attention;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.ConvInteger;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.FusedConv;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.GlobalAveragePool;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.Lrn;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.Pad;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.hal.op.ReduceMean;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Softmax;
import dev.accel.hal.op.Split;
import dev.accel.hal.op.Sum;
import dev.accel.hal.op.Transpose;
import dev.accel.hal.op.Unary;
import dev.accel.onnx.proto.Onnx.AttributeProto;
import dev.accel.onnx.proto.Onnx.GraphProto;
import dev.accel.onnx.proto.Onnx.NodeProto;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Writes one graph node as ONNX nodes at a given opset (17, 20 or 23), parameters as initializers. */
final class NodeWriter {
    private final Graph graph;
    private final GraphProto.Builder out;
    private final long opset;
    private int counter;

    NodeWriter(Graph graph, GraphProto.Builder out, long opset) {
        this.graph = graph;
        this.out = out;
        this.opset = opset;
    }

    /** The opset a graph needs: 17, or 20 with Gelu, or 23 with Attention. */
    static long opsetFor(Graph g) {
        long v = 17;
        for (Node n : g.nodes()) {
            if (n.kernel() instanceof Unary u && (u.kind() == Unary.Kind.GELU || u.kind() == Unary.Kind.GELU_TANH)) {
                v = Math.max(v, 20);
            }
            if (n.kernel() instanceof Attention) {
                v = Math.max(v, 23);
            }
            if (n.op() instanceof GraphOp.ReduceMean) {
                v = Math.max(v, 18);
            }
            if (n.kernel() instanceof Pool2d p && p.kind() == Pool2d.PoolKind.AVERAGE && (p.dilationH() != 1 || p.dilationW() != 1)) {
                v = Math.max(v, 19);
            }
        }
        return v;
    }

    void write(Node n) {
        List<String> in = new ArrayList<>(n.inputs());
        switch (n.op()) {
            case KernelOp k -> kernel(n, k.op(), in);
            case GraphOp g -> graphOp(n, g, in);
        }
    }

    private void kernel(Node n, Op op, List<String> in) {
        switch (op) {
            case MatMul m -> emit(n, "MatMul", in);
            case Gemm g -> emit(n, "Gemm", in, f("alpha", g.alpha()), f("beta", g.beta()), i("transA", g.transA() ? 1 : 0),
                    i("transB", g.transB() ? 1 : 0));
            case Conv2d c -> emit(n, "Conv", in, conv(c, in.get(1)));
            case ConvInteger c -> emit(n, "ConvInteger", in, conv(c.geometry(), in.get(1)));
            case QLinearConv c -> emit(n, "QLinearConv", in, conv(c.geometry(), in.get(3)));
            case FusedConv f -> {
                // ONNX has no fused form: the convolution into a value of its own, the residual Add
                // where there is one, then the activation.
                List<String> convIn = new ArrayList<>(in.subList(0, in.size() - (f.residual() ? 1 : 0)));
                String mid = freshValue(n.name() + "__conv");
                emit(new Node(n.name(), new KernelOp(f.conv()), convIn, List.of(mid), n.annotations()), "Conv", convIn,
                        conv(f.conv(), in.get(1)));
                if (f.residual()) {
                    String sum = freshValue(n.name() + "__add");
                    List<String> addIn = List.of(mid, in.get(in.size() - 1));
                    emit(new Node(n.name() + "__residual", new KernelOp(new Binary(Binary.Kind.ADD)), addIn, List.of(sum),
                            n.annotations()), "Add", addIn);
                    mid = sum;
                }
                unary(new Node(n.name() + "__activation", new KernelOp(f.activation()), List.of(mid), n.outputs(),
                        n.annotations()), f.activation(), new ArrayList<>(List.of(mid)));
            }
            case Pool2d p -> {
                List<AttributeProto> a = new ArrayList<>(List.of(ints("kernel_shape", p.kernelH(), p.kernelW()),
                        ints("strides", p.strideH(), p.strideW()), ints("pads", p.padTop(), p.padLeft(), p.padBottom(), p.padRight()),
                        i("ceil_mode", p.ceilMode() ? 1 : 0)));
                if (p.kind() == Pool2d.PoolKind.AVERAGE) {
                    a.add(i("count_include_pad", p.countIncludePad() ? 1 : 0));
                }
                if (p.kind() == Pool2d.PoolKind.MAX || opset >= 19) {
                    a.add(ints("dilations", p.dilationH(), p.dilationW()));
                }
                emit(n, p.kind() == Pool2d.PoolKind.MAX ? "MaxPool" : "AveragePool", in, a.toArray(AttributeProto[]::new));
            }
            case GlobalAveragePool g -> emit(n, "GlobalAveragePool", in);
            case BatchNorm b -> emit(n, "BatchNormalization", in, f("epsilon", b.epsilon()));
            case LayerNorm l -> emit(n, "LayerNormalization", in, i("axis", l.axis()), f("epsilon", l.epsilon()));
            case Lrn l -> emit(n, "LRN", in, i("size", l.size()), f("alpha", l.alpha()), f("beta", l.beta()), f("bias", l.bias()));
            case Softmax s -> emit(n, "Softmax", in, i("axis", s.axis()));
            case ReduceMean r -> {
                long[] axes = r.axes().stream().mapToLong(Integer::longValue).toArray();
                if (opset >= 18) {
                    if (axes.length > 0) {
                        in.add(longs(n, axes));
                    }
                    emit(n, "ReduceMean", in, i("keepdims", r.keepDims() ? 1 : 0));
                } else if (axes.length > 0) {
                    emit(n, "ReduceMean", in, i("keepdims", r.keepDims() ? 1 : 0), ints("axes", axes));
                } else {
                    emit(n, "ReduceMean", in, i("keepdims", r.keepDims() ? 1 : 0));
                }
            }
            case Identity x -> emit(n, "Identity", in);
            case Sum s -> emit(n, "Sum", in);
            case Binary b -> emit(n, b.kind().onnxName(), in);
            case Unary u -> unary(n, u, in);
            case Transpose t -> emit(n, "Transpose", in, t.perm().isEmpty() ? new AttributeProto[0]
                    : new AttributeProto[] {ints("perm", t.perm().stream().mapToLong(Integer::longValue).toArray())});
            case Reshape r -> {
                in.add(longs(n, java.util.Arrays.stream(r.shape().dims()).asLongStream().toArray()));
                emit(n, "Reshape", in);
            }
            case Concat c -> emit(n, "Concat", in, i("axis", c.axis()));
            case Slice s -> {
                in.add(longs(n, s.starts()));
                in.add(longs(n, s.ends()));
                if (!s.axes().isEmpty() || !s.steps().isEmpty()) {
                    in.add(s.axes().isEmpty() ? longs(n, range(s.starts().size())) : longs(n, s.axes()));
                }
                if (!s.steps().isEmpty()) {
                    in.add(longs(n, s.steps()));
                }
                emit(n, "Slice", in);
            }
            case Split s -> {
                in.add(longs(n, s.sizes()));
                emit(n, "Split", in, i("axis", s.axis()));
            }
            case Pad p -> {
                in.add(longs(n, p.pads()));
                // The output's type: the input may be a value only this writer made (a FusedConv's).
                TensorType xt = graph.type(n.outputs().get(0)).toTensorType();
                in.add(constant(n, Constant.ofDoubles(xt.dtype(), Shape.scalar(), p.value())));
                emit(n, "Pad", in, s("mode", p.mode().name().toLowerCase(java.util.Locale.ROOT)));
            }
            case Attention a -> {
                List<AttributeProto> attrs = new ArrayList<>();
                attrs.add(i("is_causal", a.causal() ? 1 : 0));
                if (!Float.isNaN(a.scale())) {
                    attrs.add(f("scale", a.scale()));
                }
                emit(n, "Attention", in, attrs.toArray(AttributeProto[]::new));
            }
            case QuantizeLinear q -> emit(n, "QuantizeLinear", in, i("axis", q.axis()));
            case DequantizeLinear d -> emit(n, "DequantizeLinear", in, i("axis", d.axis()));
            case MatMulInteger m -> emit(n, "MatMulInteger", in);
            case QLinearMatMul m -> emit(n, "QLinearMatMul", in);
            case Cast c -> emit(n, "Cast", in, i("to", OnnxTypes.code(c.to())));
        }
    }

    private void unary(Node n, Unary u, List<String> in) {
        switch (u.kind()) {
            case LEAKY_RELU -> emit(n, "LeakyRelu", in, f("alpha", u.alpha()));
            case HARD_SIGMOID -> emit(n, "HardSigmoid", in, f("alpha", u.alpha()), f("beta", u.beta()));
            case GELU -> emit(n, "Gelu", in, s("approximate", "none"));
            case GELU_TANH -> emit(n, "Gelu", in, s("approximate", "tanh"));
            case CLIP -> {
                // The output's type: the input may be a value only this writer made (a FusedConv's).
                TensorType xt = graph.type(n.outputs().get(0)).toTensorType();
                in.add(Float.isInfinite(u.alpha()) ? "" : constant(n, Constant.ofDoubles(xt.dtype(), Shape.scalar(), u.alpha())));
                if (!Float.isInfinite(u.beta())) {
                    in.add(constant(n, Constant.ofDoubles(xt.dtype(), Shape.scalar(), u.beta())));
                }
                emit(n, "Clip", in);
            }
            default -> emit(n, u.kind().onnxName(), in);
        }
    }

    private void graphOp(Node n, GraphOp g, List<String> in) {
        switch (g) {
            case GraphOp.ShapeOf s -> {
                List<AttributeProto> a = new ArrayList<>();
                if (s.start() != 0) {
                    a.add(i("start", s.start()));
                }
                if (s.end() != Integer.MAX_VALUE) {
                    a.add(i("end", s.end()));
                }
                emit(n, "Shape", in, a.toArray(AttributeProto[]::new));
            }
            case GraphOp.Gather x -> emit(n, "Gather", in, i("axis", x.axis()));
            case GraphOp.ConstantOfShape c -> emit(n, "ConstantOfShape", in, AttributeProto.newBuilder().setName("value")
                    .setType(AttributeProto.AttributeType.TENSOR)
                    .setT(OnnxTensors.toProto("value", Constant.ofDoubles(c.dtype(), Shape.of(1), c.value()))).build());
            case GraphOp.Reshape r -> emit(n, "Reshape", in, r.allowZero() ? new AttributeProto[] {i("allowzero", 1)} : new AttributeProto[0]);
            case GraphOp.Flatten f -> emit(n, "Flatten", in, i("axis", f.axis()));
            case GraphOp.Squeeze s -> emit(n, "Squeeze", in);
            case GraphOp.Unsqueeze u -> emit(n, "Unsqueeze", in);
            case GraphOp.Slice s -> emit(n, "Slice", in);
            case GraphOp.Pad p -> emit(n, "Pad", in, s("mode", p.mode().name().toLowerCase(java.util.Locale.ROOT)));
            case GraphOp.Clip c -> emit(n, "Clip", in);
            case GraphOp.Split s -> {
                boolean sizes = in.size() > 1 && !in.get(1).isEmpty();
                if (opset >= 18 && !sizes) {
                    emit(n, "Split", in, i("axis", s.axis()), i("num_outputs", s.outputs()));
                } else {
                    emit(n, "Split", in, i("axis", s.axis()));
                }
            }
            case GraphOp.ReduceMean r -> emit(n, "ReduceMean", in, i("keepdims", r.keepDims() ? 1 : 0),
                    i("noop_with_empty_axes", r.noopWithEmptyAxes() ? 1 : 0));
            case GraphOp.Expand e -> emit(n, "Expand", in);
        }
    }

    private AttributeProto[] conv(Conv2d c, String w) {
        Shape ws = graph.type(w).toTensorType().shape();
        return new AttributeProto[] {ints("kernel_shape", ws.dim(2), ws.dim(3)), ints("strides", c.strideH(), c.strideW()),
            ints("pads", c.padTop(), c.padLeft(), c.padBottom(), c.padRight()), ints("dilations", c.dilationH(), c.dilationW()),
            i("group", c.groups())};
    }

    private void emit(Node n, String opType, List<String> in, AttributeProto... attrs) {
        NodeProto.Builder b = NodeProto.newBuilder().setName(n.name()).setOpType(opType).addAllInput(in).addAllOutput(n.outputs());
        for (AttributeProto a : attrs) {
            b.addAttribute(a);
        }
        out.addNode(b);
    }

    private String longs(Node n, long... v) {
        return constant(n, Constant.ofLongs(v));
    }

    private String longs(Node n, List<Integer> v) {
        return longs(n, v.stream().mapToLong(Integer::longValue).toArray());
    }

    private static long[] range(int k) {
        long[] r = new long[k];
        for (int i = 0; i < k; i++) {
            r[i] = i;
        }
        return r;
    }

    /** A value name starting with {@code base} that the graph does not use and this writer has not made. */
    private String freshValue(String base) {
        String name;
        do {
            name = base + (counter++);
        } while (graph.values().containsKey(name));
        return name;
    }

    private String constant(Node n, Constant c) {
        String name = freshValue(n.name() + "__param");
        out.addInitializer(OnnxTensors.toProto(name, c));
        return name;
    }

    private static AttributeProto i(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static AttributeProto f(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    private static AttributeProto s(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFrom(v, StandardCharsets.UTF_8)).build();
    }

    private static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            b.addInts(x);
        }
        return b.build();
    }
}
