package dev.accel.conformance.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.accel.hal.DType;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RefMathTest {
    @Test
    void erfMatchesTabulatedValues() {
        // Values from Abramowitz and Stegun, table 7.1, and high-precision evaluations.
        assertEquals(0.0, RefMath.erf(0.0), 0);
        assertEquals(0.5204998778130465, RefMath.erf(0.5), 1e-15);
        assertEquals(0.8427007929497149, RefMath.erf(1.0), 1e-15);
        assertEquals(-0.8427007929497149, RefMath.erf(-1.0), 1e-15);
        assertEquals(0.9953222650189527, RefMath.erf(2.0), 1e-15);
        assertEquals(0.9995930479825550, RefMath.erf(2.5), 1e-15);
        assertEquals(0.9999779095030014, RefMath.erf(3.0), 1e-15);
        assertEquals(1.541725790028002e-8, RefMath.erfc(4.0), 1e-21);
        assertEquals(1.537459794428035e-12, RefMath.erfc(5.0), 1e-25);
        assertEquals(1.0, RefMath.erf(30.0), 0);
    }

    @Test
    void erfIsContinuousWhereTheMethodChanges() {
        double below = RefMath.erf(Math.nextDown(2.5));
        double above = RefMath.erf(2.5);
        assertEquals(below, above, 1e-15);
    }

    @Test
    void f16RoundingTiesToEvenAndOverflows() {
        assertEquals(1.0, RefMath.roundToF16(1.0 + Math.scalb(1.0, -11)), 0, "tie below goes to the even 1.0");
        assertEquals(1.0 + Math.scalb(1.0, -9), RefMath.roundToF16(1.0 + 3 * Math.scalb(1.0, -11)), 0, "tie goes up to even");
        assertEquals(65504.0, RefMath.roundToF16(65519.0), 0);
        assertEquals(Double.POSITIVE_INFINITY, RefMath.roundToF16(65520.0), 0);
        assertEquals(Double.NEGATIVE_INFINITY, RefMath.roundToF16(-1e6), 0);
        assertEquals(Math.scalb(1.0, -24), RefMath.roundToF16(0.75 * Math.scalb(1.0, -24)), 0, "subnormal rounds up");
        assertEquals(0.0, RefMath.roundToF16(Math.scalb(1.0, -25)), 0, "half the smallest subnormal ties to zero");
        assertEquals(2048.0, RefMath.roundToF16(2049.0), 0);
        assertEquals(2052.0, RefMath.roundToF16(2051.0), 0);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(RefMath.roundToF16(-1e-10)));
    }

    @Test
    void f16RoundingAgreesWithTheJdkOnRandomFloats() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(r.nextInt()) ;
            if (Float.isNaN(f)) {
                continue;
            }
            double jdk = Float.float16ToFloat(Float.floatToFloat16(f));
            assertEquals(jdk, RefMath.roundToF16(f), 0, () -> "f16 rounding of " + f);
        }
    }

    @Test
    void bf16RoundingTiesToEven() {
        assertEquals(1.0, RefMath.roundToBf16(1.0 + Math.scalb(1.0, -8)), 0);
        assertEquals(1.0 + Math.scalb(1.0, -6), RefMath.roundToBf16(1.0 + 3 * Math.scalb(1.0, -8)), 0);
        assertEquals(3.140625, RefMath.roundToBf16(Math.PI), 0);
        assertEquals(Double.POSITIVE_INFINITY, RefMath.roundToBf16(Float.MAX_VALUE), 0, "max float rounds past bf16's max");
        SplittableRandom r = new SplittableRandom(8);
        for (int i = 0; i < 100_000; i++) {
            float f = Float.intBitsToFloat(r.nextInt());
            if (Float.isNaN(f)) {
                continue;
            }
            // Round by hand on the bits: add half an ulp of bf16 plus the tie-breaking bit, drop 16 bits.
            int bits = Float.floatToRawIntBits(f);
            int rounded = (bits + 0x7fff + ((bits >>> 16) & 1)) & 0xffff0000;
            assertEquals(Float.intBitsToFloat(rounded), RefMath.roundToBf16(f), 0, () -> "bf16 rounding of " + f);
        }
    }

    @Test
    void castTruncatesSaturatesAndTestsForZero() {
        assertEquals(2, RefMath.cast(2.7, DType.F32, DType.I8));
        assertEquals(-2, RefMath.cast(-2.7, DType.F32, DType.I8));
        assertEquals(127, RefMath.cast(300, DType.F32, DType.I8));
        assertEquals(0, RefMath.cast(-300, DType.F32, DType.U8));
        assertEquals(0, RefMath.cast(Double.NaN, DType.F32, DType.I32));
        assertEquals(127, RefMath.cast(Double.POSITIVE_INFINITY, DType.F16, DType.I8));
        assertEquals(2147483647.0, RefMath.cast(3e9, DType.F32, DType.I32));
        assertEquals(1, RefMath.cast(5, DType.I32, DType.BOOL));
        assertEquals(0, RefMath.cast(-0.0, DType.F32, DType.BOOL));
        assertEquals(1, RefMath.cast(Double.NaN, DType.F32, DType.BOOL));
        assertEquals(Double.POSITIVE_INFINITY, RefMath.cast(70000, DType.I32, DType.F16));
        assertEquals(16777216.0, RefMath.cast(16777217, DType.I32, DType.F32), "ties to even");
        assertEquals(1.0, RefMath.cast(1, DType.BOOL, DType.BF16));
    }

    @Test
    void saturateRoundIsHalfEven() {
        assertEquals(2, RefMath.saturateRound(2.5, DType.I8));
        assertEquals(4, RefMath.saturateRound(3.5, DType.I8));
        assertEquals(-2, RefMath.saturateRound(-2.5, DType.I8));
        assertEquals(127, RefMath.saturateRound(130, DType.I8));
        assertEquals(255, RefMath.saturateRound(1e9, DType.U8));
        assertEquals(0, RefMath.saturateRound(Double.NaN, DType.U8));
    }
}
