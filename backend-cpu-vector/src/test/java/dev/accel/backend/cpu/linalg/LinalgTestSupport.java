package dev.accel.backend.cpu.linalg;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Test data and checks shared by the linalg tests (and by {@link NarrowSpeciesCheck}, which runs in
 * a child JVM): random tensors, running a compiled kernel, and comparing against the float64
 * references of {@link References}. Checks throw {@link AssertionError} naming the first bad element.
 */
final class LinalgTestSupport {
    /** The geometry of Conv {@code g} over input shape {@code x} with weights of shape {@code w} (NCHW, OIHW). */
    static ConvGeom convGeom(int[] x, int[] w, Conv2d g) {
        int oh = (x[2] + g.padTop() + g.padBottom() - (w[2] - 1) * g.dilationH() - 1) / g.strideH() + 1;
        int ow = (x[3] + g.padLeft() + g.padRight() - (w[3] - 1) * g.dilationW() - 1) / g.strideW() + 1;
        return ConvGeom.of(g, Shape.of(x), Shape.of(w), Shape.of(x[0], w[0], oh, ow));
    }

    /** FP32 tolerance relative to the sum of the magnitudes of the terms of each output. */
    static final double REL_TOL = 1e-5;

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    private LinalgTestSupport() {
    }

    /** Uniform floats in [-1, 1). */
    static MemorySegment floats(Arena arena, Random r, long count) {
        MemorySegment s = arena.allocate(Math.max(1, count * 4), 64).asSlice(0, count * 4);
        for (long i = 0; i < count; i++) {
            s.setAtIndex(FLOAT, i, r.nextFloat() * 2 - 1);
        }
        return s;
    }

    /** Uniform 8-bit values over the whole range of the type. */
    static MemorySegment bytes(Arena arena, Random r, long count) {
        MemorySegment s = arena.allocate(Math.max(1, count), 64).asSlice(0, count);
        for (long i = 0; i < count; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
        }
        return s;
    }

    /** A float32 tensor holding {@code values}. */
    static MemorySegment floatsOf(Arena arena, float... values) {
        MemorySegment s = arena.allocate(Math.max(4, values.length * 4L), 64).asSlice(0, values.length * 4L);
        for (int i = 0; i < values.length; i++) {
            s.setAtIndex(FLOAT, i, values[i]);
        }
        return s;
    }

