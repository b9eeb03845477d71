package dev.accel.conformance;

import java.util.SplittableRandom;

/**
 * How the suite fills one input of a case: seeded random values (never all zeros) or fixed values.
 * Values are doubles; the runner stores them in the input's dtype (rounding and saturating as
 * {@link dev.accel.hal.HostTensor#setDouble} does) and hands the reference the stored values.
 */
@FunctionalInterface
public interface Gen {
    /** {@code n} values from {@code random}. */
    double[] values(int n, SplittableRandom random);

    /** Uniform in {@code [lo, hi)}. */
    static Gen uniform(double lo, double hi) {
        return nonZero((n, r) -> {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = lo + (hi - lo) * r.nextDouble();
            }
            return v;
        });
    }

    /** Magnitude uniform in {@code [lo, hi)} with a random sign: never near zero (divisors). */
    static Gen awayFromZero(double lo, double hi) {
        return (n, r) -> {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                double m = lo + (hi - lo) * r.nextDouble();
                v[i] = r.nextBoolean() ? m : -m;
            }
            return v;
        };
    }

    /** Integers uniform in {@code [lo, hi]}. */
    static Gen ints(long lo, long hi) {
        return nonZero((n, r) -> {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = lo + r.nextLong(hi - lo + 1);
            }
            return v;
        });
    }

    /** Booleans, true with probability {@code p} (as 0 and 1). */
    static Gen bools(double p) {
        return nonZero((n, r) -> {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = r.nextDouble() < p ? 1 : 0;
            }
            return v;
        });
    }

    /** Exactly these values (the input must hold as many). */
    static Gen fixed(double... values) {
        return (n, r) -> {
            if (n != values.length) {
                throw new IllegalStateException("fixed input of " + values.length + " values for a tensor of " + n);
            }
            return values.clone();
        };
    }

    /** The same value everywhere (quantization parameters per channel, say). */
    static Gen constant(double value) {
        return (n, r) -> {
            double[] v = new double[n];
            java.util.Arrays.fill(v, value);
            return v;
        };
    }

    /** {@code base}, then the given special values written over its first elements. */
    static Gen withSpecials(Gen base, double... specials) {
        return (n, r) -> {
            double[] v = base.values(n, r);
            for (int i = 0; i < Math.min(n, specials.length); i++) {
                v[i] = specials[i];
            }
            return v;
        };
    }

    /** Guards a generator against an all-zero draw, which would hide a kernel that writes nothing. */
    private static Gen nonZero(Gen g) {
        return (n, r) -> {
            double[] v = g.values(n, r);
            for (double x : v) {
                if (x != 0) {
                    return v;
                }
            }
            if (n > 0) {
                v[0] = 1;
            }
            return v;
        };
    }
}
