package dev.accel.conformance.reference;

import dev.accel.hal.DType;

/**
 * Scalar functions of the reference, in float64, written here rather than borrowed so that the
 * reference shares no code with any backend: the error function, rounding to the 16-bit float
 * formats, and the conversions of a value to a stored dtype.
 */
public final class RefMath {
    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);
    private static final double F16_MAX = 65504.0;
    private static final double BF16_MAX = Math.scalb(2.0 - Math.scalb(1.0, -7), 127);

    private RefMath() {
    }

    /** The error function, to about 1e-15 absolute. */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        double ax = Math.abs(x);
        double r = ax < 2.5 ? erfSeries(ax) : 1.0 - erfcFraction(ax);
        return Math.copySign(r, x);
    }

    /** The complementary error function {@code 1 - erf(x)}, without cancellation for large x. */
    public static double erfc(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x >= 2.5) {
            return erfcFraction(x);
        }
        return 1.0 - erf(x);
    }

    /** Maclaurin series, accurate where the terms stay moderate (|x| < 2.5). */
    private static double erfSeries(double x) {
        double x2 = x * x;
        double term = x;
        double sum = x;
        for (int n = 1; n < 200; n++) {
            term *= -x2 / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.abs(add) < 1e-18 * Math.abs(sum)) {
                break;
            }
        }
        return TWO_OVER_SQRT_PI * sum;
    }

    /** Continued fraction for erfc, evaluated from the tail, for x >= 2.5. */
    private static double erfcFraction(double x) {
        if (x > 27) {
            return 0.0;
        }
        double f = x;
        for (int k = 300; k >= 1; k--) {
            f = x + (k / 2.0) / f;
        }
        return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
    }

    /** The IEEE binary16 value nearest to {@code v} (ties to even), as a double; overflow gives infinity. */
    public static double roundToF16(double v) {
        return roundTo(v, 10, -14, F16_MAX);
    }

    /** The bfloat16 value nearest to {@code v} (ties to even), as a double; overflow gives infinity. */
    public static double roundToBf16(double v) {
        return roundTo(v, 7, -126, BF16_MAX);
    }

    /** Rounds to a binary format with {@code mantissaBits} stored bits and smallest normal exponent {@code minExp}. */
    private static double roundTo(double v, int mantissaBits, int minExp, double max) {
        if (Double.isNaN(v) || Double.isInfinite(v) || v == 0) {
            return v;
        }
        int e = Math.max(Math.getExponent(v), minExp);
        int q = e - mantissaBits;
        double r = Math.scalb(Math.rint(Math.scalb(v, -q)), q);
        if (Math.abs(r) > max) {
            return Math.copySign(Double.POSITIVE_INFINITY, v);
        }
        return r == 0 ? Math.copySign(0.0, v) : r;
    }

    /** Round half to even, then clamp to an integer dtype's range; NaN gives 0 (QuantizeLinear's saturation). */
    public static double saturateRound(double v, DType t) {
        if (Double.isNaN(v)) {
            return 0;
        }
        return clamp(Math.rint(v), t);
    }

    /** Truncate toward zero, then clamp to an integer dtype's range; NaN gives 0 (Cast from float). */
    public static double saturateTruncate(double v, DType t) {
        if (Double.isNaN(v)) {
            return 0;
        }
        double r = v < 0 ? Math.ceil(v) : Math.floor(v);
        return clamp(r, t);
    }

    private static double clamp(double v, DType t) {
        double lo = switch (t) {
            case I8 -> -128;
            case U8, BOOL -> 0;
            case I32 -> -2147483648.0;
            case I64 -> -9.223372036854775808E18;
            default -> throw new IllegalArgumentException(t + " is not an integer type");
        };
        double hi = switch (t) {
            case I8 -> 127;
            case U8 -> 255;
            case BOOL -> 1;
            case I32 -> 2147483647.0;
            case I64 -> 9.223372036854775807E18;
            default -> throw new IllegalArgumentException(t + " is not an integer type");
        };
        return Math.max(lo, Math.min(hi, v));
    }

    /**
     * The value ONNX Cast gives for {@code v} of dtype {@code from} converted to {@code to}: float to
     * float rounds to nearest even; float to integer truncates toward zero and saturates (NaN gives
     * 0); integer to float rounds to nearest; anything to bool is {@code v != 0}. Integer to a
     * narrower integer, which hal-api leaves undefined, saturates here (the suite keeps such inputs in
     * range).
     */
    public static double cast(double v, DType from, DType to) {
        if (to == DType.BOOL) {
            return v != 0 ? 1 : 0;
        }
        if (to.isFloat()) {
            return store(v, to);
        }
        if (from.isFloat()) {
            return saturateTruncate(v, to);
        }
        return clamp(v, to);
    }

    /**
     * The value a constant {@code v} takes when stored in {@code t}: floats round to nearest even,
     * integers round half to even and saturate, bool is {@code v != 0}.
     */
    public static double store(double v, DType t) {
        return switch (t) {
            case F32 -> (double) (float) v;
            case F16 -> roundToF16(v);
            case BF16 -> roundToBf16(v);
            case BOOL -> v != 0 ? 1 : 0;
            default -> saturateRound(v, t);
        };
    }
}
