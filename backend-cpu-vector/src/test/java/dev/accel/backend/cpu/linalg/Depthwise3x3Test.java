package dev.accel.backend.cpu.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The pad-free depthwise 3x3 path ({@link Depthwise3x3}) against the padded one ({@link Depthwise},
 * bit for bit: both sum in the same order) and against a plain double-precision loop, over plane
 * sizes on both sides of one and two vectors, both strides, with and without the extra bottom and
 * right padding row, on the first, middle and last planes of a tensor (the ends run from a copy).
 */
class Depthwise3x3Test {
    private static final int L = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();

    @Test
    void matchesThePaddedPathBitForBitAndAPlainLoop() {
        Random rnd = new Random(7);
        int checked = 0;
        int[] sizes = {1, 2, 3, 5, 7, 13, 14, L - 1, L, L + 1, 2 * L - 1, 2 * L, 2 * L + 1, 3 * L + 5, 56};
        for (int s = 1; s <= 2; s++) {
            for (int h : new int[] {1, 2, 3, 4, 7, 14, 15}) {
                for (int w : sizes) {
                    for (int extra = 0; extra <= 1; extra++) {
                        int oh = (h + 1 + extra - 3) / s + 1;
                        int ow = (w + 1 + extra - 3) / s + 1;
                        if (oh < 1 || ow < 1) {
                            continue;
                        }
                        check(new ConvGeom(1, 5, h, w, 5, 3, 3, oh, ow, 5, s, s, 1, 1, 1, 1), rnd);
                        checked++;
                    }
                }
            }
        }
        assertEquals(399, checked, "geometries covered");
    }

