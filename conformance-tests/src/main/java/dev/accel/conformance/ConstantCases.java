package dev.accel.conformance;

import static dev.accel.conformance.CaseList.t;

import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.MatMul;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;
import java.util.List;
import java.util.Set;

/**
 * {@link ConstantsCase}s: the ops with weights (Conv, MatMul, Gemm in float32 and float16; QLinearConv
 * and QLinearMatMul in 8 bits) prepared with their weights, biases and quantization parameters given
 * as constants, in the combinations a model's initializers produce: all of them, weights alone,
 * parameters alone.
 */
final class ConstantCases {
    private static final Gen U = Gen.uniform(-1, 1);

    private ConstantCases() {
    }

    static void addTo(CaseList c) {
        for (DType d : List.of(DType.F32, DType.F16)) {
            add(c, d, "constants-w-bias-3x3-p1-1x3x9x9", Conv2d.of(1, 1, 1), List.of(t(d, 1, 3, 9, 9), t(d, 4, 3, 3, 3),
                    t(d, 4)), Set.of(1, 2), U, U, U);
            add(c, d, "constants-w-depthwise-1x6x8x8", Conv2d.of(1, 1, 6), List.of(t(d, 1, 6, 8, 8), t(d, 6, 1, 3, 3)),
                    Set.of(1), U, U);
            add(c, d, "constants-b-5x17x9", new MatMul(), List.of(t(d, 5, 17), t(d, 17, 9)), Set.of(1), U, U);
            add(c, d, "constants-transB-c-7x19x11", new Gemm(1f, 1f, false, true), List.of(t(d, 7, 19), t(d, 11, 19),
                    t(d, 11)), Set.of(1, 2), U, U, U);
            add(c, d, "constants-b-only-5x7x3", new Gemm(0.5f, 2f, false, false), List.of(t(d, 5, 7), t(d, 7, 3), t(d, 5, 3)),
                    Set.of(1), U, U, U);
        }
        DType u8 = DType.U8;
        DType i8 = DType.I8;
        Gen xs = Gen.fixed(0.02);
        Gen ws = Gen.uniform(0.005, 0.02);
        QLinearConv conv = new QLinearConv(Conv2d.of(1, 1, 1));
        List<TensorType> convIn = List.of(t(u8, 1, 3, 7, 7), t(DType.F32), t(u8), t(i8, 4, 3, 3, 3), t(DType.F32, 4),
                t(i8, 4), t(DType.F32), t(u8), t(DType.I32, 4));
        Gen[] convGens = {Gen.ints(0, 255), xs, Gen.ints(118, 138), Gen.ints(-128, 127), ws, Gen.ints(-10, 10),
            Gen.fixed(0.1), Gen.ints(118, 138), Gen.ints(-2000, 2000)};
        add(c, "u8xi8", "constants-all-per-channel-1x3x7x7", conv, convIn, Set.of(1, 2, 3, 4, 5, 6, 7, 8), convGens);
        add(c, "u8xi8", "constants-weights-only-1x3x7x7", conv, convIn, Set.of(3, 4, 5, 8), convGens);
        QLinearMatMul mm = new QLinearMatMul();
        List<TensorType> mmIn = List.of(t(i8, 4, 33), t(DType.F32), t(i8), t(i8, 33, 6), t(DType.F32, 6), t(i8, 6),
                t(DType.F32), t(i8));
        Gen[] mmGens = {Gen.ints(-128, 127), xs, Gen.ints(-10, 10), Gen.ints(-128, 127), ws, Gen.ints(-10, 10),
            Gen.fixed(0.1), Gen.ints(-10, 10)};
        add(c, "i8xi8", "constants-all-per-column-4x33x6", mm, mmIn, Set.of(1, 2, 3, 4, 5, 6, 7), mmGens);
        add(c, "i8xi8", "constants-params-only-4x33x6", mm, mmIn, Set.of(1, 2, 4, 5, 6, 7), mmGens);
    }

    private static void add(CaseList c, DType d, String family, Op op, List<TensorType> inputs, Set<Integer> constants,
                            Gen... gens) {
        add(c, Labels.of(d), family, op, inputs, constants, gens);
    }

    private static void add(CaseList c, String dtype, String family, Op op, List<TensorType> inputs, Set<Integer> constants,
                            Gen... gens) {
        c.add(ConstantsCase.of(CaseList.label(op), dtype, family, OpSpec.of(op, inputs), constants, gens));
    }
}
