package dev.accel.backend.cpu.linalg;

import static dev.accel.backend.cpu.linalg.LinalgTestSupport.assertFloats;
import static dev.accel.backend.cpu.linalg.LinalgTestSupport.assertSameBytes;
import static dev.accel.backend.cpu.linalg.LinalgTestSupport.floats;
import static dev.accel.backend.cpu.linalg.LinalgTestSupport.toDoubles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Winograd F(2x2, 3x3), forced on ({@link Winograd.Mode#WINOGRAD}), against the float64 direct
 * convolution of {@link References}: odd and even planes, padding 0 and 1 (and asymmetric), channel
 * counts that are not multiples of the vector length, batches, with and without bias, weights
 * constant (transformed at compile time) or not; and the scalar twin, which stays the plain direct
 * convolution.
 */
class WinogradTest {
    private static Conv2d geo(int pt, int pl, int pb, int pr) {
        return new Conv2d(1, 1, pt, pl, pb, pr, 1, 1, 1);
    }

    @Test
    void oddAndEvenPlanesPaddedOrNot() {
        check(new int[] {1, 5, 7, 9}, 6, Conv2d.of(1, 1, 1), true, 1);
        check(new int[] {1, 17, 8, 8}, 33, Conv2d.of(1, 1, 1), false, 2);
        check(new int[] {1, 3, 9, 6}, 7, Conv2d.of(1, 0, 1), true, 3);
        check(new int[] {1, 19, 10, 11}, 5, Conv2d.of(1, 0, 1), false, 4);
        check(new int[] {1, 2, 3, 3}, 3, Conv2d.of(1, 0, 1), true, 5);
        check(new int[] {1, 4, 1, 1}, 2, Conv2d.of(1, 1, 1), true, 6);
    }

    @Test
    void batchesAndWideRows() {
        check(new int[] {3, 7, 5, 13}, 9, Conv2d.of(1, 1, 1), true, 10);
        check(new int[] {2, 33, 14, 14}, 40, Conv2d.of(1, 1, 1), false, 11);
        // More tile columns than two vectors, rows of odd width.
        check(new int[] {1, 3, 6, 71}, 4, Conv2d.of(1, 1, 1), true, 12);
    }

    @Test
    void asymmetricPads() {
        check(new int[] {1, 5, 8, 7}, 6, geo(0, 1, 2, 0), true, 20);
        check(new int[] {2, 3, 6, 9}, 4, geo(2, 0, 1, 2), false, 21);
    }

    @Test
    void resNetShapeWithManyChannels() {
        check(new int[] {1, 64, 14, 14}, 48, Conv2d.of(1, 1, 1), true, 30);
    }

    @Test
    void outputIsTheSameWhetherPreparedOrNot() {
        OpSpec spec = spec(new int[] {2, 9, 11, 10}, 13, Conv2d.of(1, 1, 1), true);
        try (Arena arena = Arena.ofShared()) {
            Random r = new Random(40);
            MemorySegment[] in = inputs(arena, r, spec);
            MemorySegment plain = run(arena, spec, Map.of(), Winograd.Mode.WINOGRAD, in);
            assertSameBytes("weights constant", plain, run(arena, spec, Map.of(1, in[1]), Winograd.Mode.WINOGRAD, in));
            assertSameBytes("weights and bias constant", plain,
                    run(arena, spec, Map.of(1, in[1], 2, in[2]), Winograd.Mode.WINOGRAD, in));
        }
    }

    @Test
    void ruleAndModes() {
        ConvGeom small = geom(new int[] {1, 16, 14, 14}, 64, Conv2d.of(1, 1, 1));
        ConvGeom big = geom(new int[] {1, 64, 14, 14}, 64, Conv2d.of(1, 1, 1));
        ConvGeom strided = geom(new int[] {1, 64, 14, 14}, 64, Conv2d.of(2, 1, 1));
        assertTrue(Winograd.applies(small));
        assertFalse(Winograd.applies(strided));
        assertEquals(Winograd.preferred(big), Winograd.chosen(big, Winograd.Mode.AUTO));
        assertFalse(Winograd.chosen(small, Winograd.Mode.AUTO), "fewer channels than the threshold");
        assertFalse(Winograd.chosen(big, Winograd.Mode.IM2COL));
        assertTrue(Winograd.chosen(small, Winograd.Mode.WINOGRAD));
        assertFalse(Winograd.chosen(strided, Winograd.Mode.WINOGRAD));
        assertThrows(IllegalArgumentException.class, () -> Winograd.of(strided, null));
        // The measured rule on ResNet-50's 3x3 layers: res3 and res4 take Winograd whole; res2 (scratch
        // too large for one block) takes it where it splits into blocks evenly over the threads (2 here);
        // res5 (too few tiles) keeps im2col.
        ConvGeom res2 = geom(new int[] {1, 64, 56, 56}, 64, Conv2d.of(1, 1, 1));
        boolean res2Blocks = Winograd.blockRows(res2, 28, 28, Winograd.budget(), dev.accel.backend.cpu.CpuParallel.THREADS) > 0;
        assertEquals(res2Blocks, Winograd.preferred(res2), "res2");
        assertEquals(res2Blocks, Winograd.of(res2, null).blocked());
        assertTrue(Winograd.preferred(geom(new int[] {1, 128, 28, 28}, 128, Conv2d.of(1, 1, 1))), "res3");
        assertTrue(Winograd.preferred(geom(new int[] {1, 256, 14, 14}, 256, Conv2d.of(1, 1, 1))), "res4");
        assertFalse(Winograd.preferred(geom(new int[] {1, 512, 7, 7}, 512, Conv2d.of(1, 1, 1))), "res5");
        // SqueezeNet's 13x13 layers: fire9's expand (49 tiles of 64 channels) keeps im2col, a 13x13
        // layer of 128 channels takes Winograd.
        assertFalse(Winograd.preferred(geom(new int[] {1, 64, 13, 13}, 256, Conv2d.of(1, 1, 1))), "fire9");
        assertTrue(Winograd.preferred(geom(new int[] {1, 128, 13, 13}, 256, Conv2d.of(1, 1, 1))), "13x13, 128 channels");
        // SqueezeNet's 27x27 expand layers (32 and 48 input channels) keep im2col.
        assertFalse(Winograd.preferred(geom(new int[] {1, 32, 27, 27}, 128, Conv2d.of(1, 1, 1))), "fire4");
        assertFalse(Winograd.preferred(geom(new int[] {1, 48, 27, 27}, 192, Conv2d.of(1, 1, 1))), "fire6");
        // VGG-19's 28x28 layers (scratch over MAX_SCRATCH, too few tile rows for blocks): deep enough
        // to take Winograd unblocked; not with 128 channels, nor past MAX_DEEP_SCRATCH.
        ConvGeom conv4 = geom(new int[] {1, 512, 28, 28}, 512, Conv2d.of(1, 1, 1));
        assertEquals(0, Winograd.blockRows(conv4, 14, 14, Winograd.budget(), 2));
        assertTrue(Winograd.preferred(conv4), "VGG-19 conv4");
        assertTrue(Winograd.preferred(geom(new int[] {1, 256, 28, 28}, 512, Conv2d.of(1, 1, 1))), "VGG-19 conv4_1");
        assertFalse(Winograd.of(conv4, null).blocked());
        assertFalse(Winograd.preferred(geom(new int[] {1, 128, 40, 40}, 128, Conv2d.of(1, 1, 1))), "128 channels, 400 tiles");
        ConvGeom wide = geom(new int[] {1, 512, 56, 56}, 512, Conv2d.of(1, 1, 1));
        assertEquals(Winograd.blockRows(wide, 28, 28, Winograd.budget(), dev.accel.backend.cpu.CpuParallel.THREADS) > 0,
                Winograd.preferred(wide), "12.8 M floats of scratch: only blocked");
    }

    @Test
    void blockSizes() {
        ConvGeom res2 = geom(new int[] {1, 64, 56, 56}, 64, Conv2d.of(1, 1, 1));
        // 2^19 floats hold 256 tiles of 16 (64 + 64) floats: 9 of 28 tile rows; 4 blocks of 7 rows split
        // the image evenly and are a multiple of the threads.
        assertEquals(7, Winograd.blockRows(res2, 28, 28, 1 << 19, 2));
        assertEquals(7, Winograd.blockRows(res2, 28, 28, 1 << 19, 1));
        // 4 threads need 8 blocks of 4 rows: under the 128-tile minimum.
        assertEquals(0, Winograd.blockRows(res2, 28, 28, 1 << 19, 4));
        assertEquals(0, Winograd.blockRows(res2, 28, 28, 0, 2), "budget 0 turns blocking off");
        // A small budget still keeps 128 tiles (5 rows of 28): 6 blocks of 5 rows.
        assertEquals(5, Winograd.blockRows(res2, 28, 28, 1, 2));
        // res3 at 2 threads: 4 blocks would hold 56 tiles, under the minimum.
        assertEquals(0, Winograd.blockRows(geom(new int[] {1, 128, 28, 28}, 128, Conv2d.of(1, 1, 1)), 14, 14, 1 << 19, 2));
        // A batch of 2 at 112x112 (56 tile rows), 16 + 16 channels: 2^19 floats hold 1024 tiles, 18 rows;
        // 4 blocks of 14 rows per image, 8 over the batch.
        ConvGeom big = geom(new int[] {2, 16, 112, 112}, 16, Conv2d.of(1, 1, 1));
        assertEquals(14, Winograd.blockRows(big, 56, 56, 1 << 19, 2));
    }

    @Test
    void blockedPathMatchesTheReference() {
        // Blocks forced small (including a last block shorter than the rest), batches, odd sizes, pads.
        checkBlocked(new int[] {2, 5, 11, 9}, 7, Conv2d.of(1, 1, 1), 2, true, 50);
        checkBlocked(new int[] {1, 33, 14, 13}, 17, Conv2d.of(1, 1, 1), 3, false, 51);
        checkBlocked(new int[] {3, 4, 9, 20}, 6, geo(2, 0, 1, 2), 1, true, 52);
        checkBlocked(new int[] {1, 3, 8, 8}, 5, Conv2d.of(1, 0, 1), 4, true, 53);
    }

    /** The blocked path with {@code rows} tile rows per block, prepared and not, against the float64 reference. */
    private static void checkBlocked(int[] xd, int m, Conv2d c, int rows, boolean bias, long seed) {
        OpSpec spec = spec(xd, m, c, bias);
        ConvGeom g = geom(xd, m, c);
        int[] wd = {m, xd[1], 3, 3};
        try (Arena arena = Arena.ofShared()) {
            Random r = new Random(seed);
            MemorySegment[] in = inputs(arena, r, spec);
            References.Result ref = References.conv(toDoubles(in[0]), xd, toDoubles(in[1]), wd, bias ? toDoubles(in[2]) : null,
                    LinalgChecks.ref(c));
            float[] b = bias ? in[2].toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT) : null;
            for (MemorySegment constant : new MemorySegment[] {null, in[1]}) {
                Winograd wg = Winograd.of(g, constant, rows);
                assertTrue(wg.blocked());
                long size = spec.outputs().get(0).byteSize();
                MemorySegment y = arena.allocate(size, 64);
                y.fill((byte) 0x7f);
                wg.run(in[0], in[1], b, y);
                assertFloats(spec + " blocked by " + rows + (constant == null ? "" : " prepared"), y, ref);
            }
        }
    }

    @Test
    void filterTransformMatchesGgGt() {
        // One 3x3 filter: U = G g G^T computed here by plain matrix products in float64.
        ConvGeom g = geom(new int[] {1, 1, 4, 4}, 1, Conv2d.of(1, 1, 1));
        float[] k = {1, -2, 3, 0.5f, 4, -1, 2, 7, -3};
        double[][] gm = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
        float[] u = Winograd.transformFilter(g, MemorySegment.ofArray(k));
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                double e = 0;
                for (int a = 0; a < 3; a++) {
                    for (int b = 0; b < 3; b++) {
                        e += gm[i][a] * k[3 * a + b] * gm[j][b];
                    }
                }
                assertEquals(e, u[4 * i + j], 1e-6, "U[" + i + "][" + j + "]");
            }
        }
    }

    /** Winograd (unprepared and prepared) and the scalar twin against the float64 reference. */
    private static void check(int[] xd, int m, Conv2d g, boolean bias, long seed) {
        OpSpec spec = spec(xd, m, g, bias);
        int[] wd = {m, xd[1], 3, 3};
        try (Arena arena = Arena.ofShared()) {
            Random r = new Random(seed);
            MemorySegment[] in = inputs(arena, r, spec);
            References.Result ref = References.conv(toDoubles(in[0]), xd, toDoubles(in[1]), wd, bias ? toDoubles(in[2]) : null,
                    LinalgChecks.ref(g));
            assertFloats(spec + " winograd", run(arena, spec, Map.of(), Winograd.Mode.WINOGRAD, in), ref);
            Map<Integer, MemorySegment> constants = bias ? Map.of(1, in[1], 2, in[2]) : Map.of(1, in[1]);
            assertFloats(spec + " winograd prepared", run(arena, spec, constants, Winograd.Mode.WINOGRAD, in), ref);
            assertFloats(spec + " scalar", LinalgTestSupport.run(arena, spec, true, in), ref);
        }
    }

    private static OpSpec spec(int[] xd, int m, Conv2d g, boolean bias) {
        List<TensorType> types = new ArrayList<>(List.of(TensorType.of(DType.F32, xd), TensorType.of(DType.F32, m, xd[1], 3, 3)));
        if (bias) {
            types.add(TensorType.of(DType.F32, m));
        }
        return OpSpec.of(g, types);
    }

    private static ConvGeom geom(int[] xd, int m, Conv2d g) {
        OpSpec spec = spec(xd, m, g, false);
        return ConvGeom.of(g, spec.inputs().get(0).shape(), spec.inputs().get(1).shape(), spec.outputs().get(0).shape());
    }

    private static MemorySegment[] inputs(Arena arena, Random r, OpSpec spec) {
        MemorySegment[] in = new MemorySegment[spec.inputs().size()];
        for (int i = 0; i < in.length; i++) {
            in[i] = floats(arena, r, spec.inputs().get(i).numel());
        }
        return in;
    }

    private static MemorySegment run(Arena arena, OpSpec spec, Map<Integer, MemorySegment> constants, Winograd.Mode mode,
            MemorySegment... in) {
        CpuOp op = ConvKernels.conv2d(spec, (Conv2d) spec.op(), constants, mode);
        long size = spec.outputs().get(0).byteSize();
        MemorySegment y = arena.allocate(Math.max(1, size), 64).asSlice(0, size);
        y.fill((byte) 0x7f);
        op.run(in, new MemorySegment[] {y});
        return y;
    }
}
