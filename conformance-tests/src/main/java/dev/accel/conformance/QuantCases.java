package dev.accel.conformance;

import static dev.accel.conformance.CaseList.t;

import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.ConvInteger;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;
import dev.accel.hal.op.QuantizeLinear;
import java.util.List;

/**
 * Quantization cases, int8 and uint8: QuantizeLinear and DequantizeLinear per tensor and per axis,
 * MatMulInteger and QLinearMatMul (per column weights), ConvInteger and QLinearConv (per output
 * channel weights, depthwise, strides, bias).
 */
final class QuantCases {
    private static final DType I8 = DType.I8;
    private static final DType U8 = DType.U8;
    private static final List<DType[]> PAIRS = List.of(new DType[] {U8, U8}, new DType[] {I8, I8}, new DType[] {U8, I8},
            new DType[] {I8, U8});

    private QuantCases() {
    }

    static void addTo(CaseList c) {
        quantize(c);
        dequantize(c);
        for (DType[] p : PAIRS) {
            matMulInteger(c, p[0], p[1]);
            qLinearMatMul(c, p[0], p[1]);
            if (p[0] == p[1] || p[0] == U8) {
                convInteger(c, p[0], p[1]);
                qLinearConv(c, p[0], p[1]);
            }
        }
    }

    /** The full range of an 8-bit type. */
    private static Gen full(DType d) {
        return d == I8 ? Gen.ints(-128, 127) : Gen.ints(0, 255);
    }

    /** A zero point near the middle of the type's range. */
    private static Gen zeroPoint(DType d) {
        return d == I8 ? Gen.ints(-10, 10) : Gen.ints(118, 138);
    }

    private static String pair(DType a, DType b) {
        return Labels.of(a) + "x" + Labels.of(b);
    }

    private static void quantize(CaseList c) {
        for (DType x : CaseList.FLOATS) {
            for (DType y : List.of(I8, U8)) {
                String l = Labels.of(x) + "->" + Labels.of(y);
                Gen zp = zeroPoint(y);
                c.add(l, "per-tensor-3x17", new QuantizeLinear(1), List.of(t(x, 3, 17), t(DType.F32), t(y)),
                        Gen.uniform(-3, 3), Gen.fixed(0.025), zp);
                c.add(l, "per-axis1-2x5x7", new QuantizeLinear(1), List.of(t(x, 2, 5, 7), t(DType.F32, 5), t(y, 5)),
                        Gen.uniform(-3, 3), Gen.uniform(0.01, 0.05), zp);
                if (x != DType.F32) {
                    continue;
                }
                c.add(l, "per-axis-1-4x9", new QuantizeLinear(-1), List.of(t(x, 4, 9), t(DType.F32, 9), t(y, 9)),
                        Gen.uniform(-3, 3), Gen.uniform(0.01, 0.05), zp);
                c.add(l, "saturate-127", new QuantizeLinear(0), List.of(t(x, 127), t(DType.F32, 1), t(y, 1)),
                        Gen.uniform(-50, 50), Gen.fixed(0.05), zp);
                c.add(l, "scalar", new QuantizeLinear(0), List.of(t(x), t(DType.F32), t(y)), Gen.uniform(-3, 3),
                        Gen.fixed(0.03), zp);
                c.add(l, "empty-0x4", new QuantizeLinear(1), List.of(t(x, 0, 4), t(DType.F32), t(y)), Gen.uniform(-3, 3),
                        Gen.fixed(0.03), zp);
            }
            c.add(Labels.of(x) + "->u8", "no-zero-point-17", new QuantizeLinear(0), List.of(t(x, 17), t(DType.F32)),
                    Gen.uniform(-1, 10), Gen.fixed(0.04));
        }
    }

    private static void dequantize(CaseList c) {
        for (DType x : List.of(I8, U8, DType.I32)) {
            Gen values = x == DType.I32 ? Gen.ints(-100_000, 100_000) : full(x);
            Gen zp = x == DType.I32 ? Gen.ints(-1000, 1000) : zeroPoint(x);
            String l = Labels.of(x) + "->f32";
            c.add(l, "per-tensor-3x17", new DequantizeLinear(1), List.of(t(x, 3, 17), t(DType.F32), t(x)), values,
                    Gen.fixed(0.05), zp);
            c.add(l, "per-axis0-4x9", new DequantizeLinear(0), List.of(t(x, 4, 9), t(DType.F32, 4), t(x, 4)), values,
                    Gen.uniform(0.01, 0.1), zp);
            c.add(l, "no-zero-point-127", new DequantizeLinear(0), List.of(t(x, 127), t(DType.F32, 1)), values,
                    Gen.fixed(0.02));
        }
    }

    private static void matMulInteger(CaseList c, DType a, DType b) {
        String l = pair(a, b);
        MatMulInteger m = new MatMulInteger();
        c.add(l, "no-zp-5x17x9", m, List.of(t(a, 5, 17), t(b, 17, 9)), full(a), full(b));
        c.add(l, "zp-3x33x7", m, List.of(t(a, 3, 33), t(b, 33, 7), t(a), t(b)), full(a), full(b), zeroPoint(a), zeroPoint(b));
        c.add(l, "per-column-4x17x6", m, List.of(t(a, 4, 17), t(b, 17, 6), t(a, 1), t(b, 6)), full(a), full(b),
                zeroPoint(a), zeroPoint(b));
        c.add(l, "batched-2x3x17x5", m, List.of(t(a, 2, 3, 17), t(b, 17, 5), t(a), t(b)), full(a), full(b), zeroPoint(a),
                zeroPoint(b));
        c.add(l, "vec-17x9", m, List.of(t(a, 17), t(b, 17, 9), t(a)), full(a), full(b), zeroPoint(a));
    }

