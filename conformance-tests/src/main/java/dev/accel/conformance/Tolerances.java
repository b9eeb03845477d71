package dev.accel.conformance;

import dev.accel.hal.DType;
import dev.accel.hal.op.Cast;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.ConvInteger;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.MatMulInteger;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.Pad;
import dev.accel.hal.op.QLinearConv;
import dev.accel.hal.op.QLinearMatMul;
import dev.accel.hal.op.QuantizeLinear;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Split;
import dev.accel.hal.op.Transpose;

/**
 * The suite's tolerances, declared once. Float outputs are judged relative to the reference (see
 * {@link Tolerance.Kind#RELATIVE}) with a bound per dtype: a few hundred float32 ulps, and enough
 * for float16 and bfloat16 to cover rounding of intermediate results stored in the half type.
 * Ops that only move or convert values must be exact; integer accumulation must be exact;
 * requantized integers may be off by one.
 */
public final class Tolerances {
    /** Relative bound for float32 outputs. */
    public static final double F32 = 1e-4;
    /** Relative bound for float16 outputs. */
    public static final double F16 = 1e-2;
    /** Relative bound for bfloat16 outputs. */
    public static final double BF16 = 5e-2;
    /** Absolute bound for integers produced by requantization (QuantizeLinear, QLinearMatMul, QLinearConv). */
    public static final double REQUANTIZED = 1;

    private Tolerances() {
    }

    /** The tolerance for the output of {@code op} stored as {@code out}. */
    public static Tolerance of(Op op, DType out) {
        if (movesValues(op) || op instanceof MatMulInteger || op instanceof ConvInteger) {
            return new Tolerance(Tolerance.Kind.EXACT, 0);
        }
        if (op instanceof QuantizeLinear || op instanceof QLinearMatMul || op instanceof QLinearConv) {
            return new Tolerance(Tolerance.Kind.ABSOLUTE, REQUANTIZED);
        }
        return forFloat(out);
    }

    /** The relative tolerance of a computed float output; exact for integer outputs. */
    public static Tolerance forFloat(DType out) {
        return switch (out) {
            case F32 -> new Tolerance(Tolerance.Kind.RELATIVE, F32);
            case F16 -> new Tolerance(Tolerance.Kind.RELATIVE, F16);
            case BF16 -> new Tolerance(Tolerance.Kind.RELATIVE, BF16);
            default -> new Tolerance(Tolerance.Kind.EXACT, 0);
        };
    }

    /** Ops whose output values are input values (or a defined conversion of them): exact everywhere. */
    static boolean movesValues(Op op) {
        return op instanceof Identity || op instanceof Reshape || op instanceof Transpose || op instanceof Concat
                || op instanceof Slice || op instanceof Split || op instanceof Pad || op instanceof Cast;
    }
}
