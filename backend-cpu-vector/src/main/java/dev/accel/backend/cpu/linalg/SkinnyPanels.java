package dev.accel.backend.cpu.linalg;

import dev.accel.backend.cpu.CpuParallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A constant B of a skinny product (at most {@link SkinnyGemm#MAX_ROWS} rows of A, the decoder
 * case), packed once when the kernel is prepared so that the product streams it in memory order.
 *
 * <p>Layout: strips of W columns (two float vectors for up to four rows of A, one for more), each
 * strip's k rows one after the other, W elements per row, the last strip zero-padded. A core takes a
 * run of whole strips and walks Q of them at once, each a sequential stream, with a register tile
 * of h rows of A by Q strips ({@link SkinnyPanelKernels}, 16 or 24 accumulators) that accumulates over all
 * of k without touching memory for C. Reading B as it lies (row-major, {@link SkinnyGemm}) needs a C
 * chunk in L1 updated every few rows of B, or eight concurrent row streams; measured on 1 to 8 rows
 * times 4096 x 4096 float32 on two cores, that reached 40-60 GB/s for one or two rows and about 30
 * GB/s for four to eight, and packed strips read as one stream per core about 45 GB/s.
 *
 * <p>8-bit B is stored as signed bytes: int8 as is, uint8 XOR 0x80 (that is {@code u - 128}); the
 * zero points are applied once per output element, as in {@link SkinnyGemm}: with A's zero point
 * already subtracted ({@code a'}), {@code sum_p a'[i][p] (b[p][j] - zb[j]) = sum_p a'[i][p] b'[p][j]
 * - (zb[j] - shift) rowSum(a'[i])}, {@code b'} the stored byte and {@code shift} 128 for uint8. The
 * float sums of byte products are exact over {@link GemmCore#KC_INT} rows and flushed into int32
 * after each such block. Float elements are one chain of FMAs over B's rows in order, from 0, as in
 * {@link SkinnyGemm}. Targets with a row bias (convolutions) are not taken.
 */
final class SkinnyPanels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /**
     * The byte shape every 8-bit kernel here uses (a float vector's lane count): a further shape
     * would make the JDK's shared ByteVector call sites see three vector classes, past what C2
     * inlines, and slow every byte load in the process.
     */
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Multiply-adds below which one core does it all. */
    private static final long MIN_TASK_WORK = 1L << 20;

    private final MatrixView.Kind kind;
    private final int m;
    private final int n;
    private final int k;
    /** Rows of the register tile (2, 4 or 8; A is padded with zero rows), strips walked at once, strip width. */
    private final int height;
    private final int streams;
    private final int width;
    private final int strips;
    /** Bytes of one strip: k rows of {@code width} elements. */
    private final long stripBytes;
    private final MemorySegment data;
    private final int zeroPoint;
    private final int[] columnZeroPoints;

    private SkinnyPanels(MatrixView.Kind kind, int m, int n, int k, MemorySegment data, int zeroPoint, int[] columnZeroPoints) {
        this.kind = kind;
        this.m = m;
        this.n = n;
        this.k = k;
        this.height = height(m);
        this.streams = height == 2 ? 4 : height == 4 || kind != MatrixView.Kind.F32 ? 2 : 3;
        this.width = width(m);
        this.strips = (n + width - 1) / width;
        this.stripBytes = (long) k * width * (kind == MatrixView.Kind.F32 ? 4 : 1);
        this.data = data;
        this.zeroPoint = zeroPoint;
        this.columnZeroPoints = columnZeroPoints;
    }

    private static int height(int m) {
        return m <= 2 ? 2 : m <= 4 ? 4 : 8;
    }

    private static int width(int m) {
        return height(m) == 8 ? L : 2 * L;
    }

    /**
     * Whether a constant B takes packed skinny panels: where the run-time product would take
     * {@link SkinnyGemm} (which computes in the same order, so that preparing changes no bits), with
     * a nonempty K.
     */
    static boolean applies(int m, int n, int k, MatrixView bt) {
        return k >= 1 && SkinnyGemm.applies(m, n, bt);
    }

    /**
     * Packs {@code bt}, B's transpose as an {@code n x k} view (element (j, p) is B's row p, column j;
     * any strides; 8-bit views bring their zero points along), for products with {@code m} rows of A.
     */
    static SkinnyPanels of(MatrixView bt, int m, int n, int k) {
        MatrixView.Kind kind = bt.kind();
        int w = width(m);
        int strips = (n + w - 1) / w;
        int size = kind == MatrixView.Kind.F32 ? 4 : 1;
        // Slack past the last strip: an 8-bit vector load may read a little more than a float vector's bytes.
        MemorySegment data = Arena.ofAuto().allocate((long) strips * k * w * size + 64, 64);
        MemorySegment src = bt.segment();
        long base = bt.base();
        long rs = bt.rowStride();
        long cs = bt.columnStride();
        for (int p = 0; p < k; p++) {
            for (int s = 0; s < strips; s++) {
                int j0 = s * w;
                int cols = Math.min(w, n - j0);
                long dst = ((long) s * k + p) * w * size;
                long from = base + j0 * rs + p * cs;
                if (rs == 1) {
                    MemorySegment.copy(src, from * size, data, dst, (long) cols * size);
                } else if (size == 4) {
                    for (int c = 0; c < cols; c++) {
                        data.set(FLOAT, dst + 4L * c, src.getAtIndex(FLOAT, from + c * rs));
                    }
                } else {
                    for (int c = 0; c < cols; c++) {
                        data.set(ValueLayout.JAVA_BYTE, dst + c, src.get(ValueLayout.JAVA_BYTE, from + c * rs));
                    }
                }
            }
        }
        if (kind == MatrixView.Kind.U8) {
            flip(data, (long) strips * k * w);
        }
        return new SkinnyPanels(kind, m, n, k, data, bt.zeroPoint(), bt.rowZeroPoints());
    }

    /** XOR 0x80 over the strips' bytes (the last strip's padding columns too: they are never stored). */
    private static void flip(MemorySegment data, long end) {
        long i = 0;
        for (long bound = end - end % BYTES.length(); i < bound; i += BYTES.length()) {
            ByteVector.fromMemorySegment(BYTES, data, i, ByteOrder.LITTLE_ENDIAN).lanewise(VectorOperators.XOR, (byte) 0x80)
                    .intoMemorySegment(data, i, ByteOrder.LITTLE_ENDIAN);
        }
        for (; i < end; i++) {
            data.set(ValueLayout.JAVA_BYTE, i, (byte) (data.get(ValueLayout.JAVA_BYTE, i) ^ 0x80));
        }
    }

    /**
     * {@code C = alpha * A B (+ C)} (float target) or {@code C = A B (+ C)} (int target), A being the
     * {@code m x k} this B was packed for.
     */
    void multiply(int rows, MatrixView a, GemmCore.Target c, boolean parallel) {
        if (rows != m || c.rowBias() != null) {
            throw new IllegalArgumentException("skinny panels packed for " + m + " rows without a row bias; got " + rows
                    + (c.rowBias() != null ? " rows with a row bias" : " rows"));
        }
        float[] af = new float[height * k];
        a.packRows(af, 0, 0, m, height, 0, k);
        long[] sums = kind != MatrixView.Kind.F32 ? SkinnyGemm.rowSums(af, m, k) : null;
        long work = (long) m * n * k;
        int tasks = parallel ? (int) Math.min(Math.min(CpuParallel.THREADS, strips), Math.max(1, work / MIN_TASK_WORK)) : 1;
        CpuParallel.forRange(tasks, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                strips(af, (int) ((long) strips * t / tasks), (int) ((long) strips * (t + 1) / tasks), c, sums);
            }
        });
    }

    /**
     * Strips {@code [s0, s1)}: split into {@code streams} equal runs walked side by side (strip i of
     * every run in one tile), then the leftover strips one at a time (the tile's other streams
     * re-reading the same strip from cache, their results unused).
     */
    private void strips(float[] af, int s0, int s1, GemmCore.Target c, long[] rowSum) {
        float[] out = new float[streams * height * width];
        int[] acc = kind == MatrixView.Kind.F32 ? null : new int[streams * height * width];
        int run = (s1 - s0) / streams;
        for (int i = 0; i < run; i++) {
            group(af, s0 + i, run * stripBytes, streams, out, acc, c, rowSum);
        }
        for (int s = s0 + streams * run; s < s1; s++) {
            group(af, s, 0, 1, out, acc, c, rowSum);
        }
    }

    /**
     * The tile over strips {@code first + q * gap / stripBytes} for q below {@code used} (the rest
     * of the tile's streams repeat them), then those strips into C.
     */
    private void group(float[] af, int first, long gap, int used, float[] out, int[] acc, GemmCore.Target c, long[] rowSum) {
        long at = first * stripBytes;
        int stride = (int) (gap / stripBytes);
        if (kind == MatrixView.Kind.F32) {
            tile(af, 0, k, at, gap, out);
            for (int q = 0; q < used; q++) {
                store((first + q * stride) * width, out, null, q * height * width, c, null);
            }
            return;
        }
        Arrays.fill(acc, 0);
        for (int p0 = 0; p0 < k; p0 += GemmCore.KC_INT) {
            int p1 = Math.min(k, p0 + GemmCore.KC_INT);
            tile(af, p0, p1, at + (long) p0 * width, gap, out);
            for (int e = 0; e < acc.length; e++) {
                acc[e] += (int) out[e];
            }
        }
        for (int q = 0; q < used; q++) {
            store((first + q * stride) * width, null, acc, q * height * width, c, rowSum);
        }
    }

    /** The register tile over rows {@code [p0, p1)} of B, stream 0 from byte offset {@code at}. */
    private void tile(float[] af, int p0, int p1, long at, long gap, float[] out) {
        if (kind == MatrixView.Kind.F32) {
            switch (height) {
                case 2 -> SkinnyPanelKernels.tile2x4F(af, k, p0, p1, data, at, gap, out);
                case 4 -> SkinnyPanelKernels.tile4x2F(af, k, p0, p1, data, at, gap, out);
                default -> SkinnyPanelKernels.tile8x3F(af, k, p0, p1, data, at, gap, out);
            }
        } else {
            switch (height) {
                case 2 -> SkinnyPanelByteKernels.tile2x4B(af, k, p0, p1, data, at, gap, out);
                case 4 -> SkinnyPanelByteKernels.tile4x2B(af, k, p0, p1, data, at, gap, out);
                default -> SkinnyPanelByteKernels.tile8x2B(af, k, p0, p1, data, at, gap, out);
            }
        }
    }

    /** Stream q's tile (at {@code off} of {@code out} or {@code acc}) into C's columns from {@code j0} on. */
    private void store(int j0, float[] out, int[] acc, int off, GemmCore.Target c, long[] rowSum) {
        SkinnyGemm.store(m, j0, Math.min(width, n - j0), out, acc, off, width, kind, zeroPoint, columnZeroPoints, c, rowSum);
    }
}
