package dev.accel.backend.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.DType;
import dev.accel.hal.Half;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Op;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;

/** Helpers for the kernel tests: tensors in segments, running a spec on both twins, comparisons. */
final class KernelHarness {
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Odd sizes: not multiples of any vector width, plus one large enough that the vector path
     * splits it across two or more cores (the scalar twin never splits).
     */
    static final int[] SIZES = {1, 3, 17, 127, 1000, 140001};

    private KernelHarness() {
    }

    static MemorySegment alloc(TensorType t) {
        return Arena.ofAuto().allocate(Math.max(1, t.byteSize()), 64).asSlice(0, t.byteSize());
    }

    static MemorySegment floats(float... v) {
        MemorySegment s = alloc(TensorType.of(DType.F32, v.length));
        MemorySegment.copy(v, 0, s, FLOAT, 0, v.length);
        return s;
    }

    static float[] toFloats(MemorySegment s) {
        float[] r = new float[(int) (s.byteSize() / 4)];
        MemorySegment.copy(s, FLOAT, 0, r, 0, r.length);
        return r;
    }

    static MemorySegment bytes(int... v) {
        MemorySegment s = alloc(TensorType.of(DType.I8, v.length));
        for (int i = 0; i < v.length; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) v[i]);
        }
        return s;
    }

    static byte[] toBytes(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    static MemorySegment ints(int... v) {
        MemorySegment s = alloc(TensorType.of(DType.I32, v.length));
        MemorySegment.copy(v, 0, s, INT, 0, v.length);
        return s;
    }

    static MemorySegment longs(long... v) {
        MemorySegment s = alloc(TensorType.of(DType.I64, v.length));
        MemorySegment.copy(v, 0, s, LONG, 0, v.length);
        return s;
    }

    static float[] randomFloats(Random r, long n, float lo, float hi) {
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (hi - lo) * r.nextFloat();
        }
        return v;
    }

    /** Random contents for a tensor of any dtype; floats in {@code [lo, hi)}, integers over their whole range. */
    static MemorySegment random(Random r, TensorType t, float lo, float hi) {
        MemorySegment s = alloc(t);
        long n = t.numel();
        for (long i = 0; i < n; i++) {
            float f = lo + (hi - lo) * r.nextFloat();
            switch (t.dtype()) {
                case F32 -> s.setAtIndex(FLOAT, i, f);
                case F16 -> s.setAtIndex(SHORT, i, Half.floatToF16(f));
                case BF16 -> s.setAtIndex(SHORT, i, Half.floatToBf16(f));
                case I8, U8 -> s.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt());
                case BOOL -> s.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(2));
                case I32 -> s.setAtIndex(INT, i, r.nextInt());
                case I64 -> s.setAtIndex(LONG, i, r.nextLong() >> r.nextInt(64));
            }
        }
        return s;
    }

    /** Runs a compiled kernel on fresh outputs of the spec's types. */
    static MemorySegment[] run(CpuOp op, OpSpec spec, MemorySegment... inputs) {
        List<TensorType> outs = spec.outputs();
        MemorySegment[] o = new MemorySegment[outs.size()];
        for (int i = 0; i < o.length; i++) {
            o[i] = alloc(outs.get(i));
            // Garbage in the output, so a kernel that skips an element is caught.
            o[i].fill((byte) 0x5a);
        }
        op.run(inputs, o);
        return o;
    }

    /** The first output of the spec on the chosen twin. */
    static MemorySegment run(BiFunction<OpSpec, Boolean, CpuOp> family, boolean scalar, OpSpec spec,
            MemorySegment... inputs) {
        return run(family.apply(spec, scalar), spec, inputs)[0];
    }

    /** The first output of the spec on the chosen twin, as floats. */
    static float[] runFloats(BiFunction<OpSpec, Boolean, CpuOp> family, boolean scalar, OpSpec spec,
            MemorySegment... inputs) {
        return toFloats(run(family, scalar, spec, inputs));
    }

    static OpSpec spec(Op op, TensorType... inputs) {
        return OpSpec.of(op, inputs);
    }

    /** Asserts the vector and scalar twins give the same bytes for every output. */
    static void assertTwinsExact(BiFunction<OpSpec, Boolean, CpuOp> family, OpSpec spec, MemorySegment... inputs) {
        MemorySegment[] v = run(family.apply(spec, false), spec, inputs);
        MemorySegment[] s = run(family.apply(spec, true), spec, inputs);
        for (int i = 0; i < v.length; i++) {
            assertArrayEquals(toBytes(s[i]), toBytes(v[i]), "output " + i + " of " + spec);
        }
    }

    /** Asserts the vector and scalar twins agree within {@code rel} relative (or {@code abs} absolute) on float32 outputs. */
    static void assertTwinsClose(BiFunction<OpSpec, Boolean, CpuOp> family, OpSpec spec, double rel, double abs,
            MemorySegment... inputs) {
        MemorySegment[] v = run(family.apply(spec, false), spec, inputs);
        MemorySegment[] s = run(family.apply(spec, true), spec, inputs);
        for (int i = 0; i < v.length; i++) {
            assertClose(toFloats(s[i]), toFloats(v[i]), rel, abs, "output " + i + " of " + spec);
        }
    }

    static void assertClose(float[] expected, float[] actual, double rel, double abs, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            if (Float.isNaN(e) || Float.isNaN(a)) {
                if (Float.isNaN(e) != Float.isNaN(a)) {
                    fail(what + ": element " + i + " expected " + e + " but was " + a);
                }
                continue;
            }
            if (e == a) {
                continue;
            }
            double err = Math.abs((double) e - a);
            if (err > abs && err > rel * Math.abs(e)) {
                fail(what + ": element " + i + " expected " + e + " but was " + a + " (error " + err + ")");
            }
        }
    }

    static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertClose(expected, actual, tol, tol, what);
    }
}
