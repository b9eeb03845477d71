package dev.accel.backend.cpu.linalg;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Depthwise convolution of one channel plane with vectors along the output width.
 *
 * <p>The input plane is first copied into a zero-padded scratch plane, and each padded row is split
 * into {@code strideW} phases: phase {@code r} holds padded columns {@code r, r + sw, r + 2 sw, ...}.
 * Tap (i, j) of output row oy then reads, for consecutive ox, consecutive elements of phase
 * {@code (j * dw) % sw} of padded row {@code oy * sh + i * dh}, starting at {@code (j * dw) / sw}:
 * every stride and dilation becomes a contiguous vector load, and no bounds test remains in the
 * inner loop. Stride 1 rows are bulk copies; stride 2 rows are split into their two phases a vector
 * pair at a time by two-vector permutes ({@link Lanes}), float rows read straight from the input;
 * other strides element by element.
 *
 * <p>The output plane is computed as a list of (output row, vector) pairs, {@link #CHAINS} at a time:
 * each pair is an independent FMA chain over the taps, so that the FMA latency is hidden even for
 * rows one vector wide (a single chain per row would wait on every FMA). Results go straight to the
 * output, the bias added, a row's last vector stored under a mask. Other float 3x3 kernels run row by
 * row instead, with the nine taps' offsets and weights hoisted (see {@link #rows3x3}); that form
 * measured 2.5x faster in cache than the pairs. Float 3x3 kernels with one pixel of padding at stride
 * 1 or 2 (all of MobileNet's) skip this class's copy and taps: {@link Depthwise3x3} reads them
 * straight from the input (its comment gives the figures).
 *
 * <p>8-bit planes load as exact floats {@code x - zeroPoint}; with at most 256 taps of products below
 * 2^16 the float sums stay exact, so integer depthwise convolutions run here too.
 */
final class Depthwise {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final VectorSpecies<Byte> B1 = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Independent accumulators per step: FMA latency times FMA pipes. */
    static final int CHAINS = 8;

    /** Largest tap count for which an 8-bit depthwise convolution is exact in float. */
    static final int MAX_EXACT_TAPS = 256;

    private final ConvGeom g;
    /** The direct path for float planes of this geometry, or null. */
    private final Depthwise3x3 direct;
    private final int padRows;
    private final int phaseLen;
    /** Distance between phases: phaseLen plus two vectors, so that the vectors written at a phase's end stay in it. */
    private final int phaseStride;
    /** Offset of tap (i, j) from the start of an output row's first padded row. */
    private final int[] tapOffsets;
    /** Per (row, vector) pair, rounded up to whole steps by repeating the last: source and output offsets. */
    private final int[] pairSrc;
    private final int[] pairDst;
    /** Valid lanes of each pair's vector: L, or fewer for a row's last vector. */
    private final int[] pairLanes;

    Depthwise(ConvGeom g) {
        this.g = g;
        this.direct = Depthwise3x3.of(g);
        int neededRows = (g.oh() - 1) * g.sh() + (g.kh() - 1) * g.dh() + 1;
        int neededCols = (g.ow() - 1) * g.sw() + (g.kw() - 1) * g.dw() + 1;
        this.padRows = Math.max(neededRows, 1);
        int padCols = Math.max(neededCols, g.pl() + g.w());
        this.phaseLen = (padCols + g.sw() - 1) / g.sw();
        this.phaseStride = g.sw() == 1 ? phaseLen : phaseLen + 2 * L;
        this.tapOffsets = new int[g.kh() * g.kw()];
        for (int i = 0; i < g.kh(); i++) {
            for (int j = 0; j < g.kw(); j++) {
                int q = j * g.dw();
                tapOffsets[i * g.kw() + j] = i * g.dh() * g.sw() * phaseStride + (q % g.sw()) * phaseStride + q / g.sw();
            }
        }
        int vecs = (g.ow() + L - 1) / L;
        int pairs = g.oh() * vecs;
        int rounded = (pairs + CHAINS - 1) / CHAINS * CHAINS;
        this.pairSrc = new int[rounded];
        this.pairDst = new int[rounded];
        this.pairLanes = new int[rounded];
        int rowStride = g.sh() * g.sw() * phaseStride;
        for (int k = 0; k < rounded; k++) {
            int pr = Math.min(k, pairs - 1);
            int oy = pr / vecs;
            int v = pr % vecs;
            pairSrc[k] = oy * rowStride + v * L;
            pairDst[k] = oy * g.ow() + v * L;
            pairLanes[k] = Math.min(L, g.ow() - v * L);
        }
    }

    /**
     * The pad-free path for float planes of this geometry ({@link Depthwise3x3}: 3x3, one pixel of
     * padding, stride 1 or 2), or null; 8-bit planes always take this class's padded copy.
     */
    Depthwise3x3 direct() {
        return direct;
    }

    /**
     * Floats of scratch plane this geometry needs, with slack at the end: whole-vector loads run past
     * the end of each row.
     */
    int scratchSize() {
        return padRows * g.sw() * phaseStride + 3 * L;
    }

    /**
     * Loads input plane {@code planeBase} (an element index into {@code x}) into the phase-split
     * padded scratch; 8-bit planes subtract {@code zp}. Only the interior is written, the same
     * positions for every plane (and zeros beyond the row's end), so the padding of a scratch array
     * stays as allocated: zero. {@code row} is a scratch of at least {@code w + 2 L} floats whose
     * elements from {@code w} on are zero and stay so.
     */
    void load(float[] pad, float[] row, MemorySegment x, long planeBase, boolean integer, boolean unsigned, int zp) {
        int sw = g.sw();
        int w = g.w();
        for (int y = 0; y < g.h(); y++) {
            int py = y + g.pt();
            if (py >= padRows) {
                break;
            }
            long src = planeBase + (long) y * w;
            int base = py * sw * phaseStride;
            if (sw == 1) {
                if (integer) {
                    widen(pad, base + g.pl(), x, src, w, unsigned, zp);
                } else {
                    PaddedImage.copyRow(x, src, pad, base + g.pl(), w);
                }
                continue;
            }
            if (sw == 2 && !integer) {
                splitDirect(pad, base, x, src, w);
                continue;
            }
            if (integer) {
                widen(row, 0, x, src, w, unsigned, zp);
            } else {
                PaddedImage.copyRow(x, src, row, 0, w);
            }
            if (sw == 2) {
                splitPairs(pad, base, row, w);
            } else {
                split(pad, base, row, 0, w);
            }
        }
    }

    /** Phase split of input columns {@code [from, w)} of one row, element by element. */
    private void split(float[] pad, int base, float[] row, int from, int w) {
        int sw = g.sw();
        for (int cx = from; cx < w; cx++) {
            int px = cx + g.pl();
            pad[base + (px % sw) * phaseStride + px / sw] = row[cx];
        }
    }

    /**
     * Stride 2: input columns {@code 2t + e} go to phase {@code (e + pl) % 2} at {@code t + (e + pl) / 2};
     * two vectors of input give one vector of each phase ({@link Lanes#deinterleave}). The last pair
     * reads the row's zero tail and writes zeros past the row's end, inside the phase's two vectors of
     * slack (or onto its right padding).
     */
    private void splitPairs(float[] pad, int base, float[] row, int w) {
        int pl = g.pl();
        int evenAt = base + (pl % 2) * phaseStride + pl / 2;
        int oddAt = base + ((1 + pl) % 2) * phaseStride + (1 + pl) / 2;
        FloatVector evens = Lanes.evens();
        FloatVector odds = Lanes.odds();
        for (int t = 0; 2 * t < w; t += L) {
            FloatVector v0 = FloatVector.fromArray(F, row, 2 * t);
            FloatVector v1 = FloatVector.fromArray(F, row, 2 * t + L);
            evens.selectFrom(v0, v1).intoArray(pad, evenAt + t);
            odds.selectFrom(v0, v1).intoArray(pad, oddAt + t);
        }
    }

    /**
     * As {@link #splitPairs} for a float row read straight from the input (element index {@code src}),
     * without the copy into a row scratch first: whole vector pairs, then one masked pair (a second
     * vector of zeros when the row ends in the first).
     */
    private void splitDirect(float[] pad, int base, MemorySegment x, long src, int w) {
        int pl = g.pl();
        int evenAt = base + (pl % 2) * phaseStride + pl / 2;
        int oddAt = base + ((1 + pl) % 2) * phaseStride + (1 + pl) / 2;
        FloatVector evens = Lanes.evens();
        FloatVector odds = Lanes.odds();
        long at = src * 4;
        int t = 0;
        for (; 2 * t + 2 * L <= w; t += L) {
            FloatVector v0 = FloatVector.fromMemorySegment(F, x, at + 8L * t, LE);
            FloatVector v1 = FloatVector.fromMemorySegment(F, x, at + 8L * t + 4L * L, LE);
            evens.selectFrom(v0, v1).intoArray(pad, evenAt + t);
            odds.selectFrom(v0, v1).intoArray(pad, oddAt + t);
        }
        if (2 * t < w) {
            FloatVector v0;
            FloatVector v1;
            if (2 * t + L <= w) {
                v0 = FloatVector.fromMemorySegment(F, x, at + 8L * t, LE);
                v1 = 2 * t + L < w ? FloatVector.fromMemorySegment(F, x, at + 8L * t + 4L * L, LE, F.indexInRange(2 * t + L, w))
                        : FloatVector.zero(F);
            } else {
                v0 = FloatVector.fromMemorySegment(F, x, at + 8L * t, LE, F.indexInRange(2 * t, w));
                v1 = FloatVector.zero(F);
            }
            evens.selectFrom(v0, v1).intoArray(pad, evenAt + t);
            odds.selectFrom(v0, v1).intoArray(pad, oddAt + t);
        }
    }

    private static void widen(float[] dst, int d, MemorySegment x, long at, int count, boolean unsigned, int zp) {
        FloatVector z = FloatVector.broadcast(F, zp);
        int t = 0;
        for (; t + B1.length() <= count; t += L) {
            ByteVector b = ByteVector.fromMemorySegment(B1, x, at + t, LE);
            FloatVector f = unsigned
                    ? (FloatVector) ((IntVector) b.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0)).convert(VectorOperators.I2F, 0)
                    : (FloatVector) b.convertShape(VectorOperators.B2F, F, 0);
            f.sub(z).intoArray(dst, d + t);
        }
        int mask = unsigned ? 0xFF : -1;
        for (; t < count; t++) {
            dst[d + t] = (x.get(ValueLayout.JAVA_BYTE, at + t) & mask) - zp;
        }
    }

    /**
     * Output plane {@code y[base + oy * ow + ox] = bias + sum over taps of wk[i * kw + j] * padded(oy * sh
     * + i * dh, ox * sw + j * dw)}, float32, or int32 without a bias when {@code integer}.
     * {@code acc} is a scratch of {@code CHAINS * L} floats.
     */
    void compute(float[] pad, float[] wk, float bias, MemorySegment y, long base, boolean integer, float[] acc) {
        if (tapOffsets.length == 9 && !integer) {
            rows3x3(pad, wk, bias, y, base);
            return;
        }
        int[] src = pairSrc;
        for (int k = 0; k < src.length; k += CHAINS) {
            step(pad, wk, k, acc);
            for (int c = 0; c < CHAINS; c++) {
                int lanes = pairLanes[k + c];
                long at = (base + pairDst[k + c]) * 4;
                FloatVector v = FloatVector.fromArray(F, acc, c * L);
                if (integer) {
                    IntVector iv = (IntVector) v.convert(VectorOperators.F2I, 0);
                    if (lanes == L) {
                        iv.intoMemorySegment(y, at, LE);
                    } else {
                        iv.intoMemorySegment(y, at, LE, I.indexInRange(0, lanes));
                    }
                } else if (lanes == L) {
                    v.add(bias).intoMemorySegment(y, at, LE);
                } else {
                    v.add(bias).intoMemorySegment(y, at, LE, F.indexInRange(0, lanes));
                }
            }
        }
    }

    /**
     * Float 3x3 kernels, row by row: per output row the nine taps' row offsets are loop-invariant, so
     * that every load is {@code pad[invariant + ox]} and C2 hoists all nine bounds checks out of the
     * loop over ox; each vector of outputs is an independent sum (no loop-carried chain), so the
     * out-of-order core overlaps consecutive vectors.
     */
    private void rows3x3(float[] pad, float[] wk, float bias, MemorySegment y, long base) {
        int[] to = tapOffsets;
        FloatVector w0 = FloatVector.broadcast(F, wk[0]);
        FloatVector w1 = FloatVector.broadcast(F, wk[1]);
        FloatVector w2 = FloatVector.broadcast(F, wk[2]);
        FloatVector w3 = FloatVector.broadcast(F, wk[3]);
        FloatVector w4 = FloatVector.broadcast(F, wk[4]);
        FloatVector w5 = FloatVector.broadcast(F, wk[5]);
        FloatVector w6 = FloatVector.broadcast(F, wk[6]);
        FloatVector w7 = FloatVector.broadcast(F, wk[7]);
        FloatVector w8 = FloatVector.broadcast(F, wk[8]);
        FloatVector vb = FloatVector.broadcast(F, bias);
        int ow = g.ow();
        int full = ow - ow % L;
        int rowStride = g.sh() * g.sw() * phaseStride;
        for (int oy = 0; oy < g.oh(); oy++) {
            int r = oy * rowStride;
            int b0 = r + to[0];
            int b1 = r + to[1];
            int b2 = r + to[2];
            int b3 = r + to[3];
            int b4 = r + to[4];
            int b5 = r + to[5];
            int b6 = r + to[6];
            int b7 = r + to[7];
            int b8 = r + to[8];
            long out = (base + (long) oy * ow) * 4;
            int ox = 0;
            for (; ox < full; ox += L) {
                FloatVector v = FloatVector.fromArray(F, pad, b0 + ox).fma(w0, vb);
                v = FloatVector.fromArray(F, pad, b1 + ox).fma(w1, v);
                v = FloatVector.fromArray(F, pad, b2 + ox).fma(w2, v);
                v = FloatVector.fromArray(F, pad, b3 + ox).fma(w3, v);
                v = FloatVector.fromArray(F, pad, b4 + ox).fma(w4, v);
                v = FloatVector.fromArray(F, pad, b5 + ox).fma(w5, v);
                v = FloatVector.fromArray(F, pad, b6 + ox).fma(w6, v);
                v = FloatVector.fromArray(F, pad, b7 + ox).fma(w7, v);
                v = FloatVector.fromArray(F, pad, b8 + ox).fma(w8, v);
                v.intoMemorySegment(y, out + ox * 4L, LE);
            }
            if (ox < ow) {
                FloatVector v = FloatVector.fromArray(F, pad, b0 + ox).fma(w0, vb);
                v = FloatVector.fromArray(F, pad, b1 + ox).fma(w1, v);
                v = FloatVector.fromArray(F, pad, b2 + ox).fma(w2, v);
                v = FloatVector.fromArray(F, pad, b3 + ox).fma(w3, v);
                v = FloatVector.fromArray(F, pad, b4 + ox).fma(w4, v);
                v = FloatVector.fromArray(F, pad, b5 + ox).fma(w5, v);
                v = FloatVector.fromArray(F, pad, b6 + ox).fma(w6, v);
                v = FloatVector.fromArray(F, pad, b7 + ox).fma(w7, v);
                v = FloatVector.fromArray(F, pad, b8 + ox).fma(w8, v);
                v.intoMemorySegment(y, out + ox * 4L, LE, F.indexInRange(0, ow - ox));
            }
        }
    }

    /** CHAINS pairs from pair k on, any kernel: the taps in a loop; sums to acc. */
    private void step(float[] pad, float[] wk, int k, float[] acc) {
        int[] src = pairSrc;
        int s0 = src[k];
        int s1 = src[k + 1];
        int s2 = src[k + 2];
        int s3 = src[k + 3];
        int s4 = src[k + 4];
        int s5 = src[k + 5];
        int s6 = src[k + 6];
        int s7 = src[k + 7];
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        FloatVector a4 = FloatVector.zero(F);
        FloatVector a5 = FloatVector.zero(F);
        FloatVector a6 = FloatVector.zero(F);
        FloatVector a7 = FloatVector.zero(F);
        for (int t = 0; t < tapOffsets.length; t++) {
            FloatVector w = FloatVector.broadcast(F, wk[t]);
            int o = tapOffsets[t];
            a0 = FloatVector.fromArray(F, pad, s0 + o).fma(w, a0);
            a1 = FloatVector.fromArray(F, pad, s1 + o).fma(w, a1);
            a2 = FloatVector.fromArray(F, pad, s2 + o).fma(w, a2);
            a3 = FloatVector.fromArray(F, pad, s3 + o).fma(w, a3);
            a4 = FloatVector.fromArray(F, pad, s4 + o).fma(w, a4);
            a5 = FloatVector.fromArray(F, pad, s5 + o).fma(w, a5);
            a6 = FloatVector.fromArray(F, pad, s6 + o).fma(w, a6);
            a7 = FloatVector.fromArray(F, pad, s7 + o).fma(w, a7);
        }
        a0.intoArray(acc, 0);
        a1.intoArray(acc, L);
        a2.intoArray(acc, 2 * L);
        a3.intoArray(acc, 3 * L);
        a4.intoArray(acc, 4 * L);
        a5.intoArray(acc, 5 * L);
        a6.intoArray(acc, 6 * L);
        a7.intoArray(acc, 7 * L);
    }

}
