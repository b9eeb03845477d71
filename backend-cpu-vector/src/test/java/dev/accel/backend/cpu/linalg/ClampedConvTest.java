package dev.accel.backend.cpu.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A clamped convolution (the vector form of a FusedConv with Relu or Clip) against the same
 * convolution unclamped with the bounds applied afterwards, element by element: bit for bit, on
 * every path that applies the bounds in its own stores and on those that clamp after.
 */
class ClampedConvTest {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final Clamp RELU = new Clamp(0f, Float.POSITIVE_INFINITY);
    private static final Clamp RELU6 = new Clamp(0f, 6f);

    @Test
    void gemmPathsClampInTheLastKBlockOnly() {
        // Channel-major with B read in place; K = 512 in two blocks (a clamp in the first would
        // cut the partial sums); edge tiles (m = 50, 99 positions).
        ConvGeom g = LinalgTestSupport.convGeom(new int[] {1, 512, 9, 11}, new int[] {50, 512, 1, 1}, Conv2d.simple());
        assertTrue(!ConvKernels.pixelMajor(g) && g.kg() > GemmCore.KC);
        check(new int[] {1, 512, 9, 11}, new int[] {50, 512, 1, 1}, Conv2d.simple(), RELU, 1);
        // Channel-major with B packed (more than DIRECT_MAX_ROWS rows), two images, two groups.
        check(new int[] {2, 40, 10, 10}, new int[] {300, 20, 1, 1}, Conv2d.of(1, 0, 2), RELU6, 2);
        // Pixel-major: a 7x7 plane with deep K, transposed out through whole 16 x 16 blocks and the rest.
        g = LinalgTestSupport.convGeom(new int[] {1, 512, 7, 7}, new int[] {256, 512, 1, 1}, Conv2d.simple());
        assertTrue(ConvKernels.pixelMajor(g));
        check(new int[] {1, 512, 7, 7}, new int[] {256, 512, 1, 1}, Conv2d.simple(), RELU, 3);
        // Lowered (im2col) 5x5, and 7-wide rows computed wide then copied out.
        check(new int[] {1, 20, 12, 12}, new int[] {24, 20, 5, 5}, Conv2d.of(1, 2, 1), RELU6, 4);
        check(new int[] {1, 3, 7, 7}, new int[] {384, 3, 3, 3}, Conv2d.of(1, 1, 1), RELU, 5);
        // A strided 1x1: the stride-1 one over the subsampled input, clamped there.
        check(new int[] {1, 32, 14, 14}, new int[] {64, 32, 1, 1}, Conv2d.of(2, 0, 1), RELU, 6);
    }

    @Test
    void directPlanarWinogradAndDepthwiseFormsAreClampedToo() {
        int[] x = {1, 64, 28, 28};
        int[] w = {64, 64, 3, 3};
        ConvGeom g = LinalgTestSupport.convGeom(x, w, Conv2d.of(1, 1, 1));
        if (DirectConv.chosen(g, Winograd.Mode.AUTO)) {
            check(x, w, Conv2d.of(1, 1, 1), RELU, 10);
        }
        // The direct form in its transpose, wherever it applies, whatever the rule picks by default.
        check(x, w, Conv2d.of(1, 1, 1), RELU6, 11, Winograd.Mode.AUTO, true);
        g = LinalgTestSupport.convGeom(new int[] {1, 3, 33, 33}, new int[] {16, 3, 3, 3}, Conv2d.of(2, 1, 1));
        assertTrue(PlanarConv.chosen(g, Winograd.Mode.AUTO));
        check(new int[] {2, 3, 33, 33}, new int[] {16, 3, 3, 3}, Conv2d.of(2, 1, 1), RELU, 12);
        check(new int[] {1, 128, 14, 14}, new int[] {128, 128, 3, 3}, Conv2d.of(1, 1, 1), RELU, 13, Winograd.Mode.WINOGRAD, false);
        // Depthwise 3x3 (the pairwise kernel and an odd plane left over) and a 5x5 through the general one.
        check(new int[] {1, 33, 14, 14}, new int[] {33, 1, 3, 3}, Conv2d.of(1, 1, 33), RELU6, 14);
        check(new int[] {1, 8, 11, 11}, new int[] {8, 1, 5, 5}, Conv2d.of(2, 2, 8), RELU, 15);
    }