    private static void qLinearMatMul(CaseList c, DType a, DType b) {
        String l = pair(a, b);
        QLinearMatMul q = new QLinearMatMul();
        DType y = a;
        record Geometry(String name, int[] ad, int[] bd, boolean perColumn) {
        }
        List<Geometry> gs = List.of(new Geometry("per-tensor-5x17x9", new int[] {5, 17}, new int[] {17, 9}, false),
                new Geometry("per-column-4x33x6", new int[] {4, 33}, new int[] {33, 6}, true),
                new Geometry("batched-2x3x17x5", new int[] {2, 3, 17}, new int[] {2, 17, 5}, false),
                new Geometry("odd-1x127x3", new int[] {1, 127}, new int[] {127, 3}, true));
        for (Geometry g : gs) {
            int n = g.bd()[g.bd().length - 1];
            TensorType bParam = g.perColumn() ? t(DType.F32, n) : t(DType.F32);
            TensorType bZp = g.perColumn() ? t(b, n) : t(b);
            c.add(l, g.name(), q, List.of(t(a, g.ad()), t(DType.F32), t(a), t(b, g.bd()), bParam, bZp, t(DType.F32), t(y)),
                    full(a), Gen.fixed(0.02), zeroPoint(a), full(b), Gen.uniform(0.005, 0.02), zeroPoint(b),
                    Gen.fixed(g.ad()[g.ad().length - 1] > 64 ? 0.3 : 0.1), zeroPoint(y));
        }
    }

    private static void convInteger(CaseList c, DType x, DType w) {
        String l = pair(x, w);
        c.add(l, "3x3-p1-zp-1x3x9x9", new ConvInteger(Conv2d.of(1, 1, 1)), List.of(t(x, 1, 3, 9, 9), t(w, 4, 3, 3, 3), t(x),
                t(w)), full(x), full(w), zeroPoint(x), zeroPoint(w));
        c.add(l, "depthwise-per-channel-1x6x7x7", new ConvInteger(Conv2d.of(1, 1, 6)), List.of(t(x, 1, 6, 7, 7),
                t(w, 6, 1, 3, 3), t(x), t(w, 6)), full(x), full(w), zeroPoint(x), zeroPoint(w));
        c.add(l, "s2-asym-no-zp-2x3x8x9", new ConvInteger(new Conv2d(2, 2, 1, 0, 0, 1, 1, 1, 1)),
                List.of(t(x, 2, 3, 8, 9), t(w, 5, 3, 3, 3)), full(x), full(w));
    }

    private static void qLinearConv(CaseList c, DType x, DType w) {
        String l = pair(x, w);
        DType y = x;
        Gen scaleX = Gen.fixed(0.02);
        Gen scaleW = Gen.uniform(0.005, 0.02);
        c.add(l, "3x3-p1-bias-1x3x9x9", new QLinearConv(Conv2d.of(1, 1, 1)), List.of(t(x, 1, 3, 9, 9), t(DType.F32), t(x),
                t(w, 4, 3, 3, 3), t(DType.F32), t(w), t(DType.F32), t(y), t(DType.I32, 4)),
                full(x), scaleX, zeroPoint(x), full(w), scaleW, zeroPoint(w), Gen.fixed(0.1), zeroPoint(y),
                Gen.ints(-2000, 2000));
        c.add(l, "per-channel-1x1-1x4x5x5", new QLinearConv(Conv2d.simple()), List.of(t(x, 1, 4, 5, 5), t(DType.F32), t(x),
                t(w, 8, 4, 1, 1), t(DType.F32, 8), t(w, 8), t(DType.F32), t(y)),
                full(x), scaleX, zeroPoint(x), full(w), scaleW, zeroPoint(w), Gen.fixed(0.05), zeroPoint(y));
        c.add(l, "depthwise-s2-1x6x9x9", new QLinearConv(Conv2d.of(2, 1, 6)), List.of(t(x, 1, 6, 9, 9), t(DType.F32), t(x),
                t(w, 6, 1, 3, 3), t(DType.F32, 6), t(w, 6), t(DType.F32), t(y), t(DType.I32, 6)),
                full(x), scaleX, zeroPoint(x), full(w), scaleW, zeroPoint(w), Gen.fixed(0.05), zeroPoint(y),
                Gen.ints(-500, 500));
        c.add(l, "dilation2-no-bias-1x3x11x11", new QLinearConv(new Conv2d(1, 1, 0, 0, 0, 0, 2, 2, 1)),
                List.of(t(x, 1, 3, 11, 11), t(DType.F32), t(x), t(w, 4, 3, 3, 3), t(DType.F32), t(w), t(DType.F32), t(y)),
                full(x), scaleX, zeroPoint(x), full(w), scaleW, zeroPoint(w), Gen.fixed(0.1), zeroPoint(y));
    }
}
