package dev.accel.backend.cpu.kernels;

import static dev.accel.backend.cpu.kernels.KernelHarness.assertTwinsExact;
import static dev.accel.backend.cpu.kernels.KernelHarness.floats;
import static dev.accel.backend.cpu.kernels.KernelHarness.random;
import static dev.accel.backend.cpu.kernels.KernelHarness.run;
import static dev.accel.backend.cpu.kernels.KernelHarness.runFloats;
import static dev.accel.backend.cpu.kernels.KernelHarness.spec;
import static dev.accel.backend.cpu.kernels.KernelHarness.toBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Concat;
import dev.accel.hal.op.Identity;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Reshape;
import dev.accel.hal.op.Slice;
import dev.accel.hal.op.Split;
import dev.accel.hal.op.Transpose;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LayoutKernelsTest {
    /** One dtype of each element size, plus BOOL. */
    static final DType[] TYPES = {DType.I8, DType.BF16, DType.F32, DType.I64, DType.BOOL};

    private static TensorType f32(int... dims) {
        return TensorType.of(DType.F32, dims);
    }

    private static float[] iota(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return v;
    }

    private static void expect(OpSpec s, float[] want, MemorySegment... in) {
        assertArrayEquals(want, runFloats(LayoutKernels::compile, true, s, in), "scalar " + s);
        assertArrayEquals(want, runFloats(LayoutKernels::compile, false, s, in), "vector " + s);
    }

    @Test
    void transposeHandComputed() {
        expect(spec(new Transpose(List.of(1, 0)), f32(2, 3)), new float[] {0, 3, 1, 4, 2, 5}, floats(iota(6)));
        // [2, 2, 2] with perm [2, 0, 1]: out[i][j][k] = in[j][k][i].
        expect(spec(new Transpose(List.of(2, 0, 1)), f32(2, 2, 2)), new float[] {0, 2, 4, 6, 1, 3, 5, 7}, floats(iota(8)));
        // An empty perm reverses the dimensions.
        expect(spec(new Transpose(List.of()), f32(3, 1, 2)), new float[] {0, 2, 4, 1, 3, 5}, floats(iota(6)));
    }

    @Test
    void channelShuffleMovesWholePlanes() {
        int n = 2;
        int groups = 3;
        int per = 4;
        int hw = 35;
        OpSpec s = spec(new Transpose(List.of(0, 2, 1, 3, 4)), f32(n, groups, per, 5, 7));
        float[] x = iota(n * groups * per * hw);
        float[] y = runFloats(LayoutKernels::compile, false, s, floats(x));
        // Output channel a * groups + g holds input channel g * per + a, plane for plane.
        for (int b = 0; b < n; b++) {
            for (int a = 0; a < per; a++) {
                for (int g = 0; g < groups; g++) {
                    for (int p = 0; p < hw; p++) {
                        float want = x[((b * groups + g) * per + a) * hw + p];
                        assertEquals(want, y[((b * per + a) * groups + g) * hw + p]);
                    }
                }
            }
        }
        assertArrayEquals(y, runFloats(LayoutKernels::compile, true, s, floats(x)));
    }

    @Test
    void transposeTwinsAgreeForEveryPermutationAndElementSize() {
        Random r = new Random(1);
        int[] dims = {2, 3, 4, 5};
        for (DType t : TYPES) {
            TensorType x = TensorType.of(t, dims);
            MemorySegment xs = random(r, x, -100, 100);
            for (List<Integer> perm : permutations(List.of(0, 1, 2, 3))) {
                assertTwinsExact(LayoutKernels::compile, spec(new Transpose(perm), x), xs);
            }
        }
        // Large enough to tile, with edges that are not multiples of the tile.
        for (int[] d : new int[][] {{67, 130}, {3, 33, 65}, {1, 1000, 71}, {512, 300}}) {
            TensorType x = TensorType.of(DType.F32, d);
            MemorySegment xs = random(r, x, -1, 1);
            for (List<Integer> perm : permutations(range(d.length))) {
                assertTwinsExact(LayoutKernels::compile, spec(new Transpose(perm), x), xs);
            }
        }
        assertTwinsExact(LayoutKernels::compile, spec(new Transpose(List.of(1, 0)), f32(0, 4)), floats());
    }

    @Test
    void sliceHandComputed() {
        MemorySegment ten = floats(iota(10));
        expect(spec(new Slice(List.of(8), List.of(1), List.of(), List.of(-3)), f32(10)), new float[] {8, 5, 2}, ten);
        expect(spec(new Slice(List.of(-3), List.of(100), List.of(), List.of()), f32(10)), new float[] {7, 8, 9}, ten);
        // Clamped from both ends with a negative step: the whole axis reversed.
        expect(spec(new Slice(List.of(100), List.of(-100), List.of(0), List.of(-1)), f32(4)), new float[] {3, 2, 1, 0},
                floats(iota(4)));
        expect(spec(new Slice(List.of(1), List.of(3), List.of(1), List.of()), f32(3, 4)), new float[] {1, 2, 5, 6, 9, 10},
                floats(iota(12)));
        expect(spec(new Slice(List.of(5), List.of(2), List.of(), List.of()), f32(10)), new float[0], ten);
    }

    @Test
    void sliceTwinsAgree() {
        Random r = new Random(2);
        int[] dims = {5, 7, 9};
        for (DType t : TYPES) {
            TensorType x = TensorType.of(t, dims);
            MemorySegment xs = random(r, x, -100, 100);
            for (int trial = 0; trial < 40; trial++) {
                List<Integer> starts = new ArrayList<>();
                List<Integer> ends = new ArrayList<>();
                List<Integer> steps = new ArrayList<>();
                for (int d = 0; d < 3; d++) {
                    starts.add(r.nextInt(2 * dims[d] + 4) - dims[d] - 2);
                    ends.add(r.nextInt(2 * dims[d] + 4) - dims[d] - 2);
                    int step = r.nextInt(3) + 1;
                    steps.add(r.nextBoolean() ? step : -step);
                }
                assertTwinsExact(LayoutKernels::compile, spec(new Slice(starts, ends, List.of(0, 1, 2), steps), x), xs);
            }
            // Contiguous inner runs: only the outer axis sliced.
            assertTwinsExact(LayoutKernels::compile, spec(new Slice(List.of(1), List.of(4), List.of(0), List.of()), x), xs);
        }
    }

    @Test
    void identityAndReshapeCopyBytes() {
        Random r = new Random(3);
        for (DType t : TYPES) {
            TensorType x = TensorType.of(t, 3, 70001);
            MemorySegment xs = random(r, x, -5, 5);
            for (boolean scalar : new boolean[] {true, false}) {
                assertArrayEquals(toBytes(xs), toBytes(run(LayoutKernels::compile, scalar, spec(new Identity(), x), xs)));
                OpSpec reshape = spec(new Reshape(Shape.of(70001, 3)), x);
                assertArrayEquals(toBytes(xs), toBytes(run(LayoutKernels::compile, scalar, reshape, xs)));
            }
        }
    }

    @Test
    void concatAndSplitHandComputed() {
        // [2, 1] and [2, 2] along axis 1.
        expect(spec(new Concat(1), f32(2, 1), f32(2, 2)), new float[] {0, 10, 11, 1, 12, 13}, floats(0, 1),
                floats(10, 11, 12, 13));
        expect(spec(new Concat(-1), f32(2), f32(0), f32(1)), new float[] {1, 2, 3}, floats(1, 2), floats(), floats(3));
        for (boolean scalar : new boolean[] {true, false}) {
            OpSpec s = spec(new Split(1, List.of(1, 2)), f32(2, 3));
            CpuOp op = LayoutKernels.compile(s, scalar);
            MemorySegment[] parts = run(op, s, floats(iota(6)));
            assertArrayEquals(new float[] {0, 3}, KernelHarness.toFloats(parts[0]));
            assertArrayEquals(new float[] {1, 2, 4, 5}, KernelHarness.toFloats(parts[1]));
        }
    }

    @Test
    void concatOfSplitIsTheInput() {
        Random r = new Random(4);
        for (DType t : TYPES) {
            for (int axis = 0; axis < 3; axis++) {
                int[] dims = {4, 6, 70};
                TensorType x = TensorType.of(t, dims);
                MemorySegment xs = random(r, x, -100, 100);
                List<Integer> sizes = List.of(1, 0, dims[axis] - 3, 2);
                OpSpec split = spec(new Split(axis, sizes), x);
                assertTwinsExact(LayoutKernels::compile, split, xs);
                MemorySegment[] parts = run(LayoutKernels.compile(split, false), split, xs);
                OpSpec concat = spec(new Concat(axis), split.outputs().toArray(TensorType[]::new));
                assertTwinsExact(LayoutKernels::compile, concat, parts);
                assertArrayEquals(toBytes(xs), toBytes(run(LayoutKernels.compile(concat, false), concat, parts)[0]));
            }
        }
        TensorType big = f32(1, 300000);
        OpSpec whole = spec(new Concat(1), big, big);
        assertTwinsExact(LayoutKernels::compile, whole, random(r, big, 0, 1), random(r, big, 0, 1));
    }

    private static List<Integer> range(int n) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(i);
        }
        return l;
    }

    static List<List<Integer>> permutations(List<Integer> items) {
        if (items.isEmpty()) {
            return List.of(List.of());
        }
        List<List<Integer>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<Integer> rest = new ArrayList<>(items);
            Integer head = rest.remove(i);
            for (List<Integer> p : permutations(rest)) {
                List<Integer> l = new ArrayList<>();
                l.add(head);
                l.addAll(p);
                out.add(l);
            }
        }
        return out;
    }
}
