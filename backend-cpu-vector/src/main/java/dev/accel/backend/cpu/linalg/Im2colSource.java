package dev.accel.backend.cpu.linalg;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * A convolution's lowered input as a GEMM operand, packed straight from the image: no im2col matrix
 * is ever written. The logical matrix is the transpose of im2col, {@code ohw x kg}: row {@code q} is
 * output position {@code (oy, ox)}, column {@code r = (ci * kh + i) * kw + j} is input channel ci
 * under tap (i, j).
 *
 * <p>The source is a zero-padded, column-phase-split copy of one group's input planes
 * ({@link PaddedImage}), so that no tap needs a bounds test and strides vanish: element {@code (q, r)}
 * is {@code pad[tap[r] + pos[q]]} with {@code tap[r]} the offset of padded element
 * {@code (i * dh, j * dw)} of plane ci (fixed per geometry) and {@code pos[q] = oy * sh * rowLen + ox}.
 * Packing a B panel of NR positions therefore costs, per step of K, one table lookup and two vector
 * loads when the panel's positions lie in one output row, whatever the stride; a vector that wraps
 * to the next output row blends two loads; only rows narrower than a vector need gathers.
 *
 * <p>Only {@link #packColumns} is supported: the lowered input is the GEMM's B, or its A
 * (MR-high panels) when the convolution runs pixel-major ({@link ConvKernels}).
 */
final class Im2colSource implements PanelSource {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    private final float[] pad;
    private final int[] tap;
    private final ConvGeom g;
    private final int rowLen;
    private final int positionsPerRow;

    /**
     * @param pad the padded planes of one group (see {@link PaddedImage})
     * @param tap the tap offsets, {@link #tapOffsets}
     * @param width positions per output row: {@code ow}, or (stride 1 only) the padded row length,
     *     for a caller that computes each output row's padded columns too and drops the extra ones
     */
    Im2colSource(float[] pad, int[] tap, ConvGeom g, int width) {
        this.pad = pad;
        this.tap = tap;
        this.g = g;
        this.rowLen = PaddedImage.rowLen(g);
        this.positionsPerRow = width;
    }

    /** {@code tap[r]} for every column r of one group, in the layout of {@link PaddedImage}. */
    static int[] tapOffsets(ConvGeom g) {
        int taps = g.kh() * g.kw();
        int plane = PaddedImage.planeSize(g);
        int[] t = new int[g.kg()];
        for (int r = 0; r < t.length; r++) {
            int ci = r / taps;
            int i = r % taps / g.kw();
            int j = r % g.kw();
            t[r] = ci * plane + PaddedImage.offset(g, i * g.dh(), j * g.dw());
        }
        return t;
    }

    @Override
    public void packRows(float[] dst, int off, int r0, int rows, int height, int c0, int kc) {
        throw new UnsupportedOperationException("the lowered convolution input is packed as B only");
    }

    @Override
    public void packColumns(float[] dst, int off, int r0, int rows, int width, int c0, int kc) {
        int[] pos = new int[width];
        int ow = positionsPerRow;
        // Positions step along the output row and wrap to the next (one division per panel, not per
        // position: with a short K, as a first layer's 27, the panel's set-up is much of its cost).
        int oy = r0 / ow;
        int ox = r0 - oy * ow;
        int rowStep = g.sh() * rowLen;
        for (int t = 0; t < rows; t++) {
            pos[t] = oy * rowStep + ox;
            if (++ox == ow) {
                ox = 0;
                oy++;
            }
        }
        if (width % L != 0) {
            packNarrow(dst, off, pos, rows, width, c0, kc);
            return;
        }
        // Lanes past the panel's last position read position 0 and are zeroed below.
        int vectors = width / L;
        // Per vector: 0 = contiguous from pos[v * L]; s in (0, L) = contiguous runs split at lane s; -1 = gather.
        int[] split = new int[vectors];
        for (int v = 0; v < vectors; v++) {
            split[v] = classify(pos, v * L, Math.max(0, Math.min(L, rows - v * L)));
        }
        for (int v = 0; v < vectors; v++) {
            int lo = v * L;
            int live = Math.max(0, Math.min(L, rows - lo));
            VectorMask<Float> drop = VectorMask.fromLong(F, ~((1L << live) - 1));
            int s = split[v];
            int first = pos[lo];
            if (s == 0) {
                for (int p = 0; p < kc; p++) {
                    FloatVector x = FloatVector.fromArray(F, pad, tap[c0 + p] + first);
                    x = live == L ? x : x.blend(0f, drop);
                    x.intoArray(dst, off + p * width + lo);
                }
            } else if (s > 0) {
                VectorMask<Float> second = VectorMask.fromLong(F, ~((1L << s) - 1));
                int from2 = pos[lo + s] - s;
                for (int p = 0; p < kc; p++) {
                    int t = tap[c0 + p];
                    FloatVector x = FloatVector.fromArray(F, pad, t + first)
                            .blend(FloatVector.fromArray(F, pad, t + from2), second);
                    x = live == L ? x : x.blend(0f, drop);
                    x.intoArray(dst, off + p * width + lo);
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    FloatVector x = FloatVector.fromArray(F, pad, tap[c0 + p], pos, lo);
                    x = live == L ? x : x.blend(0f, drop);
                    x.intoArray(dst, off + p * width + lo);
                }
            }
        }
    }

    /**
     * A panel whose width is not a whole number of vectors (an A panel, {@link GemmCore#MR} positions,
     * of the pixel-major product: see {@link ConvKernels}): chunks of at most a vector, each loaded as
     * the B path does (one load, two blended, or a gather) and stored under a mask of its lanes, so
     * nothing past the panel's width is written.
     */
    private void packNarrow(float[] dst, int off, int[] pos, int rows, int width, int c0, int kc) {
        for (int lo = 0; lo < width; lo += L) {
            int lanes = Math.min(L, width - lo);
            int live = Math.max(0, Math.min(lanes, rows - lo));
            VectorMask<Float> store = VectorMask.fromLong(F, (1L << lanes) - 1);
            if (live == 0) {
                for (int p = 0; p < kc; p++) {
                    FloatVector.zero(F).intoArray(dst, off + p * width + lo, store);
                }
                continue;
            }
            VectorMask<Float> keep = VectorMask.fromLong(F, (1L << live) - 1);
            int s = classify(pos, lo, live);
            int first = pos[lo];
            VectorMask<Float> drop = keep.not();
            if (s == 0) {
                for (int p = 0; p < kc; p++) {
                    FloatVector.fromArray(F, pad, tap[c0 + p] + first).blend(0f, drop).intoArray(dst, off + p * width + lo, store);
                }
            } else if (s > 0) {
                VectorMask<Float> second = VectorMask.fromLong(F, ~((1L << s) - 1));
                int from2 = pos[lo + s] - s;
                for (int p = 0; p < kc; p++) {
                    int t = tap[c0 + p];
                    FloatVector x = FloatVector.fromArray(F, pad, t + first).blend(FloatVector.fromArray(F, pad, t + from2), second);
                    x.blend(0f, drop).intoArray(dst, off + p * width + lo, store);
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    FloatVector.fromArray(F, pad, tap[c0 + p], pos, lo, keep).intoArray(dst, off + p * width + lo, store);
                }
            }
        }
    }

    /**
     * How lanes {@code [lo, lo + live)} of {@code pos} can be loaded: 0 when consecutive (one load),
     * s when consecutive in two runs split at lane s (two loads and a blend), -1 otherwise (a gather).
     * Dead lanes (past {@code live}) continue the last run, so they never force a gather; they read
     * padded-image elements within bounds (see {@link PaddedImage}) and are zeroed by the caller.
     */
    private static int classify(int[] pos, int lo, int live) {
        if (live == 0) {
            return 0;
        }
        int split = 0;
        for (int t = 1; t < live; t++) {
            if (pos[lo + t] != pos[lo + t - 1] + 1) {
                if (split != 0) {
                    return -1;
                }
                split = t;
            }
        }
        return split;
    }
}
