package dev.accel.backend.cpu.linalg;

import dev.accel.hal.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reading quantization parameters from their tensors, and requantization. Shared by the vector
 * kernels and their scalar twins, so that both round identically.
 *
 * <p>Requantization of an int32 accumulator {@code acc} for output column (or channel) {@code n}:
 * {@code q = saturate(rint(acc * mult[n]) + yZeroPoint)} with
 * {@code mult[n] = (double) aScale * bScale[n] / yScale} computed in double, {@code rint} rounding
 * half to even, and saturation to the output type's range. Double keeps the product of a 32-bit
 * accumulator and the scale free of float rounding for any accumulator.
 */
final class Quant {
    private Quant() {
    }

    /** A per-tensor zero point: element 0 of an int8 or uint8 tensor, widened to int. */
    static int zeroPoint(MemorySegment seg, DType t) {
        byte v = seg.get(ValueLayout.JAVA_BYTE, 0);
        return t == DType.U8 ? v & 0xFF : v;
    }

    /** Zero points per channel, or null when the tensor holds one value for all channels. */
    static int[] zeroPoints(MemorySegment seg, DType t, long numel) {
        if (numel <= 1) {
            return null;
        }
        int[] r = new int[(int) numel];
        for (int i = 0; i < r.length; i++) {
            byte v = seg.get(ValueLayout.JAVA_BYTE, i);
            r[i] = t == DType.U8 ? v & 0xFF : v;
        }
        return r;
    }

    /** Scales for {@code channels} channels from a float32 tensor of one or {@code channels} values. */
    static float[] scales(MemorySegment seg, long numel, int channels) {
        float[] r = new float[channels];
        for (int i = 0; i < channels; i++) {
            r[i] = seg.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, numel <= 1 ? 0 : i);
        }
        return r;
    }

    /** {@code (double) aScale * bScale[n] / yScale} for each channel. */
    static double[] multipliers(float aScale, float[] bScale, float yScale) {
        double[] r = new double[bScale.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = (double) aScale * bScale[i] / yScale;
        }
        return r;
    }

    /** Requantizes one accumulator; see the class comment. */
    static int requantize(int acc, double mult, int yZeroPoint, int lo, int hi) {
        double q = Math.rint(acc * mult) + yZeroPoint;
        return (int) Math.max(lo, Math.min(hi, q));
    }

    /** Smallest value of an 8-bit output type. */
    static int lo(DType t) {
        return t == DType.U8 ? 0 : -128;
    }

    /** Largest value of an 8-bit output type. */
    static int hi(DType t) {
        return t == DType.U8 ? 255 : 127;
    }
}
