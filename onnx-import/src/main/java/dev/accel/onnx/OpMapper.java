package dev.accel.onnx;

import dev.accel.graph.Constant;
import dev.accel.graph.GraphOp;
import dev.accel.graph.KernelOp;
import dev.accel.graph.ValueType;
import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.Lrn;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.Softmax;
import dev.accel.hal.op.Sum;
import dev.accel.hal.op.Transpose;
import dev.accel.hal.op.Unary;
import dev.accel.onnx.proto.Onnx.NodeProto;
import dev.accel.onnx.proto.Onnx.TensorProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Maps one ONNX node (default domain, opsets 6 to 25) onto graph nodes, with each operator's
 * attribute defaults per opset. Attribute-form parameters of old opsets (Squeeze axes, Slice
 * starts, Pad pads, ...) become constant inputs, so both forms meet the same graph-level ops.
 */
final class OpMapper {
    /** The ONNX operators accel imports. */
    static final Set<String> SUPPORTED = Set.of("Conv", "ConvInteger", "QLinearConv", "MaxPool", "AveragePool",
            "GlobalAveragePool", "BatchNormalization", "LayerNormalization", "LRN", "Softmax", "ReduceMean", "Identity",
            "Dropout", "Sum", "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "PRelu", "Relu", "LeakyRelu", "Sigmoid", "Tanh",
            "Gelu", "Erf", "Sqrt", "Exp", "Clip", "HardSigmoid", "HardSwish", "Neg", "Abs", "Reciprocal", "MatMul", "Gemm",
            "Transpose", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Concat", "Slice", "Split", "Pad", "Attention",
            "QuantizeLinear", "DequantizeLinear", "MatMulInteger", "QLinearMatMul", "Cast", "Constant", "ConstantOfShape",
            "Shape", "Gather", "Expand");

    private OpMapper() {
    }

