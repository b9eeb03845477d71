package dev.accel.backend.cpu.linalg;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Lowers a convolution's input to a matrix: row {@code r = (ci * kh + i) * kw + j} of one group
 * holds, for output positions {@code q = oy * ow + ox} in a chunk {@code [q0, q1)}, the input
 * element under tap (i, j) of channel ci, or 0 where the tap falls in the padding. Float32 inputs
 * are copied; 8-bit inputs become the exact float {@code x - zeroPoint} (so padding, 0, is exactly
 * the zero point, as ConvInteger and QLinearConv require).
 */
final class Im2col {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private Im2col() {
    }

    /** The source: X with the element index of channel 0 of the group's first plane. */
    record Source(MemorySegment x, long planeBase, boolean integer, boolean unsigned, int zp) {
    }

    /**
     * Fills rows {@code [r0, r1)} of {@code col}, each {@code q1 - q0} wide, for output positions
     * {@code [q0, q1)}.
     */
    static void fill(float[] col, Source src, ConvGeom g, int q0, int q1, int r0, int r1) {
        int cols = q1 - q0;
        int taps = g.kh() * g.kw();
        for (int r = r0; r < r1; r++) {
            int ci = r / taps;
            int i = r % taps / g.kw();
            int j = r % g.kw();
            long plane = src.planeBase() + ci * g.hw();
            int dst = r * cols;
            int colOff = j * g.dw() - g.pl();
            // Output columns whose tap lands inside the input row: ox*sw + colOff in [0, w).
            int oxLo = Math.max(0, ceilDiv(-colOff, g.sw()));
            int oxHi = Math.min(g.ow(), ceilDiv(g.w() - colOff, g.sw()));
            int q = q0;
            while (q < q1) {
                int oy = q / g.ow();
                int rowStart = oy * g.ow();
                int rowEnd = Math.min(q1, rowStart + g.ow());
                int iy = oy * g.sh() - g.pt() + i * g.dh();
                int d = dst + (q - q0);
                if (iy < 0 || iy >= g.h() || oxLo >= oxHi) {
                    Arrays.fill(col, d, d + (rowEnd - q), 0f);
                } else {
                    int a = Math.max(q, rowStart + oxLo);
                    int b = Math.min(rowEnd, rowStart + oxHi);
                    if (a >= b) {
                        Arrays.fill(col, d, d + (rowEnd - q), 0f);
                    } else {
                        Arrays.fill(col, d, d + (a - q), 0f);
                        long in = plane + (long) iy * g.w() + (long) (a - rowStart) * g.sw() + colOff;
                        copyRun(col, d + (a - q), src, in, g.sw(), b - a);
                        Arrays.fill(col, d + (b - q), d + (rowEnd - q), 0f);
                    }
                }
                q = rowEnd;
            }
        }
    }

    private static void copyRun(float[] col, int d, Source src, long in, int stride, int count) {
        MemorySegment x = src.x();
        if (!src.integer()) {
            if (stride == 1) {
                MemorySegment.copy(x, FLOAT, in * 4, col, d, count);
            } else {
                for (int t = 0; t < count; t++) {
                    col[d + t] = x.getAtIndex(FLOAT, in + (long) t * stride);
                }
            }
        } else {
            int mask = src.unsigned() ? 0xFF : -1;
            int zp = src.zp();
            for (int t = 0; t < count; t++) {
                col[d + t] = (x.get(ValueLayout.JAVA_BYTE, in + (long) t * stride) & mask) - zp;
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }
}
