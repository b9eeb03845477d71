package dev.accel.backend.cpu.linalg;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector requantization of int32 accumulators to 8-bit outputs, bit for bit the rule of
 * {@link Quant#requantize}: {@code saturate(rint((acc + bias) * mult) + yZeroPoint)}, in double.
 * {@code rint} (round half to even) is {@code (x + 1.5 * 2^52) - 1.5 * 2^52}, exact in double for
 * {@code |x| < 2^51}; x is first clamped to {@code ±2^50}, which changes nothing after saturation to
 * an 8-bit range. Needs eight double lanes (512-bit vectors); narrower machines take the scalar rule.
 */
final class Requantizer {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final boolean VECTOR = D.length() >= 8;
    /** As many int lanes as double lanes. */
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, VectorShape.forBitSize(Math.max(64, D.length() * 32)));
    /** As many byte lanes as double lanes (64 bits when there are eight). */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, D.length() * 8)));
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final double ROUND = 0x1.8p52;
    private static final double LIMIT = 0x1p50;

    private Requantizer() {
    }

    /**
     * {@code out[o + j] = saturate(rint((acc[a + j] + bias) * mult_j) + yzp)} for {@code j < count},
     * with {@code mult_j = mults[m + j]} when {@code mults} is not null, else {@code mult}; accumulator
     * and output indices are in elements (int32 and bytes).
     */
    static void row(MemorySegment acc, long a, int count, double[] mults, int m, double mult, int bias, int yzp, int lo, int hi,
            MemorySegment out, long o) {
        int j = 0;
        if (VECTOR) {
            DoubleVector single = DoubleVector.broadcast(D, mult);
            for (int end = D.loopBound(count); j < end; j += D.length()) {
                IntVector iv = IntVector.fromMemorySegment(I, acc, (a + j) * 4, LE).add(bias);
                DoubleVector x = (DoubleVector) iv.convertShape(VectorOperators.I2D, D, 0);
                DoubleVector mv = mults == null ? single : DoubleVector.fromArray(D, mults, m + j);
                x = x.mul(mv).max(-LIMIT).min(LIMIT).add(ROUND).sub(ROUND).add(yzp).max(lo).min(hi);
                x.convertShape(VectorOperators.D2I, I, 0).convertShape(VectorOperators.I2B, B, 0).intoMemorySegment(out, o + j, LE);
            }
        }
        for (; j < count; j++) {
            int v = acc.getAtIndex(INT, a + j) + bias;
            out.set(ValueLayout.JAVA_BYTE, o + j, (byte) Quant.requantize(v, mults == null ? mult : mults[m + j], yzp, lo, hi));
        }
    }
}
