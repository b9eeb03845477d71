package dev.accel.benchmarks;

import dev.accel.backend.cpu.CpuParallel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's physical limits as the JVM can reach them, so that every kernel's result can also be
 * read as a fraction of what the hardware does: the FP32 fused multiply-add rate (a Vector API loop
 * of {@link #CHAINS} independent FMA chains per thread, on every thread of {@link CpuParallel}) and
 * the memory bandwidth (a streaming read, and a copy, of a buffer far larger than the caches).
 */
final class PeakProbe {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /**
     * Independent accumulators per thread: FMA latency (4 cycles) times FMA pipes (2) is 8; 16 covers
     * longer latencies and still fits AVX-512's 32 registers (or spills lightly on AVX2).
     */
    static final int CHAINS = 16;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private PeakProbe() {
    }

    /** Floating-point operations of one {@link #fma} call with {@code steps} steps on {@code threads} threads. */
    static double fmaFlops(long steps, int threads) {
        return 2.0 * CHAINS * F.length() * steps * threads;
    }

    /**
     * Runs {@code steps} steps of {@link #CHAINS} FMAs on each of {@code threads} threads; returns a
     * value that depends on every result, so that nothing is optimised away.
     */
    static float fma(int steps, int threads) {
        float[] sums = new float[threads];
        CpuParallel.forRange(threads, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                sums[t] = fmaChains(steps, 1f + t * 1e-7f);
            }
        });
        float s = 0;
        for (float v : sums) {
            s += v;
        }
        return s;
    }

    private static float fmaChains(int steps, float seed) {
        // x * a + b with a slightly below 1 and small b: the values stay finite for any step count.
        FloatVector a = FloatVector.broadcast(F, 0.999999f);
        FloatVector b = FloatVector.broadcast(F, 1e-6f);
        FloatVector c0 = FloatVector.broadcast(F, seed);
        FloatVector c1 = c0.add(1);
        FloatVector c2 = c0.add(2);
        FloatVector c3 = c0.add(3);
        FloatVector c4 = c0.add(4);
        FloatVector c5 = c0.add(5);
        FloatVector c6 = c0.add(6);
        FloatVector c7 = c0.add(7);
        FloatVector c8 = c0.add(8);
        FloatVector c9 = c0.add(9);
        FloatVector c10 = c0.add(10);
        FloatVector c11 = c0.add(11);
        FloatVector c12 = c0.add(12);
        FloatVector c13 = c0.add(13);
        FloatVector c14 = c0.add(14);
        FloatVector c15 = c0.add(15);
        for (int i = 0; i < steps; i++) {
            c0 = c0.fma(a, b);
            c1 = c1.fma(a, b);
            c2 = c2.fma(a, b);
            c3 = c3.fma(a, b);
            c4 = c4.fma(a, b);
            c5 = c5.fma(a, b);
            c6 = c6.fma(a, b);
            c7 = c7.fma(a, b);
            c8 = c8.fma(a, b);
            c9 = c9.fma(a, b);
            c10 = c10.fma(a, b);
            c11 = c11.fma(a, b);
            c12 = c12.fma(a, b);
            c13 = c13.fma(a, b);
            c14 = c14.fma(a, b);
            c15 = c15.fma(a, b);
        }
        FloatVector s = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7)
                .add(c8).add(c9).add(c10).add(c11).add(c12).add(c13).add(c14).add(c15);
        return s.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Streams {@code seg} (a multiple of 4 vectors long) once, split into one contiguous part per
     * thread, summing it; returns the sum.
     */
    static float read(MemorySegment seg, int threads) {
        long vecBytes = F.vectorByteSize();
        long chunks = seg.byteSize() / (4 * vecBytes);
        float[] sums = new float[threads];
        CpuParallel.forRange(threads, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                long lo = chunks * t / threads * 4 * vecBytes;
                long hi = chunks * (t + 1) / threads * 4 * vecBytes;
                sums[t] = readRange(seg, lo, hi, vecBytes);
            }
        });
        float s = 0;
        for (float v : sums) {
            s += v;
        }
        return s;
    }

    private static float readRange(MemorySegment seg, long lo, long hi, long vecBytes) {
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = FloatVector.zero(F);
        FloatVector s2 = FloatVector.zero(F);
        FloatVector s3 = FloatVector.zero(F);
        for (long at = lo; at < hi; at += 4 * vecBytes) {
            s0 = s0.add(FloatVector.fromMemorySegment(F, seg, at, LE));
            s1 = s1.add(FloatVector.fromMemorySegment(F, seg, at + vecBytes, LE));
            s2 = s2.add(FloatVector.fromMemorySegment(F, seg, at + 2 * vecBytes, LE));
            s3 = s3.add(FloatVector.fromMemorySegment(F, seg, at + 3 * vecBytes, LE));
        }
        return s0.add(s1).add(s2).add(s3).reduceLanes(VectorOperators.ADD);
    }

    /** Copies {@code src} to {@code dst} (same size), one contiguous part per thread. */
    static void copy(MemorySegment src, MemorySegment dst, int threads) {
        long n = src.byteSize();
        CpuParallel.forRange(threads, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                long lo = n * t / threads / 64 * 64;
                long hi = t + 1 == threads ? n : n * (t + 1) / threads / 64 * 64;
                MemorySegment.copy(src, lo, dst, lo, hi - lo);
            }
        });
    }

    /** Fills a segment with small floats (so that sums stay finite). */
    static void fill(MemorySegment seg) {
        long n = seg.byteSize() / 4;
        for (long i = 0; i < n; i++) {
            seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (i % 7) * 1e-3f);
        }
    }
}
