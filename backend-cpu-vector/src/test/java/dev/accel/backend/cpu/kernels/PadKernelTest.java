package dev.accel.backend.cpu.kernels;

import static dev.accel.backend.cpu.kernels.KernelHarness.assertTwinsExact;
import static dev.accel.backend.cpu.kernels.KernelHarness.bytes;
import static dev.accel.backend.cpu.kernels.KernelHarness.floats;
import static dev.accel.backend.cpu.kernels.KernelHarness.ints;
import static dev.accel.backend.cpu.kernels.KernelHarness.random;
import static dev.accel.backend.cpu.kernels.KernelHarness.run;
import static dev.accel.backend.cpu.kernels.KernelHarness.runFloats;
import static dev.accel.backend.cpu.kernels.KernelHarness.spec;
import static dev.accel.backend.cpu.kernels.KernelHarness.toBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.accel.hal.DType;
import dev.accel.hal.Half;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Pad;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PadKernelTest {
    private static TensorType f32(int... dims) {
        return TensorType.of(DType.F32, dims);
    }

    private static void expect(OpSpec s, float[] want, MemorySegment x) {
        assertArrayEquals(want, runFloats(LayoutKernels::compile, true, s, x), "scalar " + s);
        assertArrayEquals(want, runFloats(LayoutKernels::compile, false, s, x), "vector " + s);
    }

    @Test
    void constantEdgeAndReflectHandComputed() {
        // [[1, 2], [3, 4]] with one row on top and one column on the right, value 9.
        expect(spec(new Pad(Pad.Mode.CONSTANT, List.of(1, 0, 0, 1), 9f), f32(2, 2)),
                new float[] {9, 9, 9, 1, 2, 9, 3, 4, 9}, floats(1, 2, 3, 4));
        expect(spec(new Pad(Pad.Mode.EDGE, List.of(2, 2), 0f), f32(3)), new float[] {1, 1, 1, 2, 3, 3, 3}, floats(1, 2, 3));
        expect(spec(new Pad(Pad.Mode.REFLECT, List.of(2, 2), 0f), f32(3)), new float[] {3, 2, 1, 2, 3, 2, 1},
                floats(1, 2, 3));
        // 2-D reflect: one row above, one column left.
        expect(spec(new Pad(Pad.Mode.REFLECT, List.of(1, 1, 0, 0), 0f), f32(2, 3)),
                new float[] {5, 4, 5, 6, 2, 1, 2, 3, 5, 4, 5, 6}, floats(1, 2, 3, 4, 5, 6));
        expect(spec(new Pad(Pad.Mode.EDGE, List.of(1, 0, 1, 1), 0f), f32(2, 2)),
                new float[] {1, 2, 2, 1, 2, 2, 3, 4, 4, 3, 4, 4}, floats(1, 2, 3, 4));
        // Padding an empty tensor with a constant fills the output.
        expect(spec(new Pad(Pad.Mode.CONSTANT, List.of(0, 1, 1, 1), 7f), f32(1, 0)), new float[] {7, 7, 7, 7}, floats());
    }

    @Test
    void theConstantIsConvertedToTheTensorsDtype() {
        for (boolean scalar : new boolean[] {true, false}) {
            OpSpec i32 = spec(new Pad(Pad.Mode.CONSTANT, List.of(1, 0), 2.5f), TensorType.of(DType.I32, 1));
            assertArrayEquals(new int[] {2, 5}, run(LayoutKernels::compile, scalar, i32, ints(5)).toArray(KernelHarness.INT));
            OpSpec u8 = spec(new Pad(Pad.Mode.CONSTANT, List.of(1, 1), -3f), TensorType.of(DType.U8, 1));
            assertArrayEquals(new byte[] {0, 8, 0}, toBytes(run(LayoutKernels::compile, scalar, u8, bytes(8))));
            OpSpec i8 = spec(new Pad(Pad.Mode.CONSTANT, List.of(0, 1), 300f), TensorType.of(DType.I8, 1));
            assertArrayEquals(new byte[] {8, 127}, toBytes(run(LayoutKernels::compile, scalar, i8, bytes(8))));
            OpSpec bool = spec(new Pad(Pad.Mode.CONSTANT, List.of(1, 0), 0.5f), TensorType.of(DType.BOOL, 1));
            assertArrayEquals(new byte[] {1, 0}, toBytes(run(LayoutKernels::compile, scalar, bool, bytes(0))));
            OpSpec f16 = spec(new Pad(Pad.Mode.CONSTANT, List.of(1, 0), 1f / 3), TensorType.of(DType.F16, 1));
            MemorySegment h = run(LayoutKernels::compile, scalar, f16, bytes(0, 0));
            assertEquals(Half.floatToF16(1f / 3), h.getAtIndex(KernelHarness.SHORT, 0));
        }
    }

    @Test
    void twinsAgreeForEveryModeAndElementSize() {
        Random r = new Random(6);
        int[] dims = {3, 4, 5};
        List<List<Integer>> padsList = List.of(List.of(0, 0, 0, 0, 0, 0), List.of(1, 2, 3, 2, 1, 0), List.of(2, 0, 4, 0, 3, 1),
                List.of(0, 3, 0, 1, 0, 4));
        for (DType t : LayoutKernelsTest.TYPES) {
            TensorType x = TensorType.of(t, dims);
            MemorySegment xs = random(r, x, -50, 50);
            for (List<Integer> pads : padsList) {
                for (Pad.Mode m : Pad.Mode.values()) {
                    assertTwinsExact(LayoutKernels::compile, spec(new Pad(m, pads, -1.5f), x), xs);
                }
            }
        }
        TensorType wide = f32(200, 1001);
        assertTwinsExact(LayoutKernels::compile, spec(new Pad(Pad.Mode.REFLECT, List.of(1, 5, 0, 7), 0f), wide),
                random(r, wide, 0, 1));
        TensorType scalar = f32();
        assertTwinsExact(LayoutKernels::compile, spec(new Pad(Pad.Mode.CONSTANT, List.of(), 1f), scalar), floats(4));
    }
}
