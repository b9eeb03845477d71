package dev.accel.partitioner;

import dev.accel.graph.Constant;
import dev.accel.graph.Graph;
import dev.accel.graph.Node;
import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.ConvInteger;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Transpose;
import dev.accel.hal.op.Unary;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The int8 forms of nodes, given activation parameters.
 *
 * <p><b>Parameters.</b> {@link #effective} starts from the given {@link QuantParams} and lets a
 * value read only by a pass-through op (Reshape, Identity, Transpose, Concat, Relu) take the
 * parameters of that op's output: the op's output covers the range its reader needs (a Concat's
 * output range is the union of its inputs'; a Relu clamps what it reads to its output range, so a
 * value quantized with the Relu's parameters is already the Relu's result). The pass-through op
 * then runs on quantized values with unchanged parameters, which is exact.
 *
 * <p><b>Forms.</b> Conv (constant weights), MatMul (constant 2-D B) and Gemm (transA = 0, constant
 * B and C) run as QLinearConv / QLinearMatMul: weights quantized per output channel, symmetric int8
 * (zero point 0, scale max|w| / 127); a bias in int32 in units of {@code x_scale * w_scale} (a
 * Gemm with a bias runs as a 1x1 QLinearConv between two views, since QLinearMatMul takes none).
 * Where the output has no parameters, or is a graph output (logits are compared to a float
 * reference, and 8-bit logits would tie), the node instead runs its integer kernel (ConvInteger,
 * MatMulInteger), dequantizes the int32 accumulator per channel and adds the float bias, so its
 * output is float32. Reshape, Identity, Transpose and Concat run as themselves on quantized values
 * when every input has the output's parameters; Relu becomes an Identity view when, in addition,
 * its zero point is the dtype's minimum (nothing below it to clamp). MaxPool would be exact too,
 * but hal-api's Pool2d takes float tensors only.
 */
final class Int8Forms {
    private Int8Forms() {
    }

    /** The parameters each value is quantized with (see the class comment). */
    static Map<String, QuantParams.Entry> effective(Graph g, QuantParams q) {
        Map<String, QuantParams.Entry> e = new HashMap<>(q.entries());
        Set<String> outputs = Set.copyOf(g.outputs());
        List<Node> nodes = g.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (!passesThrough(n.kernel()) || n.outputs().size() != 1) {
                continue;
            }
            QuantParams.Entry out = e.get(n.outputs().get(0));
            if (out == null) {
                continue;
            }
            for (String in : n.inputs()) {
                if (in.isEmpty() || g.constant(in) != null || outputs.contains(in) || !g.type(in).dtype().isFloat()) {
                    continue;
                }
                List<Node> readers = g.consumers(in);
                if (readers.size() == 1 && readers.get(0).name().equals(n.name())) {
                    e.put(in, out);
                }
            }
        }
        return e;
    }

    static boolean passesThrough(Op op) {
        return op instanceof Reshape || op instanceof Identity || op instanceof Transpose || op instanceof Concat
                || op instanceof Unary u && u.kind() == Unary.Kind.RELU;
    }

    /** The int8 form of node {@code n} (source spec {@code spec}), or null with the reason in {@code why[0]}. */
    static NodeForms.Form of(Graph g, Node n, OpSpec spec, Map<String, QuantParams.Entry> e, String[] why) {
        Op op = spec.op();
        try {
            if (passesThrough(op)) {
                return passThrough(g, n, spec, e, why);
            }
            if (op instanceof Conv2d || op instanceof MatMul || op instanceof Gemm) {
                return linear(g, n, spec, e, why);
            }
        } catch (InvalidArgumentException ex) {
            why[0] = "no int8 form: " + ex.getMessage();
            return null;
        }
        why[0] = op.name() + " has no int8 form (Conv, MatMul and Gemm run as QLinearConv or QLinearMatMul; Reshape, "
                + "Identity, Transpose, Concat and Relu pass quantized values through)";
        return null;
    }

    private static NodeForms.Form passThrough(Graph g, Node n, OpSpec spec, Map<String, QuantParams.Entry> e, String[] why) {
        String outName = n.outputs().get(0);
        QuantParams.Entry out = e.get(outName);
        if (out == null) {
            why[0] = "no quantization parameters for its output '" + outName + "'";
            return null;
        }
        List<TensorType> in = new ArrayList<>();
        int[] inForms = new int[spec.inputs().size()];
        for (int x = 0; x < spec.inputs().size(); x++) {
            String v = n.inputs().get(x);
            if (g.constant(v) != null) {
                why[0] = "its input '" + v + "' is a constant (int8 passes only quantized values through)";
                return null;
            }
            QuantParams.Entry p = e.get(v);
            if (!out.equals(p)) {
                why[0] = "its input '" + v + "' is quantized with " + describe(p) + ", its output with " + describe(out)
                        + "; passing through needs equal parameters";
                return null;
            }
            in.add(spec.inputs().get(x).withDType(out.dtype()));
            inForms[x] = NodeForms.QUANT;
        }
        Op op = spec.op();
        if (op instanceof Unary) {
            if (out.zeroPoint() != (int) out.dtype().minValue()) {
                why[0] = "Relu on quantized values needs zero point " + (int) out.dtype().minValue() + " (nothing to clamp); "
                        + "its output's is " + out.zeroPoint();
                return null;
            }
            op = new Identity();
        }
        OpSpec q = OpSpec.of(op, in);
        return new NodeForms.Form(Precision.INT8, q, inForms, new int[] {NodeForms.QUANT});
    }

    private static String describe(QuantParams.Entry p) {
        return p == null ? "no parameters" : "scale " + p.scale() + ", zero point " + p.zeroPoint() + " (" + p.dtype().displayName() + ")";
    }

    private static NodeForms.Form linear(Graph g, Node n, OpSpec spec, Map<String, QuantParams.Entry> e, String[] why) {
        String x = n.inputs().get(0);
        String w = n.inputs().get(1);
        String b = n.inputs().size() > 2 && !n.inputs().get(2).isEmpty() ? n.inputs().get(2) : null;
        Constant wc = g.constant(w);
        Constant bc = b == null ? null : g.constant(b);
        QuantParams.Entry px = e.get(x);
        if (wc == null || b != null && bc == null) {
            why[0] = "its weights" + (wc == null ? "" : " bias") + " are not constant (int8 quantizes constant weights once)";
            return null;
        }
        if (g.constant(x) != null || !spec.inputs().get(0).dtype().isFloat() || !wc.type().dtype().isFloat()) {
            why[0] = "its input '" + x + "' is not a float activation";
            return null;
        }
        if (px == null) {
            why[0] = "no quantization parameters for its input '" + x + "'";
            return null;
        }
        String y = n.outputs().get(0);
        QuantParams.Entry py = g.outputs().contains(y) ? null : e.get(y);
        TensorType xt = spec.inputs().get(0);
        Lowering l = new Lowering(xt.withDType(px.dtype()));
        Op op = spec.op();
        Weights wq;
        float[] bias;
        Shape yShape = spec.outputs().get(0).shape();
        if (op instanceof Conv2d c) {
            wq = Weights.ofRows(wc, wc.type().shape().dim(0), wc.type().shape().dims());
            bias = bc == null ? null : floats(bc, 1f, wq.channels());
            if (py != null) {
                quantConv(l, c, px, wq, bias, py);
            } else {
                int acc = l.add(new ConvInteger(c), "acc", l.in(), l.derived("w_q", wq.qType(), wq::q), zeroPoint(l, px));
                floatEpilogue(l, acc, px, wq, bias, 1, yShape.rank());
            }
        } else {
            Shape bs = wc.type().shape();
            if (bs.rank() != 2) {
                why[0] = "its weights are " + wc.type() + "; int8 takes 2-D weights";
                return null;
            }
            Gemm gm = op instanceof Gemm gg ? gg : null;
            if (gm != null && gm.transA()) {
                why[0] = "Gemm with transA has no int8 form";
                return null;
            }
            boolean tb = gm != null && gm.transB();
            int k = bs.dim(tb ? 1 : 0);
            int nOut = bs.dim(tb ? 0 : 1);
            float alpha = gm == null ? 1f : gm.alpha();
            wq = Weights.ofColumns(wc, k, nOut, tb, alpha);
            bias = bc == null ? null : floats(bc, gm.beta(), nOut);
            if (bc != null && bias == null) {
                why[0] = "its bias " + bc.type() + " is not a vector along the output columns";
                return null;
            }
            if (py != null && bias == null) {
                l.add(new QLinearMatMul(), null, l.in(), scale(l, "x_scale", px), zeroPoint(l, px),
                        l.derived("w_q", wq.qType(), wq::q), l.derived("w_scale", vec(nOut), wq::scales),
                        l.derived("w_zero_point", new TensorType(DType.I8, Shape.of(nOut)), () -> zeros(nOut)),
                        scale(l, "y_scale", py), zeroPoint(l, "y_zero_point", py));
            } else if (py != null) {
                // QLinearMatMul takes no bias: a 1x1 QLinearConv over [M, K, 1, 1] views does.
                int m = xt.shape().dim(0);
                int in4 = l.add(new Reshape(Shape.of(m, k, 1, 1)), "nchw", l.in());
                Weights w4 = wq.asConvRows();
                int conv = quantConvOn(l, Conv2d.simple(), new NodeForms.Prev(in4), px, w4, bias, py);
                l.add(new Reshape(Shape.of(m, nOut)), "nc", new NodeForms.Prev(conv));
                l.main = conv;
            } else {
                int acc = l.add(new MatMulInteger(), "acc", l.in(), l.derived("w_q", wq.qType(), wq::q), zeroPoint(l, px));
                floatEpilogue(l, acc, px, wq, bias, yShape.rank() - 1, yShape.rank());
            }
        }
        int[] inForms = new int[n.inputs().size()];
        java.util.Arrays.fill(inForms, NodeForms.QUANT);
        int outForm = py == null ? NodeForms.SOURCE : NodeForms.QUANT;
        return l.form(spec, inForms, outForm);
    }

    private static void quantConv(Lowering l, Conv2d c, QuantParams.Entry px, Weights wq, float[] bias, QuantParams.Entry py) {
        quantConvOn(l, c, l.in(), px, wq, bias, py);
    }

    private static int quantConvOn(Lowering l, Conv2d c, NodeForms.Arg x, QuantParams.Entry px, Weights wq, float[] bias,
                                   QuantParams.Entry py) {
        int m = wq.channels();
        List<NodeForms.Arg> args = new ArrayList<>(List.of(x, scale(l, "x_scale", px), zeroPoint(l, px),
                l.derived("w_q", wq.qType(), wq::q), l.derived("w_scale", vec(m), wq::scales),
                l.derived("w_zero_point", new TensorType(DType.I8, Shape.of(m)), () -> zeros(m)),
                scale(l, "y_scale", py), zeroPoint(l, "y_zero_point", py)));
        if (bias != null) {
            args.add(l.derived("bias_i32", new TensorType(DType.I32, Shape.of(m)), () -> wq.int32Bias(bias, px.scale())));
        }
        int p = l.add(new QLinearConv(c), null, args.toArray(NodeForms.Arg[]::new));
        l.main = p;
        return p;
    }

    /** Dequantizes the int32 accumulator per channel (along {@code axis}) and adds the float bias. */
    private static void floatEpilogue(Lowering l, int acc, QuantParams.Entry px, Weights wq, float[] bias, int axis, int rank) {
        l.main = acc;
        int m = wq.channels();
        int y = l.add(new DequantizeLinear(axis), "dequantized", new NodeForms.Prev(acc),
                l.derived("acc_scale", vec(m), () -> wq.accumulatorScales(px.scale())));
        if (bias != null) {
            int[] dims = new int[rank - axis];
            java.util.Arrays.fill(dims, 1);
            dims[0] = m;
            Shape s = Shape.of(dims);
            l.add(new Binary(Binary.Kind.ADD), "biased", new NodeForms.Prev(y),
                    l.derived("bias", new TensorType(DType.F32, s), () -> Constant.ofFloats(s, bias)));
        }
    }

    private static TensorType vec(int n) {
        return new TensorType(DType.F32, Shape.of(n));
    }

    private static Constant zeros(int n) {
        return Constant.splat(new TensorType(DType.I8, Shape.of(n)), 0);
    }

    private static NodeForms.Arg scale(Lowering l, String name, QuantParams.Entry p) {
        return l.derived(name, new TensorType(DType.F32, Shape.scalar()), () -> scaleConstant(p));
    }

    private static NodeForms.Arg zeroPoint(Lowering l, QuantParams.Entry p) {
        return zeroPoint(l, "x_zero_point", p);
    }

    private static NodeForms.Arg zeroPoint(Lowering l, String name, QuantParams.Entry p) {
        return l.derived(name, new TensorType(p.dtype(), Shape.scalar()), () -> zeroPointConstant(p));
    }

    static Constant scaleConstant(QuantParams.Entry p) {
        return Constant.ofDoubles(DType.F32, Shape.scalar(), p.scale());
    }

    static Constant zeroPointConstant(QuantParams.Entry p) {
        return Constant.ofDoubles(p.dtype(), Shape.scalar(), p.zeroPoint());
    }

    /** The QuantizeLinear or DequantizeLinear spec converting a {@code from} tensor to {@code to} with {@code p}. */
    static OpSpec conversionSpec(TensorType from, DType to, DType quant) {
        TensorType s = new TensorType(DType.F32, Shape.scalar());
        TensorType zp = new TensorType(quant, Shape.scalar());
        if (from.dtype().isFloat() && to.isQuantized()) {
            return OpSpec.of(new QuantizeLinear(0), from, s, zp);
        }
        if (from.dtype().isQuantized() && to == DType.F32) {
            return OpSpec.of(new DequantizeLinear(0), from, s, zp);
        }
        return null;
    }

    /** A bias of {@code c}'s values times {@code beta}, one per channel, or null when {@code c} varies otherwise. */
    private static float[] floats(Constant c, float beta, int channels) {
        Shape s = c.type().shape();
        boolean vector = c.numel() == channels && s.rank() >= 1 && s.dim(-1) == channels;
        if (!vector && !(c.numel() == 1)) {
            return null;
        }
        float[] out = new float[channels];
        for (int i = 0; i < channels; i++) {
            out[i] = (float) (beta * c.getDouble(c.numel() == 1 ? 0 : i));
        }
        return out;
    }

    /** Builds the parts of a lowered form. */
    private static final class Lowering {
        private final TensorType input;
        private final List<NodeForms.Part> parts = new ArrayList<>();
        int main = -1;

        Lowering(TensorType input) {
            this.input = input;
        }

        NodeForms.Arg in() {
            return new NodeForms.In(0);
        }

        NodeForms.Arg derived(String suffix, TensorType type, Supplier<Constant> value) {
            return new NodeForms.Derived(suffix, type, memo(value));
        }

        int add(Op op, String suffix, NodeForms.Arg... args) {
            List<TensorType> types = new ArrayList<>();
            for (NodeForms.Arg a : args) {
                types.add(switch (a) {
                    case NodeForms.In i -> input;
                    case NodeForms.Derived d -> d.type();
                    case NodeForms.Prev p -> parts.get(p.part()).spec().outputs().get(0);
                });
            }
            parts.add(new NodeForms.Part(OpSpec.of(op, types), suffix, List.of(args)));
            return parts.size() - 1;
        }

        NodeForms.Form form(OpSpec source, int[] inForms, int outForm) {
            OpSpec last = parts.get(parts.size() - 1).spec();
            TensorType want = source.outputs().get(0);
            if (!last.outputs().get(0).shape().equals(want.shape())) {
                throw new InvalidArgumentException("int8 lowering of " + source.op().name() + " gives " + last.outputs().get(0)
                        + ", requires the shape of " + want);
            }
            int m = main < 0 ? 0 : main;
            OpSpec spec = parts.get(m).spec();
            List<NodeForms.Part> named = new ArrayList<>();
            for (int i = 0; i < parts.size(); i++) {
                NodeForms.Part p = parts.get(i);
                named.add(i == m ? new NodeForms.Part(p.spec(), null, p.args()) : p);
            }
            return new NodeForms.Form(Precision.INT8, spec, inForms, new int[] {outForm}, List.copyOf(named));
        }
    }

    private static <T> Supplier<T> memo(Supplier<T> s) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = s.get();
                }
                return value;
            }
        };
    }
}
