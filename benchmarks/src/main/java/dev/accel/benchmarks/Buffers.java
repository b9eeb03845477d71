package dev.accel.benchmarks;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/** Native, 64-byte aligned operands filled with seeded random values. */
final class Buffers {
    private Buffers() {
    }

    /** {@code count} floats, uniform in [-1, 1). */
    static MemorySegment floats(Arena arena, long count, long seed) {
        MemorySegment s = arena.allocate(Math.max(4, count * 4), 64).asSlice(0, count * 4);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < count; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (r.nextInt() >> 8) * 0x1p-23f);
        }
        return s;
    }

    /** {@code count} random bytes. */
    static MemorySegment bytes(Arena arena, long count, long seed) {
        MemorySegment s = arena.allocate(Math.max(8, count), 64).asSlice(0, count);
        SplittableRandom r = new SplittableRandom(seed);
        long i = 0;
        for (; i + 8 <= count; i += 8) {
            s.set(ValueLayout.JAVA_LONG_UNALIGNED, i, r.nextLong());
        }
        for (; i < count; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
        }
        return s;
    }

    /** {@code bytes} zeroed bytes. */
    static MemorySegment zeros(Arena arena, long bytes) {
        return arena.allocate(Math.max(1, bytes), 64).asSlice(0, bytes);
    }

    /** The segment's floats as a Java array. */
    static float[] toFloats(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_FLOAT_UNALIGNED);
    }
}
