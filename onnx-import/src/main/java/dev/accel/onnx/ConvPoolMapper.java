package dev.accel.onnx;

import dev.accel.graph.GraphOp;
import dev.accel.graph.KernelOp;
import dev.accel.graph.SymShape;
import dev.accel.graph.ValueType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.ConvInteger;
import dev.accel.hal.op.GlobalAveragePool;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.Pool2d;
import dev.accel.hal.op.QLinearConv;
import dev.accel.onnx.proto.Onnx.NodeProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Convolution and pooling: attribute defaults, auto_pad resolution, and 1-D convolution and
 * pooling lowered onto the 2-D kernels (the length axis becomes the width, with a height of 1).
 * 3-D (and higher) forms are outside the op set.
 */
final class ConvPoolMapper {
    private ConvPoolMapper() {
    }

    /** Geometry of one convolution or pooling window in 2-D form. */
    private record Geometry(int[] kernel, int[] strides, int[] pads, int[] dilations, boolean oneD) {
    }

    static void conv(Importer c, NodeProto n, Attrs a) {
        List<String> in = n.getInputList();
        boolean qlinear = c.opType.equals("QLinearConv");
        int wi = qlinear ? 3 : 1;
        if (!Importer.present(in, 0) || !Importer.present(in, wi)) {
            throw c.malformed("X and W are required");
        }
        ValueType x = c.type(in.get(0));
        ValueType w = c.type(in.get(wi));
        int rank = rankOf(c, x, "X");
        if (rank == 5) {
            throw c.unsupported("3-D convolution (input rank 5) is outside the op set");
        }
        if (rank != 3 && rank != 4) {
            throw c.unsupported("convolution over input rank " + rank + " is outside the op set (1-D and 2-D only)");
        }
        int[] kernel = a.has("kernel_shape") ? a.getIntsAsInts("kernel_shape") : spatialDims(c, w, rank);
        Geometry g = geometry(c, a, x, kernel, rank, false);
        int group = a.getIntAsInt("group", 1);
        Conv2d geo;
        try {
            geo = new Conv2d(g.strides[0], g.strides[1], g.pads[0], g.pads[1], g.pads[2], g.pads[3], g.dilations[0], g.dilations[1], group);
        } catch (dev.accel.hal.InvalidArgumentException e) {
            throw c.malformed(e.getMessage());
        }
        Op op = switch (c.opType) {
            case "Conv" -> geo;
            case "ConvInteger" -> new ConvInteger(geo);
            default -> new QLinearConv(geo);
        };
        List<String> inputs = new ArrayList<>(in);
        String out = n.getOutput(0);
        if (!g.oneD) {
            c.emitTo(out, op, inputs.toArray(String[]::new));
            return;
        }
        inputs.set(0, c.emit1(new GraphOp.Unsqueeze(), in.get(0), c.longs("axes", 2)));
        inputs.set(wi, c.emit1(new GraphOp.Unsqueeze(), in.get(wi), c.longs("axes", 2)));
        String y = c.emit1(new KernelOp(op), inputs.toArray(String[]::new));
        c.emitTo(out, new GraphOp.Squeeze(), y, c.longs("axes", 2));
    }

    static void pool(Importer c, NodeProto n, Attrs a) {
        List<String> in = n.getInputList();
        ValueType x = c.type(in.get(0));
        int rank = rankOf(c, x, "X");
        if (rank != 3 && rank != 4) {
            throw c.unsupported((rank == 5 ? "3-D pooling" : "pooling over input rank " + rank) + " is outside the op set (1-D and 2-D only)");
        }
        boolean max = c.opType.equals("MaxPool");
        if (max && c.used(n.getOutputList(), 1)) {
            throw c.unsupported("MaxPool's Indices output is outside the op set");
        }
        if (!a.has("kernel_shape")) {
            throw c.malformed("kernel_shape is required");
        }
        int[] kernel = a.getIntsAsInts("kernel_shape");
        boolean dilationsAllowed = max ? c.opset >= 10 : c.opset >= 19;
        Geometry g = geometry(c, a, x, kernel, rank, !dilationsAllowed);
        boolean ceil = c.opset >= 10 && a.getInt("ceil_mode", 0) != 0;
        boolean countPad = !max && a.getInt("count_include_pad", 0) != 0;
        Pool2d op;
        try {
            op = new Pool2d(max ? Pool2d.PoolKind.MAX : Pool2d.PoolKind.AVERAGE, g.kernel[0], g.kernel[1], g.strides[0], g.strides[1],
                    g.pads[0], g.pads[1], g.pads[2], g.pads[3], g.dilations[0], g.dilations[1], ceil, countPad);
        } catch (dev.accel.hal.InvalidArgumentException e) {
            throw c.unsupported("pooling geometry outside the op set: " + e.getMessage());
        }
        String out = n.getOutput(0);
        if (!g.oneD) {
            c.emitTo(out, op, in.get(0));
            return;
        }
        String x4 = c.emit1(new GraphOp.Unsqueeze(), in.get(0), c.longs("axes", 2));
        String y = c.emit1(new KernelOp(op), x4);
        c.emitTo(out, new GraphOp.Squeeze(), y, c.longs("axes", 2));
    }

