package dev.accel.backend.cpu.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.accel.hal.op.Conv2d;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Packing the lowered convolution input straight from the image: every B panel that
 * {@link Im2colSource#packColumns} writes (contiguous, split across an output-row end, gathered,
 * with dead lanes past the last position) equals the im2col matrix computed directly from the
 * input with explicit bounds tests.
 */
class Im2colSourceTest {
    private static final int NR = GemmCore.NR;

    /** Geometries: {c, h, w, kh, kw, stride h, stride w, pad top, pad left, pad bottom, pad right, dil h, dil w}. */
    private static final int[][] GEOMETRIES = {
        {3, 9, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},   // rows longer than a panel: contiguous and split vectors
        {2, 11, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},  // rows just over a vector
        {4, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},    // rows narrower than a vector: gathers
        {3, 15, 21, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},  // stride 2: phases, rows narrower than a vector
        {2, 9, 70, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},   // stride 2, rows wider than a vector
        {2, 9, 50, 3, 3, 1, 3, 1, 2, 0, 1, 1, 2},   // stride 3 (element-wise phase split), dilation
        {2, 13, 19, 5, 3, 1, 2, 2, 0, 1, 3, 2, 1},  // asymmetric padding, dilation, mixed strides
        {3, 30, 30, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1},  // a stem convolution
    };

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7})
    void panelsEqualTheIm2colMatrix(int which) {
        int[] d = GEOMETRIES[which];
        Conv2d op = new Conv2d(d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], 1);
        int c = d[0];
        int h = d[1];
        int w = d[2];
        int oh = (h + d[7] + d[9] - d[11] * (d[3] - 1) - 1) / d[5] + 1;
        int ow = (w + d[8] + d[10] - d[12] * (d[4] - 1) - 1) / d[6] + 1;
        ConvGeom g = new ConvGeom(1, c, h, w, 5, d[3], d[4], oh, ow, 1, op.strideH(), op.strideW(), op.padTop(),
                op.padLeft(), op.dilationH(), op.dilationW());
        try (Arena arena = Arena.ofConfined()) {
            Random r = new Random(which);
            MemorySegment x = arena.allocate((long) c * h * w * 4, 64);
            for (long i = 0; i < (long) c * h * w; i++) {
                x.setAtIndex(ValueLayout.JAVA_FLOAT, i, r.nextFloat() + 1f);
            }
            float[] pad = new float[PaddedImage.size(g)];
            java.util.Arrays.fill(pad, Float.NaN);
            PaddedImage.fill(pad, new float[PaddedImage.rowScratch(g)], g, x, 0, false, false, 0, 0, c);
            Im2colSource src = new Im2colSource(pad, Im2colSource.tapOffsets(g), g, g.ow());
            int k = g.kg();
            float[] panel = new float[k * NR];
            for (int q0 = 0; q0 < g.ohw(); q0 += NR) {
                int rows = Math.min(NR, g.ohw() - q0);
                java.util.Arrays.fill(panel, Float.NaN);
                src.packColumns(panel, 0, q0, rows, NR, 0, k);
                for (int p = 0; p < k; p++) {
                    for (int t = 0; t < NR; t++) {
                        float expected = t < rows ? lowered(x, g, q0 + t, p) : 0f;
                        assertEquals(expected, panel[p * NR + t], "geometry " + which + " position " + (q0 + t) + " column " + p);
                    }
                }
            }
        }
    }

    @Test
    void isOnlyEverTheRightOperand() {
        ConvGeom g = new ConvGeom(1, 1, 3, 3, 1, 1, 1, 3, 3, 1, 1, 1, 0, 0, 1, 1);
        Im2colSource src = new Im2colSource(new float[PaddedImage.size(g)], Im2colSource.tapOffsets(g), g, 3);
        assertThrows(UnsupportedOperationException.class, () -> src.packRows(new float[8], 0, 0, 1, 1, 0, 1));
    }

    /** im2col element (position q, column p) of a one-group input, bounds tested directly. */
    private static float lowered(MemorySegment x, ConvGeom g, int q, int p) {
        int taps = g.kh() * g.kw();
        int ci = p / taps;
        int i = p % taps / g.kw();
        int j = p % g.kw();
        int oy = q / g.ow();
        int ox = q % g.ow();
        int iy = oy * g.sh() - g.pt() + i * g.dh();
        int ix = ox * g.sw() - g.pl() + j * g.dw();
        if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) {
            return 0f;
        }
        return x.getAtIndex(ValueLayout.JAVA_FLOAT, ((long) ci * g.h() + iy) * g.w() + ix);
    }
}
