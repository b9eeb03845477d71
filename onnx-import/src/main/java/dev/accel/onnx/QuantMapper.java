package dev.accel.onnx;

import dev.accel.graph.Constant;
import dev.accel.graph.KernelOp;
import dev.accel.graph.ValueType;
import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.QLinearMatMul;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.onnx.proto.Onnx.NodeProto;
import java.util.ArrayList;
import java.util.List;

/**
 * QuantizeLinear, DequantizeLinear, MatMulInteger and QLinearMatMul. Blocked quantization
 * (opset 21's block_size) and 4-bit, 16-bit and float8 types are outside the op set; half scales
 * are widened to float32 (and a half output narrowed back), since the op set's scales are float32.
 */
final class QuantMapper {
    private QuantMapper() {
    }

    static void map(Importer c, NodeProto n, Attrs a) {
        List<String> in = new ArrayList<>(n.getInputList());
        String y = n.getOutput(0);
        switch (c.opType) {
            case "QuantizeLinear" -> {
                checkBlock(c, a);
                int axis = axis(c, a, in);
                in.set(1, floatScale(c, in.get(1)));
                if (!Importer.present(in, 2) && a.getInt("output_dtype", 0) != 0) {
                    int code = (int) a.getInt("output_dtype", 0);
                    DType d = OnnxTypes.dtype(code);
                    if (d != DType.I8 && d != DType.U8) {
                        throw c.unsupported("QuantizeLinear to " + OnnxTypes.name(code) + " is outside the op set (int8 and uint8 only)");
                    }
                    TensorType st = c.type(in.get(1)).shape().isStatic() ? c.type(in.get(1)).toTensorType() : null;
                    if (st == null) {
                        throw c.malformed("y_scale must have a static shape");
                    }
                    String zp = c.constant(c.node + "_zero_point", Constant.splat(st.withDType(d), 0));
                    while (in.size() < 3) {
                        in.add("");
                    }
                    in.set(2, zp);
                }
                c.emitTo(y, new QuantizeLinear(axis), trim(in));
            }
            case "DequantizeLinear" -> {
                checkBlock(c, a);
                int axis = axis(c, a, in);
                DType scaleType = c.type(in.get(1)).dtype();
                in.set(1, floatScale(c, in.get(1)));
                int outCode = (int) a.getInt("output_dtype", 0);
                DType out = outCode == 0 ? scaleType : OnnxTypes.dtype(outCode);
                if (out == null || !out.isFloat()) {
                    throw c.unsupported("DequantizeLinear to " + OnnxTypes.name(outCode) + " is outside the op set");
                }
                if (out == DType.F32) {
                    c.emitTo(y, new DequantizeLinear(axis), trim(in));
                } else {
                    String f = c.emit1(new KernelOp(new DequantizeLinear(axis)), trim(in));
                    c.emitTo(y, new Cast(out), f);
                }
            }
            case "MatMulInteger" -> c.emitTo(y, new MatMulInteger(), trim(in));
            default -> {
                in.set(1, floatScale(c, in.get(1)));
                in.set(4, floatScale(c, in.get(4)));
                in.set(6, floatScale(c, in.get(6)));
                c.emitTo(y, new QLinearMatMul(), trim(in));
            }
        }
    }

    /** The axis; a per-tensor scale makes it irrelevant (ONNX ignores it), so 0 then, valid for any rank >= 1. */
    private static int axis(Importer c, Attrs a, List<String> in) {
        ValueType scale = c.type(in.get(1));
        ValueType x = c.type(in.get(0));
        boolean perTensor = scale.shape().isStatic() && scale.toTensorType().numel() == 1;
        if (perTensor && x.shape().isKnown() && x.shape().rank() >= 1) {
            return 0;
        }
        return c.opset >= 13 ? a.getIntAsInt("axis", 1) : 1;
    }

    private static void checkBlock(Importer c, Attrs a) {
        if (a.getInt("block_size", 0) != 0) {
            throw c.unsupported("blocked quantization (block_size " + a.getInt("block_size", 0) + ") is outside the op set");
        }
    }

    /** The scale as float32, inserting a Cast for a half scale. */
    private static String floatScale(Importer c, String scale) {
        ValueType t = c.type(scale);
        if (t.dtype() == DType.F32) {
            return scale;
        }
        if (!t.dtype().isFloat()) {
            throw c.malformed("scale '" + scale + "' is " + t + ", requires a float type");
        }
        return c.emit1(new KernelOp(new Cast(DType.F32)), scale);
    }

    private static String[] trim(List<String> in) {
        int k = in.size();
        while (k > 0 && in.get(k - 1).isEmpty()) {
            k--;
        }
        return in.subList(0, k).toArray(String[]::new);
    }
}
