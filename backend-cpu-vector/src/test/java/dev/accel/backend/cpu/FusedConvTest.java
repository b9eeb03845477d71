package dev.accel.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.hal.DType;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.Support;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.FusedConv;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Unary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * FusedConv on the CPU: for every activation a convolution may carry, bit for bit what the Conv's
 * kernel followed by the activation's kernel computes, with constant weights and without, on the
 * vector kernels and the scalar twins, in float32 and float16 storage.
 */
class FusedConvTest {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final List<Unary> ACTIVATIONS = List.of(Unary.of(Unary.Kind.RELU), Unary.clip(-0.25f, 0.5f),
            Unary.leakyRelu(0.1f), Unary.of(Unary.Kind.SIGMOID), Unary.of(Unary.Kind.HARD_SWISH), Unary.of(Unary.Kind.GELU));

    @Test
    void everyActivationMatchesTheConvFollowedByTheActivationsKernel() {
        // A 1x1 over a 7x7 plane with deep K (pixel-major), a 3x3 over 64 channels, a depthwise 3x3.
        int[][] x = {{1, 320, 7, 7}, {1, 64, 14, 14}, {1, 24, 9, 9}};
        int[][] w = {{96, 320, 1, 1}, {32, 64, 3, 3}, {24, 1, 3, 3}};
        Conv2d[] c = {Conv2d.simple(), Conv2d.of(1, 1, 1), Conv2d.of(1, 1, 24)};
        for (int i = 0; i < x.length; i++) {
            for (Unary a : ACTIVATIONS) {
                for (boolean scalar : new boolean[] {false, true}) {
                    check(DType.F32, x[i], w[i], c[i], a, scalar, 100 + i);
                }
            }
        }
    }