    static void map(Importer c, NodeProto n) {
        Attrs a = new Attrs(n, "node '" + c.node + "' (" + c.opType + ")");
        List<String> in = n.getInputList();
        List<String> out = n.getOutputList();
        if (out.isEmpty()) {
            throw c.malformed("the node has no outputs");
        }
        String y = out.get(0);
        switch (c.opType) {
            case "Conv", "ConvInteger", "QLinearConv" -> ConvPoolMapper.conv(c, n, a);
            case "MaxPool", "AveragePool" -> ConvPoolMapper.pool(c, n, a);
            case "GlobalAveragePool" -> ConvPoolMapper.globalAveragePool(c, n);
            case "BatchNormalization" -> {
                if (c.opset < 9 && a.getInt("spatial", 1) == 0) {
                    throw c.unsupported("BatchNormalization with spatial = 0 (per-element statistics) is outside the op set");
                }
                if (a.getInt("training_mode", 0) != 0 || c.used(out, 1) || c.used(out, 2) || c.used(out, 3) || c.used(out, 4)) {
                    throw c.unsupported("BatchNormalization in training mode (running statistics outputs) is outside the op set");
                }
                c.emitTo(y, new BatchNorm(a.getFloat("epsilon", 1e-5f)), in.toArray(String[]::new));
            }
            case "LayerNormalization" -> {
                if (c.used(out, 1) || c.used(out, 2)) {
                    throw c.unsupported("LayerNormalization's Mean and InvStdDev outputs are outside the op set");
                }
                c.emitTo(y, new LayerNorm(a.getIntAsInt("axis", -1), a.getFloat("epsilon", 1e-5f)), in.toArray(String[]::new));
            }
            case "LRN" -> {
                if (!a.has("size")) {
                    throw c.malformed("LRN needs the size attribute");
                }
                c.emitTo(y, new Lrn(a.getIntAsInt("size", 1), a.getFloat("alpha", 1e-4f), a.getFloat("beta", 0.75f),
                        a.getFloat("bias", 1f)), in.get(0));
            }
            case "Softmax" -> softmax(c, a, in.get(0), y);
            case "ReduceMean" -> {
                boolean keep = a.getInt("keepdims", 1) != 0;
                if (c.opset < 18) {
                    long[] axes = a.getInts("axes");
                    String ax = axes == null ? "" : c.longs("axes", axes);
                    c.emitTo(y, new GraphOp.ReduceMean(keep, false), in.get(0), ax);
                } else {
                    c.emitTo(y, new GraphOp.ReduceMean(keep, a.getInt("noop_with_empty_axes", 0) != 0), in.toArray(String[]::new));
                }
            }
            case "Identity" -> c.emitTo(y, new Identity(), in.get(0));
            case "Dropout" -> {
                if (c.used(out, 1)) {
                    throw c.unsupported("Dropout's mask output is outside the op set");
                }
                if (Importer.present(in, 2)) {
                    Constant t = c.constantOf(in.get(2));
                    if (t == null || t.getDouble(0) != 0) {
                        throw c.unsupported("Dropout in training mode is outside the op set (inference only)");
                    }
                }
                c.emitTo(y, new Identity(), in.get(0));
            }
            case "Sum" -> c.emitTo(y, new Sum(), in.toArray(String[]::new));
            case "Add", "Sub", "Mul", "Div", "Pow" -> binary(c, a, in, y);
            case "Max", "Min" -> {
                Binary.Kind k = c.opType.equals("Max") ? Binary.Kind.MAX : Binary.Kind.MIN;
                if (in.size() == 1) {
                    c.emitTo(y, new Identity(), in.get(0));
                    return;
                }
                String acc = in.get(0);
                for (int i = 1; i < in.size() - 1; i++) {
                    acc = c.emit1(new KernelOp(new Binary(k)), acc, in.get(i));
                }
                c.emitTo(y, new Binary(k), acc, in.get(in.size() - 1));
            }
            case "PRelu" -> prelu(c, in, y);
            case "Relu" -> c.emitTo(y, Unary.of(Unary.Kind.RELU), in.get(0));
            case "LeakyRelu" -> c.emitTo(y, Unary.leakyRelu(a.getFloat("alpha", 0.01f)), in.get(0));
            case "Sigmoid" -> c.emitTo(y, Unary.of(Unary.Kind.SIGMOID), in.get(0));
            case "Tanh" -> c.emitTo(y, Unary.of(Unary.Kind.TANH), in.get(0));
            case "Erf" -> c.emitTo(y, Unary.of(Unary.Kind.ERF), in.get(0));
            case "Sqrt" -> c.emitTo(y, Unary.of(Unary.Kind.SQRT), in.get(0));
            case "Exp" -> c.emitTo(y, Unary.of(Unary.Kind.EXP), in.get(0));
            case "HardSigmoid" -> c.emitTo(y, Unary.hardSigmoid(a.getFloat("alpha", 0.2f), a.getFloat("beta", 0.5f)), in.get(0));
            case "HardSwish" -> c.emitTo(y, Unary.of(Unary.Kind.HARD_SWISH), in.get(0));
            case "Gelu" -> {
                String approx = a.getString("approximate", "none");
                Unary.Kind k = switch (approx) {
                    case "none" -> Unary.Kind.GELU;
                    case "tanh" -> Unary.Kind.GELU_TANH;
                    default -> throw c.malformed("Gelu approximate '" + approx + "' is not 'none' or 'tanh'");
                };
                c.emitTo(y, Unary.of(k), in.get(0));
            }
            case "Clip" -> {
                if (c.opset < 11) {
                    float lo = a.getFloat("min", -Float.MAX_VALUE);
                    float hi = a.getFloat("max", Float.MAX_VALUE);
                    c.emitTo(y, Unary.clip(Math.min(lo, hi), hi), in.get(0));
                } else {
                    c.emitTo(y, new GraphOp.Clip(), in.toArray(String[]::new));
                }
            }
            case "Neg" -> c.emitTo(y, new Binary(Binary.Kind.MUL), in.get(0), scalar(c, in.get(0), -1));
            case "Reciprocal" -> c.emitTo(y, new Binary(Binary.Kind.DIV), scalar(c, in.get(0), 1), in.get(0));
            case "Abs" -> {
                String neg = c.emit1(new KernelOp(new Binary(Binary.Kind.MUL)), in.get(0), scalar(c, in.get(0), -1));
                c.emitTo(y, new Binary(Binary.Kind.MAX), in.get(0), neg);
            }
            case "MatMul" -> c.emitTo(y, new MatMul(), in.get(0), in.get(1));
            case "Gemm" -> {
                Gemm g = new Gemm(a.getFloat("alpha", 1f), a.getFloat("beta", 1f), a.getInt("transA", 0) != 0, a.getInt("transB", 0) != 0);
                c.emitTo(y, g, in.toArray(String[]::new));
            }
            case "Transpose" -> {
                int[] perm = a.getIntsAsInts("perm");
                c.emitTo(y, new Transpose(perm == null ? List.of() : boxed(perm)), in.get(0));
            }
            case "Reshape" -> c.emitTo(y, new GraphOp.Reshape(c.opset >= 14 && a.getInt("allowzero", 0) != 0), in.get(0), in.get(1));
            case "Flatten" -> c.emitTo(y, new GraphOp.Flatten(a.getIntAsInt("axis", 1)), in.get(0));
            case "Squeeze" -> {
                if (c.opset < 13) {
                    long[] axes = a.getInts("axes");
                    c.emitTo(y, new GraphOp.Squeeze(), in.get(0), axes == null ? "" : c.longs("axes", axes));
                } else {
                    c.emitTo(y, new GraphOp.Squeeze(), in.toArray(String[]::new));
                }
            }
            case "Unsqueeze" -> {
                if (c.opset < 13) {
                    long[] axes = a.getInts("axes");
                    if (axes == null) {
                        throw c.malformed("Unsqueeze needs the axes attribute before opset 13");
                    }
                    c.emitTo(y, new GraphOp.Unsqueeze(), in.get(0), c.longs("axes", axes));
                } else {
                    c.emitTo(y, new GraphOp.Unsqueeze(), in.get(0), in.get(1));
                }
            }
            case "Concat" -> {
                if (!a.has("axis")) {
                    throw c.malformed("Concat needs the axis attribute");
                }
                c.emitTo(y, new Concat(a.getIntAsInt("axis", 0)), in.toArray(String[]::new));
            }
            case "Slice" -> {
                if (c.opset < 10) {
                    long[] starts = a.getInts("starts");
                    long[] ends = a.getInts("ends");
                    if (starts == null || ends == null) {
                        throw c.malformed("Slice needs starts and ends before opset 10");
                    }
                    long[] axes = a.getInts("axes");
                    c.emitTo(y, new GraphOp.Slice(), in.get(0), c.longs("starts", starts), c.longs("ends", ends),
                            axes == null ? "" : c.longs("axes", axes));
                } else {
                    c.emitTo(y, new GraphOp.Slice(), in.toArray(String[]::new));
                }
            }
            case "Split" -> split(c, a, in, out);
            case "Pad" -> pad(c, a, in, y);
            case "Attention" -> AttentionMapper.map(c, n, a);
            case "QuantizeLinear", "DequantizeLinear", "MatMulInteger", "QLinearMatMul" -> QuantMapper.map(c, n, a);
            case "Cast" -> {
                int to = (int) a.getInt("to", 0);
                DType d = OnnxTypes.dtype(to);
                if (d == null) {
                    throw c.unsupported("Cast to " + OnnxTypes.unsupportedReason(to));
                }
                c.emitTo(y, new Cast(d), in.get(0));
            }
            case "Constant" -> constant(c, a, y);
            case "ConstantOfShape" -> {
                TensorProto v = a.getTensor("value");
                DType d = DType.F32;
                double value = 0;
                if (v != null) {
                    Constant k = OnnxTensors.toConstant(v, null, c.node + ".value");
                    if (k.numel() != 1) {
                        throw c.malformed("ConstantOfShape value has " + k.numel() + " elements, requires 1");
                    }
                    d = k.type().dtype();
                    value = k.getDouble(0);
                }
                c.emitTo(y, new GraphOp.ConstantOfShape(d, value), in.get(0));
            }
            case "Shape" -> c.emitTo(y, new GraphOp.ShapeOf(c.opset >= 15 ? a.getIntAsInt("start", 0) : 0,
                    c.opset >= 15 ? a.getIntAsInt("end", Integer.MAX_VALUE) : Integer.MAX_VALUE), in.get(0));
            case "Gather" -> c.emitTo(y, new GraphOp.Gather(a.getIntAsInt("axis", 0)), in.get(0), in.get(1));
            case "Expand" -> c.emitTo(y, new GraphOp.Expand(), in.get(0), in.get(1));
            default -> throw c.unsupported("operator outside the op set");
        }
    }