    @Test
    void aResidualIsAddedBeforeTheBoundsOnEveryForm() {
        // Channel-major (two K blocks; edge tiles), pixel-major, wide rows, strided 1x1, and the forms
        // that add and clamp afterwards: direct, planar, Winograd, depthwise.
        check(new int[] {1, 512, 9, 11}, new int[] {50, 512, 1, 1}, Conv2d.simple(), RELU, 21, Winograd.Mode.AUTO, false, true);
        check(new int[] {2, 64, 10, 10}, new int[] {256, 64, 1, 1}, Conv2d.simple(), RELU6, 22, Winograd.Mode.AUTO, false, true);
        check(new int[] {1, 512, 7, 7}, new int[] {256, 512, 1, 1}, Conv2d.simple(), RELU, 23, Winograd.Mode.AUTO, false, true);
        // Packed B (more rows than GemmCore reads in place), K = 640 in three blocks: the residual in
        // the last block's full tiles and edge tiles, after the partial sums, as an Add after the Conv.
        ConvGeom g = LinalgTestSupport.convGeom(new int[] {1, 640, 16, 16}, new int[] {160, 640, 1, 1}, Conv2d.simple());
        assertTrue(!ConvKernels.pixelMajor(g) && g.mg() > GemmCore.DIRECT_MAX_ROWS && g.kg() > 2 * GemmCore.KC);
        check(new int[] {1, 640, 16, 16}, new int[] {160, 640, 1, 1}, Conv2d.simple(), RELU, 31, Winograd.Mode.AUTO, false, true);
        // 7-wide rows computed wide then copied out: the residual added after the copy.
        g = LinalgTestSupport.convGeom(new int[] {1, 20, 7, 7}, new int[] {24, 20, 3, 3}, Conv2d.of(1, 1, 1));
        assertTrue(ConvKernels.wideRow(g) > 0 && !ConvKernels.pixelMajor(g) && !DirectConv.chosen(g, Winograd.Mode.AUTO)
                && !PlanarConv.chosen(g, Winograd.Mode.AUTO));
        check(new int[] {1, 20, 7, 7}, new int[] {24, 20, 3, 3}, Conv2d.of(1, 1, 1), RELU, 24, Winograd.Mode.AUTO, false, true);
        check(new int[] {1, 32, 14, 14}, new int[] {64, 32, 1, 1}, Conv2d.of(2, 0, 1), RELU, 25, Winograd.Mode.AUTO, false, true);
        check(new int[] {1, 64, 28, 28}, new int[] {64, 64, 3, 3}, Conv2d.of(1, 1, 1), RELU, 26, Winograd.Mode.AUTO, false, true);
        check(new int[] {2, 3, 33, 33}, new int[] {16, 3, 3, 3}, Conv2d.of(2, 1, 1), RELU, 27, Winograd.Mode.AUTO, false, true);
        check(new int[] {1, 128, 14, 14}, new int[] {128, 128, 3, 3}, Conv2d.of(1, 1, 1), RELU, 28, Winograd.Mode.WINOGRAD, false,
                true);
        check(new int[] {1, 33, 14, 14}, new int[] {33, 1, 3, 3}, Conv2d.of(1, 1, 33), RELU6, 29, Winograd.Mode.AUTO, false, true);
        // No bias: the residual alone after the product.
        try (Arena arena = Arena.ofShared()) {
            OpSpec spec = OpSpec.of(Conv2d.simple(), TensorType.of(DType.F32, 1, 40, 6, 6), TensorType.of(DType.F32, 30, 40, 1, 1));
            Random r = new Random(30);
            MemorySegment x = LinalgTestSupport.floats(arena, r, spec.inputs().get(0).numel());
            MemorySegment w = LinalgTestSupport.floats(arena, r, spec.inputs().get(1).numel());
            MemorySegment z = LinalgTestSupport.floats(arena, r, spec.outputs().get(0).numel());
            MemorySegment plain = run(arena, spec, ConvKernels.conv2d(spec, Conv2d.simple(), Map.of(1, w)), new MemorySegment[] {x, w});
            MemorySegment fused = run(arena, spec, ConvKernels.conv2d(spec, Conv2d.simple(), Map.of(1, w), RELU, 2),
                    new MemorySegment[] {x, w, z});
            for (long i = 0; i < spec.outputs().get(0).numel(); i++) {
                assertEquals(RELU.apply(plain.getAtIndex(FLOAT, i) + z.getAtIndex(FLOAT, i)), fused.getAtIndex(FLOAT, i));
            }
        }
    }