    @Test
    void aResidualIsTheConvThenTheAddThenTheActivation() {
        // A ResNet block's last 1x1 (pixel-major at 7x7, channel-major at 28x28), a 3x3 (direct form), a depthwise.
        int[][] x = {{1, 128, 7, 7}, {1, 64, 28, 28}, {1, 32, 14, 14}, {1, 24, 9, 9}};
        int[][] w = {{512, 128, 1, 1}, {256, 64, 1, 1}, {32, 32, 3, 3}, {24, 1, 3, 3}};
        Conv2d[] c = {Conv2d.simple(), Conv2d.simple(), Conv2d.of(1, 1, 1), Conv2d.of(1, 1, 24)};
        for (int i = 0; i < x.length; i++) {
            for (Unary a : List.of(Unary.of(Unary.Kind.RELU), Unary.clip(0f, 6f), Unary.of(Unary.Kind.SIGMOID))) {
                for (boolean scalar : new boolean[] {false, true}) {
                    checkResidual(x[i], w[i], c[i], a, scalar, 200 + i);
                }
            }
        }
        OpSpec s = OpSpec.of(new FusedConv(Conv2d.simple(), Unary.of(Unary.Kind.RELU), true), TensorType.of(DType.F32, 1, 4, 5, 5),
                TensorType.of(DType.F32, 6, 4, 1, 1), TensorType.of(DType.F32, 1, 6, 5, 5));
        assertEquals(TensorType.of(DType.F32, 1, 6, 5, 5), s.outputs().get(0));
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> OpSpec.of(new FusedConv(Conv2d.simple(),
                Unary.of(Unary.Kind.RELU), true), TensorType.of(DType.F32, 1, 4, 5, 5), TensorType.of(DType.F32, 6, 4, 1, 1),
                TensorType.of(DType.F32, 1, 6, 1, 1)));
        assertTrue(e.getMessage().contains("residual"), e.getMessage());
    }

    /** FusedConv with a residual against the Conv's, the Add's and the activation's kernels in turn, bit for bit. */
    private static void checkResidual(int[] x, int[] w, Conv2d c, Unary a, boolean scalar, long seed) {
        TensorType out = OpSpec.of(c, TensorType.of(DType.F32, x), TensorType.of(DType.F32, w)).outputs().get(0);
        OpSpec fused = OpSpec.of(new FusedConv(c, a, true), TensorType.of(DType.F32, x), TensorType.of(DType.F32, w),
                TensorType.of(DType.F32, w[0]), out);
        OpSpec conv = OpSpec.of(c, fused.inputs().subList(0, 3));
        try (Arena arena = Arena.ofShared()) {
            MemorySegment[] in = randomInputs(fused, new Random(seed), arena);
            for (Map<Integer, MemorySegment> constants : List.of(Map.of(1, in[1], 2, in[2]), Map.<Integer, MemorySegment>of())) {
                MemorySegment expected = arena.allocate(out.byteSize(), 64);
                MemorySegment sum = arena.allocate(out.byteSize(), 64);
                MemorySegment actual = arena.allocate(out.byteSize(), 64);
                CpuOps.compile(conv, constants, scalar).run(java.util.Arrays.copyOf(in, 3), new MemorySegment[] {expected});
                CpuOps.compile(OpSpec.of(new dev.accel.hal.op.Binary(dev.accel.hal.op.Binary.Kind.ADD), out, out), scalar)
                        .run(new MemorySegment[] {expected, in[3]}, new MemorySegment[] {sum});
                CpuOps.compile(OpSpec.of(a, out), scalar).run(new MemorySegment[] {sum}, new MemorySegment[] {expected});
                CpuOps.compile(fused, constants, scalar).run(in, new MemorySegment[] {actual});
                assertSame(expected, actual, a, out.numel(), fused + (scalar ? " (scalar)" : "") + " against Conv, Add, " + a.kind());
            }
        }
    }

    @Test
    void halfStorageIsWidenedAroundTheFusedKernel() {
        check(DType.F16, new int[] {1, 16, 8, 8}, new int[] {16, 16, 3, 3}, Conv2d.of(1, 1, 1), Unary.of(Unary.Kind.RELU), false, 7);
        check(DType.F16, new int[] {1, 16, 8, 8}, new int[] {16, 16, 3, 3}, Conv2d.of(1, 1, 1), Unary.of(Unary.Kind.SIGMOID), false, 8);
    }

    @Test
    void theCpuRunsItNativelyAndTheOpRefusesWhatIsNoActivation() {
        OpSpec s = spec(DType.F32, new int[] {1, 4, 5, 5}, new int[] {4, 4, 3, 3}, Conv2d.of(1, 1, 1), Unary.of(Unary.Kind.RELU));
        assertEquals(Support.Level.NATIVE, CpuOps.support(s).level());
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> new FusedConv(Conv2d.simple(), Unary.of(Unary.Kind.EXP)));
        assertTrue(e.getMessage().contains("Exp"), e.getMessage());
        assertThrows(InvalidArgumentException.class, () -> new FusedConv(null, Unary.of(Unary.Kind.RELU)));
    }

    /**
     * Bit for bit, except for activations through a vector exp (Sigmoid, Tanh): the JDK computes
     * those by a native vector routine once C2 compiles the loop and in Java before, an ulp or so
     * apart, so two runs of the same kernel may differ there by that much.
     */
    private static void assertSame(MemorySegment expected, MemorySegment actual, Unary a, long n, String what) {
        if (a.kind() != Unary.Kind.SIGMOID && a.kind() != Unary.Kind.TANH && a.kind() != Unary.Kind.GELU_TANH) {
            assertEquals(-1L, expected.mismatch(actual), what);
            return;
        }
        for (long j = 0; j < n; j++) {
            float e = expected.getAtIndex(FLOAT, j);
            float v = actual.getAtIndex(FLOAT, j);
            assertTrue(Math.abs(e - v) <= 4 * Math.ulp(e), what + ": element " + j + " " + v + " against " + e);
        }
    }

    /** Uniform values in [-1, 1) for each input of {@code spec}, stored as float32 or float16. */
    private static MemorySegment[] randomInputs(OpSpec spec, Random r, Arena arena) {
        MemorySegment[] in = new MemorySegment[spec.inputs().size()];
        for (int i = 0; i < in.length; i++) {
            TensorType type = spec.inputs().get(i);
            in[i] = arena.allocate(type.byteSize(), 64);
            for (long j = 0; j < type.numel(); j++) {
                float v = r.nextFloat() * 2 - 1;
                if (type.dtype() == DType.F32) {
                    in[i].setAtIndex(FLOAT, j, v);
                } else {
                    in[i].setAtIndex(HALF, j, Float.floatToFloat16(v));
                }
            }
        }
        return in;
    }

    /** The float32 FusedConv over the half inputs widened, its output rounded to half. */
    private static MemorySegment halfOfFloat32(OpSpec half, MemorySegment[] in, Arena arena) {
        List<TensorType> types = half.inputs().stream().map(x -> x.withDType(DType.F32)).toList();
        OpSpec f32 = OpSpec.of(half.op(), types);
        MemorySegment[] wide = new MemorySegment[in.length];
        for (int i = 0; i < in.length; i++) {
            wide[i] = arena.allocate(types.get(i).byteSize(), 64);
            for (long j = 0; j < types.get(i).numel(); j++) {
                wide[i].setAtIndex(FLOAT, j, Float.float16ToFloat(in[i].getAtIndex(HALF, j)));
            }
        }
        MemorySegment y = arena.allocate(f32.outputs().get(0).byteSize(), 64);
        CpuOps.compile(f32, false).run(wide, new MemorySegment[] {y});
        MemorySegment narrow = arena.allocate(half.outputs().get(0).byteSize(), 64);
        for (long j = 0; j < f32.outputs().get(0).numel(); j++) {
            narrow.setAtIndex(HALF, j, Float.floatToFloat16(y.getAtIndex(FLOAT, j)));
        }
        return narrow;
    }

    private static OpSpec spec(DType t, int[] x, int[] w, Conv2d c, Unary a) {
        return OpSpec.of(new FusedConv(c, a), TensorType.of(t, x), TensorType.of(t, w), TensorType.of(t, w[0]));
    }

    private static void check(DType t, int[] x, int[] w, Conv2d c, Unary a, boolean scalar, long seed) {
        OpSpec fused = spec(t, x, w, c, a);
        OpSpec conv = new OpSpec(c, fused.inputs(), fused.outputs());
        OpSpec act = OpSpec.of(a, fused.outputs().get(0));
        try (Arena arena = Arena.ofShared()) {
            MemorySegment[] in = randomInputs(fused, new Random(seed), arena);
            long bytes = fused.outputs().get(0).byteSize();
            for (Map<Integer, MemorySegment> constants : List.of(Map.of(1, in[1], 2, in[2]), Map.<Integer, MemorySegment>of())) {
                MemorySegment expected = arena.allocate(bytes, 64);
                MemorySegment actual = arena.allocate(bytes, 64);
                CpuOps.compile(conv, constants, scalar).run(in, new MemorySegment[] {expected});
                CpuOps.compile(act, scalar).run(new MemorySegment[] {expected}, new MemorySegment[] {expected});
                CpuOps.compile(fused, constants, scalar).run(in, new MemorySegment[] {actual});
                String what = fused + (scalar ? " (scalar)" : "") + " against Conv then " + a.kind() + " with "
                        + (constants.isEmpty() ? "no constants" : "constant weights");
                if (t == DType.F32 || a.kind() == Unary.Kind.RELU) {
                    assertSame(expected, actual, a, fused.outputs().get(0).numel(), what);
                } else {
                    // Half storage: two kernels round the Conv's output to half before the activation,
                    // the fused one rounds once, at the end: it is the float32 FusedConv, rounded.
                    MemorySegment reference = halfOfFloat32(fused, in, arena);
                    for (long j = 0; j < fused.outputs().get(0).numel(); j++) {
                        // One half ulp apart at most: a float32 ulp of vector exp may round either way.
                        int e = reference.getAtIndex(HALF, j);
                        int v = actual.getAtIndex(HALF, j);
                        assertTrue(Math.abs(e - v) <= 1, what + ": element " + j);
                    }
                }
            }
        }
    }
}