    private static void softmax(Importer c, Attrs a, String x, String y) {
        if (c.opset >= 13) {
            c.emitTo(y, new Softmax(a.getIntAsInt("axis", -1)), x);
            return;
        }
        // Before opset 13 Softmax normalises over all dimensions from axis on (input coerced to 2-D).
        int axis = a.getIntAsInt("axis", 1);
        ValueType t = c.type(x);
        if (t.shape().isKnown() && (axis == t.shape().rank() - 1 || axis == -1)) {
            c.emitTo(y, new Softmax(-1), x);
            return;
        }
        String flat = c.emit1(new GraphOp.Flatten(axis), x);
        String sm = c.emit1(new KernelOp(new Softmax(1)), flat);
        String shape = c.emit1(GraphOp.ShapeOf.all(), x);
        c.emitTo(y, new GraphOp.Reshape(false), sm, shape);
    }

    private static void binary(Importer c, Attrs a, List<String> in, String y) {
        Binary.Kind k = switch (c.opType) {
            case "Add" -> Binary.Kind.ADD;
            case "Sub" -> Binary.Kind.SUB;
            case "Mul" -> Binary.Kind.MUL;
            case "Div" -> Binary.Kind.DIV;
            default -> Binary.Kind.POW;
        };
        String lhs = in.get(0);
        String rhs = in.get(1);
        ValueType ta = c.type(lhs);
        ValueType tb = c.type(rhs);
        if (c.opset < 7 && a.getInt("broadcast", 0) != 0 && a.has("axis") && ta.shape().isKnown() && tb.shape().isKnown()) {
            // Legacy broadcasting aligns B at axis, not at the end: append ones to B's shape.
            int ra = ta.shape().rank();
            int rb = tb.shape().rank();
            int axis = a.getIntAsInt("axis", 0);
            axis = axis < 0 ? axis + ra : axis;
            int trailing = ra - axis - rb;
            if (trailing > 0) {
                long[] axes = new long[trailing];
                for (int i = 0; i < trailing; i++) {
                    axes[i] = rb + i;
                }
                rhs = c.emit1(new GraphOp.Unsqueeze(), rhs, c.longs("axes", axes));
            }
        }
        if (k == Binary.Kind.POW && ta.dtype() != tb.dtype()) {
            rhs = c.emit1(new KernelOp(new Cast(ta.dtype())), rhs);
        }
        c.emitTo(y, new Binary(k), lhs, rhs);
    }

