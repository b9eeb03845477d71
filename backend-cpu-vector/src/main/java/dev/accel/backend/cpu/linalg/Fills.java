package dev.accel.backend.cpu.linalg;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Vector fills of float32 outputs before a GEMM accumulates into them (Gemm's C, convolution bias). */
final class Fills {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Fills() {
    }

    /** Sets {@code count} floats from element index {@code at} to {@code v}. */
    static void constant(MemorySegment dst, long at, long count, float v) {
        FloatVector vv = FloatVector.broadcast(F, v);
        long j = 0;
        for (long end = count - count % L; j < end; j += L) {
            vv.intoMemorySegment(dst, (at + j) * 4, LE);
        }
        for (; j < count; j++) {
            dst.setAtIndex(FLOAT, at + j, v);
        }
    }

    /**
     * Dense {@code m x n} {@code dst[i * n + j] = scale * src[i * rs + j * cs]}: a broadcast source
     * (strides 0 where it repeats) scaled into the output.
     */
    static void scaled(MemorySegment dst, int m, int n, MemorySegment src, long rs, long cs, float scale) {
        for (int i = 0; i < m; i++) {
            long row = (long) i * n;
            long s = i * rs;
            if (cs == 0) {
                constant(dst, row, n, scale * src.getAtIndex(FLOAT, s));
            } else if (cs == 1) {
                int j = 0;
                for (int end = F.loopBound(n); j < end; j += L) {
                    FloatVector.fromMemorySegment(F, src, (s + j) * 4, LE).mul(scale).intoMemorySegment(dst, (row + j) * 4, LE);
                }
                for (; j < n; j++) {
                    dst.setAtIndex(FLOAT, row + j, scale * src.getAtIndex(FLOAT, s + j));
                }
            } else {
                for (int j = 0; j < n; j++) {
                    dst.setAtIndex(FLOAT, row + j, scale * src.getAtIndex(FLOAT, s + j * cs));
                }
            }
        }
    }
}
