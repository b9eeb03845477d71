package dev.accel.backend.cpu.linalg;

import dev.accel.backend.cpu.CpuParallel;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The activations a convolution's epilogue applies as it stores its output ({@code FusedConv}):
 * {@code min(max(x, lo), hi)}, Relu as {@code [0, +inf]}, Clip as its bounds, computed exactly as the
 * activation's own kernel computes them (NaN stays NaN). {@link #NONE} leaves values as they are;
 * kernels test {@link #none()} once per call, not per element.
 */
public record Clamp(float lo, float hi) {
    /** No activation. */
    public static final Clamp NONE = new Clamp(Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Floats per parallel chunk of {@link #inPlace}. */
    private static final int GRAIN = 1 << 14;

    /** Whether this leaves every value as it is. */
    public boolean none() {
        return lo == Float.NEGATIVE_INFINITY && hi == Float.POSITIVE_INFINITY;
    }

    /** The bounds applied to one value. */
    public float apply(float x) {
        return Math.min(Math.max(x, lo), hi);
    }

    /**
     * The vector of floats at byte {@code at} of {@code y}, the residual's at the same byte of
     * {@code z} added (when not null), then bounded, stored back: a kernel's finishing pass over
     * what it has just written.
     */
    void applyAt(MemorySegment y, long at, MemorySegment z) {
        FloatVector v = FloatVector.fromMemorySegment(F, y, at, LE);
        if (z != null) {
            v = v.add(FloatVector.fromMemorySegment(F, z, at, LE));
        }
        apply(v).intoMemorySegment(y, at, LE);
    }

    /** The bounds applied to a vector. */
    FloatVector apply(FloatVector v) {
        return v.max(lo).min(hi);
    }

    /**
     * The bounds applied in place to floats {@code [from, from + count)} of {@code y}, on all cores,
     * after the residual {@code z} (when not null; same indices as {@code y}) is added:
     * {@code y = clamp(y + z)}. The kernels whose stores do not apply them run this right after,
     * while their output is in cache.
     */
    void inPlace(MemorySegment y, long from, long count, MemorySegment z) {
        if ((none() && z == null) || count <= 0) {
            return;
        }
        CpuParallel.forRange((int) ((count + GRAIN - 1) / GRAIN), 1, (c0, c1) -> {
            long start = from + (long) c0 * GRAIN;
            serial(y, start, Math.min(from + count, from + (long) c1 * GRAIN) - start, z);
        });
    }

    /** As {@link #inPlace}, on the calling thread (a kernel's own share of the output). */
    void serial(MemorySegment y, long from, long count, MemorySegment z) {
        if (none() && z == null) {
            return;
        }
        long end = from + count;
        long i = from;
        for (; i + F.length() <= end; i += F.length()) {
            applyAt(y, i * 4, z);
        }
        for (; i < end; i++) {
            float v = y.getAtIndex(GemmCore.FLOAT, i);
            y.setAtIndex(GemmCore.FLOAT, i, apply(z == null ? v : v + z.getAtIndex(GemmCore.FLOAT, i)));
        }
    }
}