    private static void check(ConvGeom g, Random rnd) {
        Depthwise3x3 direct = Depthwise3x3.of(g);
        assertNotNull(direct, g.toString());
        Depthwise padded = new Depthwise(g);
        int c = g.c();
        int plane = g.h() * g.w();
        int out = g.oh() * g.ow();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate((long) c * plane * 4);
            for (long i = 0; i < (long) c * plane; i++) {
                x.setAtIndex(ValueLayout.JAVA_FLOAT, i, rnd.nextFloat() * 2 - 1);
            }
            MemorySegment y1 = arena.allocate((long) c * out * 4);
            MemorySegment y2 = arena.allocate((long) c * out * 4);
            float[] pad = new float[padded.scratchSize()];
            float[] row = new float[g.w() + 2 * L];
            float[] acc = new float[Depthwise.CHAINS * L];
            for (int p = 0; p < c; p++) {
                float[] wk = new float[9];
                for (int i = 0; i < 9; i++) {
                    wk[i] = rnd.nextFloat() * 2 - 1;
                }
                float bias = rnd.nextFloat() - 0.5f;
                padded.load(pad, row, x, (long) p * plane, false, false, 0);
                padded.compute(pad, wk, bias, y1, (long) p * out, false, acc);
                direct.compute(x, (long) p * plane, wk, bias, y2, (long) p * out);
                for (int oy = 0; oy < g.oh(); oy++) {
                    for (int ox = 0; ox < g.ow(); ox++) {
                        long at = (long) p * out + (long) oy * g.ow() + ox;
                        float want = y1.getAtIndex(ValueLayout.JAVA_FLOAT, at);
                        float got = y2.getAtIndex(ValueLayout.JAVA_FLOAT, at);
                        String where = g + " plane " + p + " at (" + oy + ", " + ox + ")";
                        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got), where + ": " + want + " vs " + got);
                        double ref = reference(x, (long) p * plane, g, wk, bias, oy, ox);
                        assertEquals(ref, got, 1e-5, where);
                    }
                }
            }
        }
    }

    private static double reference(MemorySegment x, long base, ConvGeom g, float[] wk, float bias, int oy, int ox) {
        double sum = bias;
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                int iy = oy * g.sh() + i - 1;
                int ix = ox * g.sw() + j - 1;
                if (iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w()) {
                    sum += (double) wk[i * 3 + j] * x.getAtIndex(ValueLayout.JAVA_FLOAT, base + (long) iy * g.w() + ix);
                }
            }
        }
        return sum;
    }

    @Test
    void pairedPlanesHaveTheBitsOfSinglePlanes() {
        // Stride 2 with input rows of at most one vector: two planes per vector (computePair), here
        // the first and last planes of the tensor (the last pair falls back to one plane at a time)
        // and two planes in the middle, in both orders.
        Random rnd = new Random(11);
        int checked = 0;
        for (int h = 1; h <= L + 1; h++) {
            for (int w = 1; w <= L; w++) {
                for (int extra = 0; extra <= 1; extra++) {
                    int oh = (h + extra - 2) / 2 + 1;
                    int ow = (w + extra - 2) / 2 + 1;
                    ConvGeom g = new ConvGeom(1, 6, h, w, 6, 3, 3, oh, ow, 6, 2, 2, 1, 1, 1, 1);
                    Depthwise3x3 d = Depthwise3x3.of(g);
                    if (d == null || !d.pairs()) {
                        continue;
                    }
                    checkPairs(g, d, rnd);
                    checked++;
                }
            }
        }
        assertEquals(2 * (L + 1) * L, checked, "geometries covered");
    }

    private static void checkPairs(ConvGeom g, Depthwise3x3 d, Random rnd) {
        int plane = g.h() * g.w();
        int out = g.oh() * g.ow();
        int c = g.c();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate((long) c * plane * 4);
            for (long i = 0; i < (long) c * plane; i++) {
                x.setAtIndex(ValueLayout.JAVA_FLOAT, i, rnd.nextFloat() * 2 - 1);
            }
            float[][] wk = new float[c][9];
            float[] bias = new float[c];
            for (int p = 0; p < c; p++) {
                for (int i = 0; i < 9; i++) {
                    wk[p][i] = rnd.nextFloat() * 2 - 1;
                }
                bias[p] = rnd.nextFloat() - 0.5f;
            }
            MemorySegment single = arena.allocate((long) c * out * 4);
            MemorySegment paired = arena.allocate((long) c * out * 4);
            for (int p = 0; p < c; p++) {
                d.compute(x, (long) p * plane, wk[p], bias[p], single, (long) p * out);
            }
            int[][] pairs = {{0, 1}, {3, 2}, {4, 5}};
            for (int[] pr : pairs) {
                int a = pr[0];
                int b = pr[1];
                d.computePair(x, (long) a * plane, (long) b * plane, wk[a], bias[a], wk[b], bias[b], paired, (long) a * out,
                        (long) b * out);
            }
            for (int i = 0; i < c * out; i++) {
                assertEquals(Float.floatToIntBits(single.getAtIndex(ValueLayout.JAVA_FLOAT, i)),
                        Float.floatToIntBits(paired.getAtIndex(ValueLayout.JAVA_FLOAT, i)), g + " element " + i);
            }
        }
    }

    @Test
    void takesOnlyThreeByThreeWithOnePixelOfPaddingAtStrideOneOrTwo() {
        assertNotNull(Depthwise3x3.of(new ConvGeom(1, 8, 14, 14, 8, 3, 3, 7, 7, 8, 2, 2, 1, 1, 1, 1)));
        assertNull(Depthwise3x3.of(new ConvGeom(1, 8, 14, 14, 8, 3, 3, 12, 12, 8, 1, 1, 0, 0, 1, 1)), "no padding");
        assertNull(Depthwise3x3.of(new ConvGeom(1, 8, 14, 14, 8, 3, 3, 14, 14, 8, 1, 1, 2, 2, 2, 2)), "dilation 2");
        assertNull(Depthwise3x3.of(new ConvGeom(1, 8, 14, 14, 8, 3, 3, 5, 5, 8, 3, 3, 1, 1, 1, 1)), "stride 3");
        assertNull(Depthwise3x3.of(new ConvGeom(1, 8, 14, 14, 8, 3, 3, 14, 7, 8, 1, 2, 1, 1, 1, 1)), "strides differ");
        assertNull(Depthwise3x3.of(new ConvGeom(1, 8, 14, 14, 8, 5, 5, 14, 14, 8, 1, 1, 2, 2, 1, 1)), "5x5");
        assertNull(Depthwise3x3.of(new ConvGeom(1, 8, 14, 14, 8, 3, 3, 16, 16, 8, 1, 1, 1, 1, 1, 1)), "two rows of bottom padding");
    }
}
