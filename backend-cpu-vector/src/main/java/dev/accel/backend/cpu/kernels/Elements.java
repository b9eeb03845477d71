package dev.accel.backend.cpu.kernels;

import dev.accel.hal.DType;
import dev.accel.hal.Half;
import java.lang.foreign.MemorySegment;

/** Moving elements of any dtype by their byte size (1, 2, 4 or 8), for the layout kernels. */
final class Elements {
    private Elements() {
    }

    /** Copies element {@code si} of {@code src} to element {@code di} of {@code dst}. */
    static void copy(MemorySegment src, long si, MemorySegment dst, long di, int size) {
        switch (size) {
            case 1 -> dst.set(Vec.BYTE, di, src.get(Vec.BYTE, si));
            case 2 -> dst.setAtIndex(Vec.SHORT, di, src.getAtIndex(Vec.SHORT, si));
            case 4 -> dst.setAtIndex(Vec.INT, di, src.getAtIndex(Vec.INT, si));
            case 8 -> dst.setAtIndex(Vec.LONG, di, src.getAtIndex(Vec.LONG, si));
            default -> throw new IllegalArgumentException("element size " + size);
        }
    }

    /** Copies {@code n} elements {@code ss} apart in {@code src} to {@code n} elements {@code ds} apart in {@code dst}. */
    static void copyStrided(MemorySegment src, long si, long ss, MemorySegment dst, long di, long ds, long n, int size) {
        switch (size) {
            case 1 -> {
                for (long k = 0; k < n; k++) {
                    dst.set(Vec.BYTE, di + k * ds, src.get(Vec.BYTE, si + k * ss));
                }
            }
            case 2 -> {
                for (long k = 0; k < n; k++) {
                    dst.setAtIndex(Vec.SHORT, di + k * ds, src.getAtIndex(Vec.SHORT, si + k * ss));
                }
            }
            case 4 -> {
                for (long k = 0; k < n; k++) {
                    dst.setAtIndex(Vec.INT, di + k * ds, src.getAtIndex(Vec.INT, si + k * ss));
                }
            }
            case 8 -> {
                for (long k = 0; k < n; k++) {
                    dst.setAtIndex(Vec.LONG, di + k * ds, src.getAtIndex(Vec.LONG, si + k * ss));
                }
            }
            default -> throw new IllegalArgumentException("element size " + size);
        }
    }

    /** Copies {@code n} contiguous elements. */
    static void copyRun(MemorySegment src, long si, MemorySegment dst, long di, long n, int size) {
        MemorySegment.copy(src, si * size, dst, di * size, n * size);
    }

    /**
     * The bytes of {@code v} in dtype {@code t}, little-endian: floats round to nearest even;
     * integers round half to even and saturate, NaN giving 0 (as {@link dev.accel.hal.HostTensor}
     * stores a double); BOOL is 1 for any non-zero value.
     */
    static byte[] encode(float v, DType t) {
        long bits = switch (t) {
            case F32 -> Float.floatToRawIntBits(v) & 0xffffffffL;
            case F16 -> Half.floatToF16(v) & 0xffffL;
            case BF16 -> Half.floatToBf16(v) & 0xffffL;
            case I8, U8, I32, I64 -> saturate(v, t);
            case BOOL -> v != 0f ? 1 : 0;
        };
        byte[] b = new byte[t.byteSize()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (bits >>> (8 * i));
        }
        return b;
    }

    private static long saturate(float v, DType t) {
        if (Float.isNaN(v)) {
            return 0;
        }
        double r = Math.rint(v);
        return (long) Math.max(t.minValue(), Math.min(t.maxValue(), r));
    }

    /** Fills {@code n} elements from element {@code di} with the element {@code pattern}, by doubling copies. */
    static void fill(MemorySegment dst, long di, long n, byte[] pattern) {
        if (n <= 0) {
            return;
        }
        int size = pattern.length;
        long start = di * size;
        long total = n * size;
        boolean zero = true;
        for (byte b : pattern) {
            zero &= b == 0;
        }
        if (zero) {
            dst.asSlice(start, total).fill((byte) 0);
            return;
        }
        MemorySegment.copy(MemorySegment.ofArray(pattern), 0, dst, start, size);
        long done = size;
        while (done < total) {
            long chunk = Math.min(done, total - done);
            MemorySegment.copy(dst, start, dst, start + done, chunk);
            done += chunk;
        }
    }
}