    @Test
    void theBoundsKeepNaNAndMapNegativeZeroAsRelu() {
        assertEquals(Float.floatToIntBits(Float.NaN), Float.floatToIntBits(RELU.apply(Float.NaN)));
        assertEquals(0f, RELU.apply(-0f));
        assertEquals(Float.floatToIntBits(Math.max(-0f, 0f)), Float.floatToIntBits(RELU.apply(-0f)));
        assertEquals(6f, RELU6.apply(7.5f));
        assertTrue(Clamp.NONE.none() && !RELU.none());
    }

    private static void check(int[] x, int[] w, Conv2d c, Clamp clamp, long seed) {
        check(x, w, c, clamp, seed, Winograd.Mode.AUTO, false);
    }

    /**
     * Runs the Conv clamped and unclamped (weights and bias constant, as plans compile them; then
     * read at run time), with a NaN among the inputs, and compares the clamped output with the
     * unclamped one clamped element by element. {@code direct}: through {@link DirectConv} itself.
     */
    private static void check(int[] x, int[] w, Conv2d c, Clamp clamp, long seed, Winograd.Mode mode, boolean direct) {
        check(x, w, c, clamp, seed, mode, direct, false);
    }

    /** As above; with {@code residual}, a fourth input of the output's shape added before the bounds. */
    private static void check(int[] x, int[] w, Conv2d c, Clamp clamp, long seed, Winograd.Mode mode, boolean direct,
            boolean residual) {
        try (Arena arena = Arena.ofShared()) {
            Random r = new Random(seed);
            OpSpec spec = OpSpec.of(c, TensorType.of(DType.F32, x), TensorType.of(DType.F32, w), TensorType.of(DType.F32, w[0]));
            MemorySegment xs = LinalgTestSupport.floats(arena, r, spec.inputs().get(0).numel());
            xs.setAtIndex(FLOAT, xs.byteSize() / 8, Float.NaN);
            MemorySegment ws = LinalgTestSupport.floats(arena, r, spec.inputs().get(1).numel());
            MemorySegment bs = LinalgTestSupport.floats(arena, r, w[0]);
            MemorySegment zs = residual ? LinalgTestSupport.floats(arena, r, spec.outputs().get(0).numel()) : null;
            MemorySegment[] in = residual ? new MemorySegment[] {xs, ws, bs, zs} : new MemorySegment[] {xs, ws, bs};
            for (Map<Integer, MemorySegment> constants : java.util.List.of(Map.of(1, ws, 2, bs), Map.<Integer, MemorySegment>of())) {
                MemorySegment plain = run(arena, spec, compile(spec, c, constants, mode, Clamp.NONE, direct), in);
                MemorySegment clamped = run(arena, spec, residual ? ConvKernels.conv2d(spec, c, constants, mode, clamp, 3)
                        : compile(spec, c, constants, mode, clamp, direct), in);
                long n = spec.outputs().get(0).numel();
                int negative = 0;
                for (long i = 0; i < n; i++) {
                    float v = plain.getAtIndex(FLOAT, i) + (residual ? zs.getAtIndex(FLOAT, i) : 0f);
                    negative += v < 0 ? 1 : 0;
                    assertEquals(Float.floatToIntBits(clamp.apply(v)), Float.floatToIntBits(clamped.getAtIndex(FLOAT, i)),
                            () -> spec + " " + clamp + ", element " + " of " + n);
                }
                assertTrue(negative > n / 10, "the unclamped output has negative values to clamp");
            }
        }
    }

    private static CpuOp compile(OpSpec spec, Conv2d c, Map<Integer, MemorySegment> constants, Winograd.Mode mode, Clamp clamp,
            boolean direct) {
        if (!direct) {
            return ConvKernels.conv2d(spec, c, constants, mode, clamp);
        }
        ConvGeom g = LinalgTestSupport.convGeom(spec.inputs().get(0).shape().dims(), spec.inputs().get(1).shape().dims(), c);
        assertTrue(DirectConv.applies(g));
        DirectConv d = new DirectConv(g, clamp);
        return (in, out) -> {
            float[] packed = d.pack(in[1]);
            d.run(in[0], 0, packed, in[2].toArray(FLOAT), out[0]);
        };
    }

    private static MemorySegment run(Arena arena, OpSpec spec, CpuOp op, MemorySegment[] in) {
        long size = spec.outputs().get(0).byteSize();
        MemorySegment out = arena.allocate(size, 64);
        out.fill((byte) 0x7f);
        op.run(in, new MemorySegment[] {out});
        return out;
    }
}