    private static void prelu(Importer c, List<String> in, String y) {
        String slope = in.get(1);
        ValueType x = c.type(in.get(0));
        ValueType s = c.type(slope);
        if (x.shape().isKnown() && s.shape().isKnown() && x.shape().rank() > 2 && s.shape().rank() == 1
                && !s.shape().dim(0).isSymbolic() && s.shape().dim(0).value() != 1
                && x.shape().dim(1).equals(s.shape().dim(0)) && !x.shape().dim(-1).equals(s.shape().dim(0))) {
            // A per-channel slope [C]: ONNX broadcasting would align it with the last axis, which cannot be meant.
            long[] axes = new long[x.shape().rank() - 2];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = i + 1;
            }
            slope = c.emit1(new GraphOp.Unsqueeze(), slope, c.longs("axes", axes));
        }
        c.emitTo(y, new Binary(Binary.Kind.PRELU), in.get(0), slope);
    }

    private static String scalar(Importer c, String like, double v) {
        DType d = c.type(like).dtype();
        return c.constant(c.node + "_k", Constant.ofDoubles(d, Shape.scalar(), v));
    }

    private static void split(Importer c, Attrs a, List<String> in, List<String> out) {
        int axis = a.getIntAsInt("axis", 0);
        String sizes = "";
        if (c.opset < 13) {
            long[] s = a.getInts("split");
            if (s != null) {
                sizes = c.longs("split", s);
            }
        } else if (Importer.present(in, 1)) {
            sizes = in.get(1);
        }
        if (c.opset >= 18 && sizes.isEmpty() && a.has("num_outputs") && a.getInt("num_outputs", 0) != out.size()) {
            throw c.malformed("num_outputs " + a.getInt("num_outputs", 0) + " differs from the node's " + out.size() + " outputs");
        }
        c.emit(new GraphOp.Split(axis, out.size()), List.of(in.get(0), sizes), out);
    }

    private static void pad(Importer c, Attrs a, List<String> in, String y) {
        String mode = a.getString("mode", "constant");
        dev.accel.hal.op.Pad.Mode m = switch (mode) {
            case "constant" -> dev.accel.hal.op.Pad.Mode.CONSTANT;
            case "reflect" -> dev.accel.hal.op.Pad.Mode.REFLECT;
            case "edge" -> dev.accel.hal.op.Pad.Mode.EDGE;
            default -> throw c.unsupported("Pad mode '" + mode + "' is outside the op set");
        };
        if (c.opset < 11) {
            long[] pads = a.getInts(c.opset < 2 ? "paddings" : "pads");
            if (pads == null) {
                throw c.malformed("Pad needs the pads attribute before opset 11");
            }
            String v = c.constant(c.node + "_value", Constant.ofFloats(Shape.scalar(), a.getFloat("value", 0f)));
            c.emitTo(y, new GraphOp.Pad(m), in.get(0), c.longs("pads", pads), v);
        } else {
            c.emitTo(y, new GraphOp.Pad(m), in.toArray(String[]::new));
        }
    }

    private static void constant(Importer c, Attrs a, String y) {
        TensorProto t = a.getTensor("value");
        Constant k;
        if (t != null) {
            k = OnnxTensors.toConstant(t, null, c.node + ".value");
        } else if (a.has("value_float")) {
            k = Constant.ofFloats(Shape.scalar(), a.getFloat("value_float", 0));
        } else if (a.has("value_floats")) {
            float[] f = a.getFloats("value_floats");
            k = Constant.ofFloats(Shape.of(f.length), f);
        } else if (a.has("value_int")) {
            k = Constant.ofLongs(Shape.scalar(), a.getInt("value_int", 0));
        } else if (a.has("value_ints")) {
            k = Constant.ofLongs(a.getInts("value_ints"));
        } else if (a.has("value_string") || a.has("value_strings")) {
            throw c.unsupported("string tensor");
        } else if (a.has("sparse_value")) {
            throw c.unsupported("sparse tensor");
        } else {
            throw c.malformed("Constant has no value attribute");
        }
        c.constantAs(y, k);
    }

    static List<Integer> boxed(int[] v) {
        List<Integer> l = new ArrayList<>();
        for (int i : v) {
            l.add(i);
        }
        return l;
    }
}