    static void globalAveragePool(Importer c, NodeProto n) {
        String x = n.getInput(0);
        int rank = rankOf(c, c.type(x), "X");
        if (rank == 4) {
            c.emitTo(n.getOutput(0), new GlobalAveragePool(), x);
        } else if (rank == 3) {
            String x4 = c.emit1(new GraphOp.Unsqueeze(), x, c.longs("axes", 2));
            String y = c.emit1(new KernelOp(new GlobalAveragePool()), x4);
            c.emitTo(n.getOutput(0), new GraphOp.Squeeze(), y, c.longs("axes", 2));
        } else {
            throw c.unsupported("GlobalAveragePool over input rank " + rank + " is outside the op set");
        }
    }

    private static int rankOf(Importer c, ValueType t, String what) {
        if (!t.shape().isKnown()) {
            throw c.unsupported(what + " has an unknown rank; accel needs it to choose the 1-D or 2-D kernel");
        }
        return t.shape().rank();
    }

    private static int[] spatialDims(Importer c, ValueType w, int rank) {
        if (!w.shape().isKnown() || w.shape().rank() != rank) {
            throw c.malformed("W is " + w + ", requires rank " + rank + " when kernel_shape is absent");
        }
        int[] k = new int[rank - 2];
        for (int i = 0; i < k.length; i++) {
            if (w.shape().dim(i + 2).isSymbolic()) {
                throw c.malformed("W is " + w + ", its kernel dimensions must be fixed");
            }
            k[i] = w.shape().dim(i + 2).value();
        }
        return k;
    }

    /** Strides, pads (top, left, bottom, right), dilations in 2-D form, auto_pad resolved. */
    private static Geometry geometry(Importer c, Attrs a, ValueType x, int[] kernel, int rank, boolean noDilations) {
        int s = rank - 2;
        if (kernel.length != s) {
            throw c.malformed("kernel_shape " + Arrays.toString(kernel) + " has " + kernel.length + " entries, the input has " + s + " spatial axes");
        }
        int[] strides = orOnes(a.getIntsAsInts("strides"), s, c, "strides");
        int[] dil = noDilations ? orOnes(null, s, c, "dilations") : orOnes(a.getIntsAsInts("dilations"), s, c, "dilations");
        String autoPad = a.getString("auto_pad", "NOTSET");
        int[] pads = new int[2 * s];
        switch (autoPad) {
            case "NOTSET", "" -> {
                int[] p = a.getIntsAsInts("pads");
                if (p != null) {
                    if (p.length != 2 * s) {
                        throw c.malformed("pads " + Arrays.toString(p) + " has " + p.length + " entries, requires " + 2 * s);
                    }
                    pads = p;
                }
            }
            case "VALID" -> {
                // No padding.
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                SymShape xs = x.shape();
                for (int i = 0; i < s; i++) {
                    if (xs.dim(i + 2).isSymbolic()) {
                        throw c.unsupported("auto_pad " + autoPad + " over the symbolic spatial dimension " + xs.dim(i + 2));
                    }
                    int size = xs.dim(i + 2).value();
                    long out = Math.ceilDiv(size, strides[i]);
                    long total = Math.max(0, (out - 1) * strides[i] + (long) (kernel[i] - 1) * dil[i] + 1 - size);
                    long small = total / 2;
                    pads[i] = (int) (autoPad.equals("SAME_UPPER") ? small : total - small);
                    pads[i + s] = (int) (total - pads[i]);
                }
            }
            default -> throw c.malformed("auto_pad '" + autoPad + "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
        }
        for (int p : pads) {
            if (p < 0) {
                throw c.malformed("pads " + Arrays.toString(pads) + " has a negative entry");
            }
        }
        if (s == 2) {
            return new Geometry(kernel, strides, new int[] {pads[0], pads[1], pads[2], pads[3]}, dil, false);
        }
        return new Geometry(new int[] {1, kernel[0]}, new int[] {1, strides[0]}, new int[] {0, pads[0], 0, pads[1]},
                new int[] {1, dil[0]}, true);
    }

    private static int[] orOnes(int[] v, int s, Importer c, String what) {
        if (v == null) {
            int[] o = new int[s];
            Arrays.fill(o, 1);
            return o;
        }
        if (v.length != s) {
            throw c.malformed(what + " " + Arrays.toString(v) + " has " + v.length + " entries, requires " + s);
        }
        return v;
    }
}
