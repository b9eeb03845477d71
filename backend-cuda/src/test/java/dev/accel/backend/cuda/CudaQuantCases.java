package dev.accel.backend.cuda;

import static dev.accel.backend.cuda.CudaCase.Fill.constant;
import static dev.accel.backend.cuda.CudaCase.Fill.ints;
import static dev.accel.backend.cuda.CudaCase.Fill.uniform;
import static dev.accel.backend.cuda.CudaOpCases.t;

import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.ConvInteger;
import dev.accel.hal.op.DequantizeLinear;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;
import dev.accel.hal.op.QuantizeLinear;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** Quantization, 8-bit GEMM and Cast cases. */
final class CudaQuantCases {
    private CudaQuantCases() {
    }

    private static CudaCase.Fill bytes(DType d) {
        return d == DType.I8 ? ints(-128, 127) : ints(0, 255);
    }

    static List<CudaCase> cases(DType floatType) {
        List<CudaCase> c = new ArrayList<>();
        String s = "-" + floatType.displayName();
        int[] xd = {3, 4, 5};
        c.add(CudaCase.of("Quantize-tensor" + s, new QuantizeLinear(0), List.of(t(floatType, xd), t(DType.F32), t(DType.I8)),
                List.of(uniform(-20, 20), constant(0.125), constant(-3)),
                in -> List.of(CudaOpCases.map(in.get(0), v -> CudaLinalgReference.saturate(Math.rint(v / 0.125) - 3, -128, 127)))));
        c.add(CudaCase.of("Quantize-axis" + s, new QuantizeLinear(1), List.of(t(floatType, xd), t(DType.F32, 4), t(DType.U8, 4)),
                List.of(uniform(-5, 20), (r, i) -> 0.05 * (i + 1), (r, i) -> 10 * i), in -> {
                    double[] y = new double[60];
                    for (int i = 0; i < 60; i++) {
                        int ch = (i / 5) % 4;
                        y[i] = CudaLinalgReference.saturate(Math.rint(in.get(0)[i] / in.get(1)[ch]) + in.get(2)[ch], 0, 255);
                    }
                    return List.of(y);
                }));
        return c;
    }

    /** Cases whose inputs are integers: dequantization and the 8-bit GEMMs. */
    static List<CudaCase> integerCases() {
        List<CudaCase> c = new ArrayList<>();
        c.add(CudaCase.of("Dequantize-axis", new DequantizeLinear(-1), List.of(t(DType.I8, 3, 4), t(DType.F32, 4), t(DType.I8, 4)),
                List.of(ints(-128, 127), (r, i) -> 0.1 * (i + 1), (r, i) -> i - 2), in -> {
                    double[] y = new double[12];
                    for (int i = 0; i < 12; i++) {
                        y[i] = (in.get(0)[i] - in.get(2)[i % 4]) * in.get(1)[i % 4];
                    }
                    return List.of(y);
                }));
        c.add(CudaCase.of("Dequantize-int32", new DequantizeLinear(0), List.of(t(DType.I32, 7), t(DType.F32)),
                List.of(ints(-100000, 100000), constant(0.001)), in -> List.of(CudaOpCases.map(in.get(0), v -> v * 0.001f))));
        for (DType a : List.of(DType.U8, DType.I8)) {
            for (DType b : List.of(DType.I8, DType.U8)) {
                String s = "-" + a.displayName() + "x" + b.displayName();
                int[] ad = {2, 5, 67};
                int[] bd = {67, 9};
                c.add(CudaCase.of("MatMulInteger" + s, new MatMulInteger(), List.of(t(a, ad), t(b, bd), t(a), t(b, 9)),
                        List.of(bytes(a), bytes(b), a == DType.I8 ? constant(-5) : constant(131), bytes(b)),
                        in -> List.of(CudaLinalgReference.matmul(CudaLinalgReference.shift(in.get(0), in.get(2), 1), ad,
                                CudaLinalgReference.shift(in.get(1), in.get(3), 9), bd))));
            }
        }
        qlinearMatMul(c);
        convInteger(c);
        qlinearConv(c);
        return c;
    }

    private static void qlinearMatMul(List<CudaCase> c) {
        int[] ad = {3, 33};
        int[] bd = {33, 6};
        List<TensorType> in = List.of(t(DType.I8, ad), t(DType.F32), t(DType.I8), t(DType.U8, bd), t(DType.F32, 6), t(DType.U8, 6),
                t(DType.F32), t(DType.U8));
        c.add(CudaCase.of("QLinearMatMul", new QLinearMatMul(), in, List.of(ints(-128, 127), constant(0.02), constant(3), ints(0, 255),
                (r, i) -> 0.01 * (i + 1), (r, i) -> 120 + i, constant(0.5), constant(128)), v -> {
                    double[] acc = CudaLinalgReference.matmul(CudaLinalgReference.shift(v.get(0), v.get(2), 1), ad,
                            CudaLinalgReference.shift(v.get(3), v.get(5), 6), bd);
                    int[] col = new int[acc.length];
                    for (int i = 0; i < col.length; i++) {
                        col[i] = i % 6;
                    }
                    return List.of(CudaLinalgReference.requantize(acc, v.get(1)[0], v.get(4), col, v.get(6)[0], v.get(7)[0], 0, 255));
                }));
    }

