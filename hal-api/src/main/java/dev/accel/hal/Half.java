package dev.accel.hal;

/**
 * Conversions between float and the two 16-bit float formats, both rounding to nearest even.
 * F16 uses the JDK's IEEE binary16 conversions; BF16 keeps the top 16 bits of a float.
 */
public final class Half {
    private Half() {
    }

    /** IEEE binary16 bits to float. */
    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** Float to IEEE binary16 bits, round to nearest even, overflow to infinity. */
    public static short floatToF16(float v) {
        return Float.floatToFloat16(v);
    }

    /** bfloat16 bits to float (exact). */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Float to bfloat16 bits, round to nearest even; NaN stays a quiet NaN. */
    public static short floatToBf16(float v) {
        int b = Float.floatToRawIntBits(v);
        if ((b & 0x7fffffff) > 0x7f800000) {
            return (short) ((b >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((b >>> 16) & 1);
        return (short) ((b + rounding) >>> 16);
    }
}
