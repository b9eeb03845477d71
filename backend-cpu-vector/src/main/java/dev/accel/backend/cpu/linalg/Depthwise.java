package dev.accel.backend.cpu.linalg;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Depthwise convolution of one channel plane with vectors along the output width.
 *
 * <p>The input plane is first copied into a zero-padded scratch plane, and each padded row is split
 * into {@code strideW} phases: phase {@code r} holds padded columns {@code r, r + sw, r + 2 sw, ...}.
 * Tap (i, j) of output row oy then reads, for consecutive ox, consecutive elements of phase
 * {@code (j * dw) % sw} of padded row {@code oy * sh + i * dh}, starting at {@code (j * dw) / sw}:
 * every stride and dilation becomes a contiguous vector load, and no bounds test remains in the
 * inner loop. 8-bit planes load as exact floats {@code x - zeroPoint}; with at most 256 taps of
 * products below 2^16 the float sums stay exact, so integer depthwise convolutions run here too.
 */
final class Depthwise {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** Largest tap count for which an 8-bit depthwise convolution is exact in float. */
    static final int MAX_EXACT_TAPS = 256;

    private final ConvGeom g;
    private final int padRows;
    private final int phaseLen;
    /** Offset of tap (i, j) from the start of an output row's first padded row. */
    private final int[] tapOffsets;

    Depthwise(ConvGeom g) {
        this.g = g;
        int neededRows = (g.oh() - 1) * g.sh() + (g.kh() - 1) * g.dh() + 1;
        int neededCols = (g.ow() - 1) * g.sw() + (g.kw() - 1) * g.dw() + 1;
        this.padRows = Math.max(neededRows, 1);
        int padCols = Math.max(neededCols, g.pl() + g.w());
        this.phaseLen = (padCols + g.sw() - 1) / g.sw();
        this.tapOffsets = new int[g.kh() * g.kw()];
        for (int i = 0; i < g.kh(); i++) {
            for (int j = 0; j < g.kw(); j++) {
                int q = j * g.dw();
                tapOffsets[i * g.kw() + j] = i * g.dh() * g.sw() * phaseLen + (q % g.sw()) * phaseLen + q / g.sw();
            }
        }
    }

    /**
     * Floats of scratch plane this geometry needs, with a vector of slack at the end: the compute
     * loop runs whole vectors past the end of each output row and drops the extra lanes.
     */
    int scratchSize() {
        return padRows * g.sw() * phaseLen + 2 * L;
    }

    /** Floats of output plane {@link #compute} writes: the plane plus the same slack. */
    int planeSize() {
        return g.ohw() + 2 * L;
    }

    /**
     * Loads input plane {@code planeBase} (an element index into {@code x}) into the phase-split
     * padded scratch; 8-bit planes subtract {@code zp}. Only the interior is written, the same
     * positions for every plane, so the padding of a scratch array stays as allocated: zero.
     * {@code row} is a scratch of at least {@code w} floats.
     */
    void load(float[] pad, float[] row, MemorySegment x, long planeBase, boolean integer, boolean unsigned, int zp) {
        int sw = g.sw();
        int w = g.w();
        int mask = unsigned ? 0xFF : -1;
        for (int y = 0; y < g.h(); y++) {
            int py = y + g.pt();
            if (py >= padRows) {
                break;
            }
            long src = planeBase + (long) y * w;
            int base = py * sw * phaseLen;
            if (sw == 1 && !integer) {
                MemorySegment.copy(x, FLOAT, src * 4, pad, base + g.pl(), w);
                continue;
            }
            if (integer) {
                for (int cx = 0; cx < w; cx++) {
                    row[cx] = (x.get(ValueLayout.JAVA_BYTE, src + cx) & mask) - zp;
                }
            } else {
                MemorySegment.copy(x, FLOAT, src * 4, row, 0, w);
            }
            // Phase r holds padded columns r, r + sw, ...: input columns cx = t * sw + r - pl.
            for (int r = 0; r < sw; r++) {
                int dst = base + r * phaseLen;
                int t = Math.max(0, (g.pl() - r + sw - 1) / sw);
                for (int cx = t * sw + r - g.pl(); cx < w; cx += sw, t++) {
                    pad[dst + t] = row[cx];
                }
            }
        }
    }

    /**
     * {@code out[oy * ow + ox] = sum over taps of wk[i * kw + j] * padded(oy * sh + i * dh, ox * sw + j * dw)},
     * two vectors of ox at a time; the lanes past a row's end land in the next row (computed after)
     * or in the slack.
     */
    void compute(float[] pad, float[] wk, float[] out) {
        int ow = g.ow();
        int taps = tapOffsets.length;
        int rowStride = g.sh() * g.sw() * phaseLen;
        for (int oy = 0; oy < g.oh(); oy++) {
            int o = oy * ow;
            int rowBase = oy * rowStride;
            int ox = 0;
            for (; ox + L < ow; ox += 2 * L) {
                FloatVector acc0 = FloatVector.zero(F);
                FloatVector acc1 = FloatVector.zero(F);
                for (int t = 0; t < taps; t++) {
                    FloatVector wv = FloatVector.broadcast(F, wk[t]);
                    int at = rowBase + tapOffsets[t] + ox;
                    acc0 = FloatVector.fromArray(F, pad, at).fma(wv, acc0);
                    acc1 = FloatVector.fromArray(F, pad, at + L).fma(wv, acc1);
                }
                acc0.intoArray(out, o + ox);
                acc1.intoArray(out, o + ox + L);
            }
            if (ox < ow) {
                FloatVector acc = FloatVector.zero(F);
                for (int t = 0; t < taps; t++) {
                    acc = FloatVector.fromArray(F, pad, rowBase + tapOffsets[t] + ox).fma(FloatVector.broadcast(F, wk[t]), acc);
                }
                acc.intoArray(out, o + ox);
            }
        }
    }
}