    private static void convInteger(List<CudaCase> c) {
        Conv2d g = new Conv2d(1, 2, 1, 2, 0, 1, 1, 1, 1);
        int[] xd = {2, 3, 6, 7};
        int[] wd = {5, 3, 3, 2};
        c.add(CudaCase.of("ConvInteger", new ConvInteger(g), List.of(t(DType.U8, xd), t(DType.I8, wd), t(DType.U8), t(DType.I8, 5)),
                List.of(ints(0, 255), ints(-128, 127), constant(77), (r, i) -> i - 2),
                v -> List.of(CudaLinalgReference.conv(g, CudaLinalgReference.shift(v.get(0), v.get(2), 1), xd,
                        CudaLinalgReference.shiftRows(v.get(1), 5, v.get(3)), wd, null))));
    }

    private static void qlinearConv(List<CudaCase> c) {
        Conv2d g = Conv2d.of(1, 1, 2);
        int[] xd = {1, 4, 5, 5};
        int[] wd = {6, 2, 3, 3};
        List<TensorType> in = List.of(t(DType.I8, xd), t(DType.F32), t(DType.I8), t(DType.I8, wd), t(DType.F32, 6), t(DType.I8, 6),
                t(DType.F32), t(DType.I8), t(DType.I32, 6));
        c.add(CudaCase.of("QLinearConv", new QLinearConv(g), in, List.of(ints(-128, 127), constant(0.03), constant(-7), ints(-128, 127),
                (r, i) -> 0.004 * (i + 1), (r, i) -> i - 3, constant(0.8), constant(5), ints(-2000, 2000)), v -> {
                    double[] acc = CudaLinalgReference.conv(g, CudaLinalgReference.shift(v.get(0), v.get(2), 1), xd,
                            CudaLinalgReference.shiftRows(v.get(3), 6, v.get(5)), wd, v.get(8));
                    int[] ch = new int[acc.length];
                    for (int i = 0; i < ch.length; i++) {
                        ch[i] = (i / 25) % 6;
                    }
                    return List.of(CudaLinalgReference.requantize(acc, v.get(1)[0], v.get(4), ch, v.get(6)[0], v.get(7)[0], -128, 127));
                }));
    }

    /** Cast between every pair of dtypes, over values that exercise rounding, saturation, NaN and signs. */
    static List<CudaCase> castCases() {
        List<CudaCase> c = new ArrayList<>();
        for (DType from : DType.values()) {
            for (DType to : DType.values()) {
                c.add(CudaCase.of("Cast-" + from.displayName() + "-" + to.displayName(), new Cast(to), List.of(t(from, 24)),
                        List.of((r, i) -> castInput(from, i)), in -> List.of(CudaOpCases.map(in.get(0), v -> castExpected(from, to, v)))));
            }
        }
        return c;
    }

    private static final double[] FLOAT_VALUES = {0, -0.0, 1.5, -1.5, 2.5, -2.5, 127.9, -128.9, 300.7, -300.7, 65504, 1e6,
        -1e6, 3e9, -3e9, 1e20, -1e20, Double.NaN, 0.1, 255.5, 256, 2049, 1.0 / 3, Double.POSITIVE_INFINITY};
    private static final long[] INT_VALUES = {0, 1, -1, 127, -128, 128, 255, 256, -129, 2047, 2049, 2051, 4097, 65519, 65520,
        100000, -100000, 16777217, 123456789, 2147483647, -2147483648L, 1L << 40, -(1L << 40) - 3, 9007199254740993L};

    private static double castInput(DType from, int i) {
        if (from.isFloat()) {
            return FLOAT_VALUES[i];
        }
        double v = INT_VALUES[i];
        return from == DType.BOOL ? (v != 0 ? 1 : 0) : v;
    }

    /** The Cast record's rules: float to int truncates and saturates (NaN 0), int to float rounds once, to BOOL is x != 0. */
    static double castExpected(DType from, DType to, double v) {
        if (to == DType.BOOL) {
            return v != 0 ? 1 : 0;
        }
        if (from.isFloat()) {
            if (to.isFloat()) {
                return roundFloat(to, v);
            }
            if (Double.isNaN(v)) {
                return 0;
            }
            double tr = v < 0 ? Math.ceil(v) : Math.floor(v);
            return Math.max(to.minValue(), Math.min(to.maxValue(), tr));
        }
        long iv = (long) v;
        if (to.isFloat()) {
            int bits = to == DType.F32 ? 24 : to == DType.F16 ? 11 : 8;
            return roundFloat(to, roundBits(iv, bits));
        }
        return Math.max(to.minValue(), Math.min(to.maxValue(), iv));
    }

    private static double roundFloat(DType to, double v) {
        return switch (to) {
            case F32 -> (float) v;
            case F16 -> dev.accel.hal.Half.f16ToFloat(dev.accel.hal.Half.floatToF16((float) v));
            default -> dev.accel.hal.Half.bf16ToFloat(dev.accel.hal.Half.floatToBf16((float) v));
        };
    }

    /** {@code v} rounded half to even at {@code bits} significant bits, exactly (BigInteger arithmetic). */
    static double roundBits(long v, int bits) {
        BigInteger mag = BigInteger.valueOf(v).abs();
        int drop = mag.bitLength() - bits;
        if (drop <= 0) {
            return v;
        }
        BigInteger q = mag.shiftRight(drop);
        BigInteger rest = mag.subtract(q.shiftLeft(drop));
        BigInteger half = BigInteger.ONE.shiftLeft(drop - 1);
        int cmp = rest.compareTo(half);
        if (cmp > 0 || (cmp == 0 && q.testBit(0))) {
            q = q.add(BigInteger.ONE);
        }
        double r = q.doubleValue() * Math.pow(2, drop);
        return v < 0 ? -r : r;
    }
}