    /** An 8-bit tensor holding {@code values} (each in the range of its type). */
    static MemorySegment bytesOf(Arena arena, int... values) {
        MemorySegment s = arena.allocate(Math.max(1, values.length), 64).asSlice(0, values.length);
        for (int i = 0; i < values.length; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) values[i]);
        }
        return s;
    }

    /** An int32 tensor holding {@code values}. */
    static MemorySegment intsOf(Arena arena, int... values) {
        MemorySegment s = arena.allocate(Math.max(4, values.length * 4L), 64).asSlice(0, values.length * 4L);
        for (int i = 0; i < values.length; i++) {
            s.setAtIndex(INT, i, values[i]);
        }
        return s;
    }

    /** Compiles {@code spec} (vector or scalar), runs it on fresh outputs filled with garbage, returns them. */
    static MemorySegment run(Arena arena, OpSpec spec, boolean scalar, MemorySegment... inputs) {
        return run(arena, spec, scalar, Map.of(), inputs);
    }

    /** As {@link #run(Arena, OpSpec, boolean, MemorySegment...)}, compiled with {@code constants}. */
    static MemorySegment run(Arena arena, OpSpec spec, boolean scalar, Map<Integer, MemorySegment> constants,
            MemorySegment... inputs) {
        CpuOp op = LinalgKernels.compile(spec, constants, scalar);
        List<TensorType> outs = spec.outputs();
        MemorySegment[] out = new MemorySegment[outs.size()];
        for (int i = 0; i < out.length; i++) {
            long size = outs.get(i).byteSize();
            out[i] = arena.allocate(Math.max(1, size), 64).asSlice(0, size);
            out[i].fill((byte) 0x7f);
        }
        op.run(inputs, out);
        return out[0];
    }

    /** The float32 tensor as doubles. */
    static double[] toDoubles(MemorySegment s) {
        double[] r = new double[(int) (s.byteSize() / 4)];
        for (int i = 0; i < r.length; i++) {
            r[i] = s.getAtIndex(FLOAT, i);
        }
        return r;
    }

    /** The 8-bit tensor as doubles, minus a zero point per element of the innermost {@code zpAxisLen} group. */
    static double[] toDoubles(MemorySegment s, DType t, int[] zp, long zpStride) {
        double[] r = new double[(int) s.byteSize()];
        for (int i = 0; i < r.length; i++) {
            byte v = s.get(ValueLayout.JAVA_BYTE, i);
            int z = zp.length == 1 ? zp[0] : zp[(int) (i / zpStride % zp.length)];
            r[i] = (t == DType.U8 ? v & 0xFF : v) - z;
        }
        return r;
    }

    /** Asserts a float32 output against a float64 reference within {@link #REL_TOL} of each term-magnitude sum. */
    static void assertFloats(String what, MemorySegment actual, References.Result ref) {
        if (actual.byteSize() != ref.values().length * 4L) {
            throw new AssertionError(what + ": output has " + actual.byteSize() / 4 + " elements, reference "
                    + ref.values().length);
        }
        for (int i = 0; i < ref.values().length; i++) {
            double v = actual.getAtIndex(FLOAT, i);
            double tol = REL_TOL * ref.magnitudes()[i] + 1e-30;
            if (!(Math.abs(v - ref.values()[i]) <= tol)) {
                throw new AssertionError(what + ": element " + i + " is " + v + ", reference " + ref.values()[i]
                        + " (tolerance " + tol + ")");
            }
        }
    }

    /** Asserts an int32 output equals an exact reference. */
    static void assertInts(String what, MemorySegment actual, References.Result ref) {
        if (actual.byteSize() != ref.values().length * 4L) {
            throw new AssertionError(what + ": output has " + actual.byteSize() / 4 + " elements, reference "
                    + ref.values().length);
        }
        for (int i = 0; i < ref.values().length; i++) {
            int v = actual.getAtIndex(INT, i);
            if (v != (long) ref.values()[i]) {
                throw new AssertionError(what + ": element " + i + " is " + v + ", exact reference " + (long) ref.values()[i]);
            }
        }
    }

    /** Asserts an 8-bit output equals the expected values. */
    static void assertBytes(String what, MemorySegment actual, DType t, int[] expected) {
        if (actual.byteSize() != expected.length) {
            throw new AssertionError(what + ": output has " + actual.byteSize() + " elements, expected " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            byte b = actual.get(ValueLayout.JAVA_BYTE, i);
            int v = t == DType.U8 ? b & 0xFF : b;
            if (v != expected[i]) {
                throw new AssertionError(what + ": element " + i + " is " + v + ", expected " + expected[i]);
            }
        }
    }

    /** Asserts two outputs hold the same bytes. */
    static void assertSameBytes(String what, MemorySegment a, MemorySegment b) {
        long at = a.mismatch(b);
        if (at >= 0) {
            throw new AssertionError(what + ": vector and scalar outputs differ at byte " + at);
        }
    }

    /** Requantizes exact accumulators as ONNX QLinear ops do: rint(acc * (sa * sb[c]) / sy) + zy, saturated. */
    static int[] requantize(double[] acc, float aScale, float[] bScale, int channelStride, float yScale, int yzp, DType yt) {
        int lo = yt == DType.U8 ? 0 : -128;
        int hi = yt == DType.U8 ? 255 : 127;
        int[] r = new int[acc.length];
        for (int i = 0; i < acc.length; i++) {
            int ch = bScale.length == 1 ? 0 : i / channelStride % bScale.length;
            double q = Math.rint(acc[i] * ((double) aScale * bScale[ch] / yScale)) + yzp;
            r[i] = (int) Math.max(lo, Math.min(hi, q));
        }
        return r;
    }

    /** A random zero point within the range of an 8-bit type. */
    static int zeroPoint(Random r, DType t) {
        return t == DType.U8 ? r.nextInt(256) : r.nextInt(256) - 128;
    }

    /**
     * For the by-hand probes: microseconds per call of {@code body}, the best of {@code rounds}
     * rounds, each calling it back to back for at least {@code roundMillis}.
     */
    static double bestMicros(int rounds, long roundMillis, Runnable body) {
        double best = Double.MAX_VALUE;
        long roundNanos = roundMillis * 1_000_000L;
        for (int rep = 0; rep < rounds; rep++) {
            long t0 = System.nanoTime();
            int it = 0;
            do {
                body.run();
                it++;
            } while (System.nanoTime() - t0 < roundNanos);
            best = Math.min(best, (System.nanoTime() - t0) / (double) it);
        }
        return best / 1e3;
    }
}
