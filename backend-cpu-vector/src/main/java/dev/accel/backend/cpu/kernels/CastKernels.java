package dev.accel.backend.cpu.kernels;

import static dev.accel.backend.cpu.kernels.Vec.F;
import static dev.accel.backend.cpu.kernels.Vec.L;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.DType;
import dev.accel.hal.Half;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Cast between every pair of F32, F16, BF16, I8, U8, I32, I64 and BOOL, as {@link dev.accel.hal.op.Cast}
 * says: float to float rounds to nearest even (through float32, which holds every F16 and BF16
 * value exactly, so there is one rounding); float to integer truncates toward zero and saturates,
 * NaN giving 0; integer to float rounds to nearest even, once, directly from the integer; integer
 * to integer saturates (accel's choice; ONNX leaves narrowing out of range undefined); anything
 * to BOOL is {@code x != 0} (NaN is true); BOOL reads any non-zero byte as 1. The same dtype is
 * a byte copy. The vector path converts F32 from and to I32, I8 and U8 with the Vector API and
 * splits every other pair across cores with the scalar element conversion.
 */
final class CastKernels {
    private CastKernels() {
    }

    static CpuOp compile(DType from, DType to, long n, boolean scalar) {
        if (from == to) {
            return (in, out) -> MemorySegment.copy(in[0], 0, out[0], 0, out[0].byteSize());
        }
        if (scalar) {
            return (in, out) -> convert(from, to, in[0], out[0], 0, n);
        }
        boolean vector = from == DType.F32 && (to == DType.I32 || to == DType.I8 || to == DType.U8)
                || to == DType.F32 && (from == DType.I32 || from == DType.I8 || from == DType.U8);
        if (!vector) {
            return (in, out) -> Vec.forBlocks(n, (a, b) -> convert(from, to, in[0], out[0], a, b));
        }
        return (in, out) -> Vec.forBlocks(n, (a, b) -> {
            long ub = a + F.loopBound(b - a);
            vectorRun(from, to, in[0], out[0], a, ub);
            convert(from, to, in[0], out[0], ub, b);
        });
    }

    private static void vectorRun(DType from, DType to, MemorySegment x, MemorySegment y, long a, long ub) {
        if (from == DType.F32 && to == DType.I32) {
            for (long i = a; i < ub; i += L) {
                Vec.load(x, i).convert(VectorOperators.F2I, 0).intoMemorySegment(y, i * 4, Vec.LE);
            }
        } else if (from == DType.F32) {
            float lo = to == DType.I8 ? -128f : 0f;
            float hi = to == DType.I8 ? 127f : 255f;
            for (long i = a; i < ub; i += L) {
                // Clamping before the truncating conversion equals truncating then saturating; NaN stays NaN and converts to 0.
                FloatVector v = Vec.load(x, i).max(lo).min(hi);
                Vec.storeBytes((ByteVector) v.convertShape(VectorOperators.F2B, Vec.B, 0), y, i);
            }
        } else if (from == DType.I32) {
            for (long i = a; i < ub; i += L) {
                Vec.store((FloatVector) IntVector.fromMemorySegment(Vec.I, x, i * 4, Vec.LE).convert(VectorOperators.I2F, 0),
                        y, i);
            }
        } else {
            for (long i = a; i < ub; i += L) {
                Vec.store(bytesToFloats(Vec.loadBytes(x, i), from == DType.U8), y, i);
            }
        }
    }

    /** The first {@link Vec#L} lanes of {@code b} as floats, read signed or unsigned. */
    static FloatVector bytesToFloats(ByteVector b, boolean unsigned) {
        if (!unsigned) {
            return (FloatVector) b.convertShape(VectorOperators.B2F, F, 0);
        }
        IntVector i = (IntVector) b.convertShape(VectorOperators.B2I, Vec.I, 0);
        return (FloatVector) i.and(0xff).convert(VectorOperators.I2F, 0);
    }

    /** The scalar twin, elements {@code [a, b)}. */
    static void convert(DType from, DType to, MemorySegment x, MemorySegment y, long a, long b) {
        if (from.isFloat()) {
            for (long i = a; i < b; i++) {
                storeFloat(to, y, i, readFloat(from, x, i));
            }
        } else {
            for (long i = a; i < b; i++) {
                storeLong(to, y, i, readLong(from, x, i));
            }
        }
    }

    static float readFloat(DType t, MemorySegment s, long i) {
        return switch (t) {
            case F32 -> s.getAtIndex(Vec.FLOAT, i);
            case F16 -> Half.f16ToFloat(s.getAtIndex(Vec.SHORT, i));
            case BF16 -> Half.bf16ToFloat(s.getAtIndex(Vec.SHORT, i));
            default -> throw new IllegalArgumentException(t + " is not a float type");
        };
    }

    static long readLong(DType t, MemorySegment s, long i) {
        return switch (t) {
            case I8 -> s.get(Vec.BYTE, i);
            case U8 -> s.get(Vec.BYTE, i) & 0xff;
            case BOOL -> s.get(Vec.BYTE, i) != 0 ? 1 : 0;
            case I32 -> s.getAtIndex(Vec.INT, i);
            case I64 -> s.getAtIndex(Vec.LONG, i);
            default -> throw new IllegalArgumentException(t + " is not an integer type");
        };
    }

    /** Stores a float: rounded to nearest even for float types, truncated and saturated for integers. */
    static void storeFloat(DType t, MemorySegment s, long i, float v) {
        switch (t) {
            case F32 -> s.setAtIndex(Vec.FLOAT, i, v);
            case F16 -> s.setAtIndex(Vec.SHORT, i, Half.floatToF16(v));
            case BF16 -> s.setAtIndex(Vec.SHORT, i, Half.floatToBf16(v));
            // Java's float-to-int and float-to-long conversions truncate, saturate and map NaN to 0.
            case I8 -> s.set(Vec.BYTE, i, (byte) Math.clamp((int) v, -128, 127));
            case U8 -> s.set(Vec.BYTE, i, (byte) Math.clamp((int) v, 0, 255));
            case I32 -> s.setAtIndex(Vec.INT, i, (int) v);
            case I64 -> s.setAtIndex(Vec.LONG, i, (long) v);
            case BOOL -> s.set(Vec.BYTE, i, (byte) (v != 0f ? 1 : 0));
        }
    }

    /** Stores an integer: saturated for integer types, rounded once to nearest even for float types. */
    static void storeLong(DType t, MemorySegment s, long i, long v) {
        switch (t) {
            case F32 -> s.setAtIndex(Vec.FLOAT, i, (float) v);
            case F16 -> s.setAtIndex(Vec.SHORT, i, Half.floatToF16(roundToBits(v, 11)));
            case BF16 -> s.setAtIndex(Vec.SHORT, i, Half.floatToBf16(roundToBits(v, 8)));
            case I8 -> s.set(Vec.BYTE, i, (byte) Math.clamp(v, -128, 127));
            case U8 -> s.set(Vec.BYTE, i, (byte) Math.clamp(v, 0, 255));
            case I32 -> s.setAtIndex(Vec.INT, i, Math.clamp(v, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case I64 -> s.setAtIndex(Vec.LONG, i, v);
            case BOOL -> s.set(Vec.BYTE, i, (byte) (v != 0 ? 1 : 0));
        }
    }

    /**
     * {@code v} rounded to nearest even at {@code bits} significant bits, as a float that holds it
     * exactly, so that the half conversion after it rounds nothing more (converting through float32
     * would round twice for magnitudes past 2^24).
     */
    static float roundToBits(long v, int bits) {
        long mag = Math.abs(v); // Long.MIN_VALUE stays negative: read it as unsigned 2^63
        int width = 64 - Long.numberOfLeadingZeros(mag);
        if (width <= bits) {
            return (float) v;
        }
        int drop = width - bits;
        long q = mag >>> drop;
        long rest = mag & ((1L << drop) - 1);
        long half = 1L << (drop - 1);
        if (rest > half || (rest == half && (q & 1) == 1)) {
            q++;
        }
        float r = Math.scalb((float) q, drop);
        return v < 0 ? -r : r;
    }
}
