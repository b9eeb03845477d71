package dev.accel.backend.cpu.linalg;

import dev.accel.backend.cpu.CpuParallel;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * GEMM with few rows ({@code m <= 8}, the decoder case) and B a row-major matrix in memory: bound by
 * streaming B, which is read exactly once, in row order, so that the hardware prefetchers see long
 * sequential runs (reading B column strip by column strip, as the packed GEMM does, touches a new
 * 4 KiB page at every step of K and ran at a quarter of the memory bandwidth). The columns are split
 * across cores.
 *
 * <p>Up to {@link #ROWS_SMALL} rows: each core walks its columns in chunks whose C block stays in L1
 * and, four rows of B at a time, adds {@code a[i][p..p+3] . B[p..p+3][j]} into it: per vector of B,
 * one load and one or two FMAs, and one load and store of C per four rows of B. Up to
 * {@link #MAX_ROWS} rows: an 8-row by 2-vector register tile covers {@link #DEPTH} rows of B at a
 * time and walks across the chunk, so that B is still read as a few sequential streams over whole
 * rows, and is loaded from and stored back to the C chunk once per DEPTH rows.
 *
 * <p>Every kernel here computes each float element as one chain of FMAs over B's rows in order,
 * starting from 0 (the scalar edges too), the order {@link SkinnyPanels} also follows: a product
 * prepared with a constant B gives the same bits as the one reading B at run time.
 *
 * <p>8-bit B is widened to float on the fly (uint8 as {@code u - 128}, an XOR and a signed widening,
 * so that both types share one code path). Zero points are not subtracted per element: with
 * {@code a'[i][p] = a[i][p] - za}, {@code sum_p a'[i][p] (b[p][j] - zb[j]) = sum_p a'[i][p] b[p][j]
 * - zb[j] rowSum(a'[i])}, so the raw bytes go into the FMAs and the last term is subtracted once,
 * in int32. Products are at most 255 * 255, so float sums over {@link GemmCore#KC_INT} rows stay
 * exact (see {@link GemmCore}); each such block is flushed into int32.
 */
final class SkinnyGemm {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final VectorSpecies<Byte> B1 = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Most rows of the row-streaming kernel. */
    static final int ROWS_SMALL = 2;
    /** Most rows this class takes. */
    static final int MAX_ROWS = 8;
    /**
     * Floats of C chunk of the row-streaming kernel (32 KiB, in L1): 8192 columns for one row, 4096
     * for two. Wide, so that each row of B is read in long runs: on this class's first machine, 2 KiB
     * runs streamed at 15 GB/s on one core where 8 KiB and longer reached 30.
     */
    private static final int CHUNK_FLOATS = 8192;
    /** Pad between C chunk rows, so that the rows do not alias in the L1 (4 KiB apart). */
    private static final int ROW_PAD = 64;
    /** Columns per C chunk of the eight-row kernel: 8 rows x 2048 floats = 64 KiB (L2), 8 KiB runs of B rows. */
    private static final int BAND_N = 2048;
    /** Rows of B the eight-row kernel's register tile covers before adding into the C chunk. */
    static final int DEPTH = 8;
    /** Columns of B per strip of the eight-row kernel. */
    private static final int S = 2 * L;
    /** Multiply-adds below which one core does it all. */
    private static final long MIN_TASK_WORK = 1L << 20;

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    private SkinnyGemm() {
    }

    /** Whether this kernel takes the product: few rows, B row-major (a column's elements a row apart). */
    static boolean applies(int m, int n, MatrixView bt) {
        return m >= 1 && m <= MAX_ROWS && n >= L && bt.rowStride() == 1;
    }

    /** {@code C = alpha * A B (+ C)} (float target) or {@code C = A B (+ C)} (int target) for {@code m <= 8}. */
    static void multiply(int m, int n, int k, MatrixView a, MatrixView bt, GemmCore.Target c, boolean parallel) {
        int height = m <= ROWS_SMALL ? ROWS_SMALL : MAX_ROWS;
        // A as floats, rows one after the other, zero rows up to the kernel's height.
        float[] af = new float[height * Math.max(1, k)];
        a.packRows(af, 0, 0, m, height, 0, k);
        long[] sums = bt.kind() != MatrixView.Kind.F32 ? rowSums(af, m, k) : null;
        int strips = (n + S - 1) / S;
        long work = (long) m * n * k;
        int tasks = parallel ? (int) Math.min(Math.min(CpuParallel.THREADS, strips), Math.max(1, work / MIN_TASK_WORK)) : 1;
        CpuParallel.forRange(tasks, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                int j0 = (int) ((long) strips * t / tasks) * S;
                int j1 = Math.min(n, (int) ((long) strips * (t + 1) / tasks) * S);
                if (j0 < j1) {
                    columns(m, height, k, af, bt, c, sums, j0, j1);
                }
            }
        });
    }

    /** One core's share: output columns {@code [j0, j1)}, in chunks. */
    private static void columns(int m, int height, int k, float[] af, MatrixView bt, GemmCore.Target c, long[] rowSum, int j0,
            int j1) {
        boolean integer = bt.kind() != MatrixView.Kind.F32;
        boolean small = height == ROWS_SMALL;
        int width = small ? CHUNK_FLOATS / m : BAND_N;
        int stride = width + ROW_PAD;
        float[][] scratch = SCRATCH.get();
        if (scratch[0].length < height * stride) {
            scratch[0] = new float[height * stride];
        }
        float[] acc = scratch[0];
        int[] iacc = integer ? new int[height * stride] : null;
        // Float sums of 8-bit products are exact over KC_INT rows: flush into int32 after each such block.
        int kb = integer ? GemmCore.KC_INT : k;
        for (int jc = j0; jc < j1; jc += width) {
            int w = Math.min(width, j1 - jc);
            Arrays.fill(acc, 0, height * stride, 0f);
            if (integer) {
                Arrays.fill(iacc, 0);
            }
            for (int p0 = 0; p0 < k; p0 += kb) {
                int p1 = Math.min(k, p0 + kb);
                if (small) {
                    rows(m, af, k, bt, jc, w, p0, p1, acc, stride);
                } else {
                    band(af, k, bt, jc, w, p0, p1, acc, stride);
                }
                if (integer) {
                    flush(acc, iacc, m, stride, w);
                }
            }
            store(m, jc, w, acc, iacc, stride, bt, c, rowSum);
        }
    }

    /**
     * One or two rows: row-streaming, four rows of B per pass over the chunk, with a kernel for one
     * and for two rows. The kernels are written out per row count and element type, with no helper
     * returning a vector: C2 does not always inline such helpers in methods this size, and a vector
     * that crosses a call is boxed (measured 5x slower).
     */
    private static void rows(int m, float[] af, int k, MatrixView bt, int jc, int w, int p0, int p1, float[] acc, int width) {
        boolean f32 = bt.kind() == MatrixView.Kind.F32;
        byte flip = bt.kind() == MatrixView.Kind.U8 ? (byte) 0x80 : 0;
        // 8-bit vector loads of B1.length() bytes must stay inside the chunk's row.
        int vw = f32 ? w / L * L : (w < B1.length() ? 0 : (w - B1.length()) / L * L + L);
        int rows = m == 1 ? 1 : 2;
        MemorySegment seg = bt.segment();
        long ldb = bt.columnStride();
        long r0 = bt.base() + jc + p0 * ldb;
        if (f32) {
            if (rows == 1) {
                SkinnyKernels.pass1F(af, k, p0, p1, seg, r0, ldb, vw, acc, width);
            } else {
                SkinnyKernels.pass2F(af, k, p0, p1, seg, r0, ldb, vw, acc, width);
            }
        } else {
            if (rows == 1) {
                SkinnyKernels.pass1B(af, k, p0, p1, seg, r0, ldb, vw, acc, width, flip);
            } else {
                SkinnyKernels.pass2B(af, k, p0, p1, seg, r0, ldb, vw, acc, width, flip);
            }
        }
        int p = p0 + (p1 - p0) / 4 * 4;
        for (; p < p1; p++) {
            rowTail(af, k, rows, bt, jc, vw, p, acc, width);
        }
        scalarColumns(af, k, bt, jc, vw, w, p0, p1, acc, width, rows);
    }

    /** One leftover row p of B over columns {@code [0, j1)} of the chunk, for the kernel's first {@code rows} rows. */
    private static void rowTail(float[] af, int k, int rows, MatrixView bt, int jc, int j1, int p, float[] acc, int width) {
        for (int i = 0; i < rows; i++) {
            float x = af[i * k + p];
            for (int j = 0; j < j1; j++) {
                acc[i * width + j] = Math.fma(x, raw(bt, jc + j, p), acc[i * width + j]);
            }
        }
    }

    /** Columns {@code [j0, w)} of the chunk (the part narrower than a vector), element by element. */
    private static void scalarColumns(float[] af, int k, MatrixView bt, int jc, int j0, int w, int p0, int p1, float[] acc,
            int width, int rows) {
        for (int j = j0; j < w; j++) {
            for (int i = 0; i < rows; i++) {
                float s = acc[i * width + j];
                for (int p = p0; p < p1; p++) {
                    s = Math.fma(af[i * k + p], raw(bt, jc + j, p), s);
                }
                acc[i * width + j] = s;
            }
        }
    }

    /**
     * B's element (p, j) as the kernels see it: float32, int8 as is, uint8 minus 128 (the flip, see
     * {@link #zeroPointShift}); zero points are not subtracted.
     */
    private static float raw(MatrixView bt, int j, int p) {
        long at = bt.base() + j + p * bt.columnStride();
        return switch (bt.kind()) {
            case F32 -> bt.segment().getAtIndex(GemmCore.FLOAT, at);
            case I8 -> bt.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, at);
            case U8 -> (bt.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, at) & 0xFF) - 128;
        };
    }

    /**
     * What the kernels' B values lack: uint8 bytes are read XOR 0x80, that is as {@code u - 128}, so
     * {@code u - zb = (u - 128) - (zb - 128)}: the zero point to correct with is {@code zb - 128}.
     */
    private static int zeroPointShift(MatrixView.Kind kind) {
        return kind == MatrixView.Kind.U8 ? 128 : 0;
    }

    /**
     * Five to eight rows: B rows {@code [p0, p1)} of the chunk, {@link #DEPTH} rows at a time, read
     * straight from B: for each group of rows, the 8-row by 2-vector register tile walks across the
     * chunk's strips, so that B is read as DEPTH sequential streams over whole rows (copying bands of
     * B into a buffer first, then computing, measured slower: the copy's writes cost as much as the
     * reads). Per row of B: two vector loads, eight broadcasts, sixteen FMAs; the tile goes back into
     * acc (L1) once per group.
     */
    private static void band(float[] af, int k, MatrixView bt, int jc, int w, int p0, int p1, float[] acc, int width) {
        MemorySegment seg = bt.segment();
        long ldb = bt.columnStride();
        boolean f32 = bt.kind() == MatrixView.Kind.F32;
        byte flip = bt.kind() == MatrixView.Kind.U8 ? (byte) 0x80 : 0;
        // Whole strips that vector loads may cover (8-bit loads read B1.length() bytes from each vector's start).
        int full = f32 ? w / S : (w < S - L + B1.length() ? 0 : (w - (S - L + B1.length())) / S + 1);
        int p = p0;
        for (; p + DEPTH <= p1; p += DEPTH) {
            long row0 = bt.base() + jc + p * ldb;
            for (int st = 0; st < full; st++) {
                if (f32) {
                    SkinnyKernels.stripF(af, k, p, seg, row0, ldb, st * S, acc, width);
                } else {
                    SkinnyKernels.stripB(af, k, p, seg, row0, ldb, st * S, acc, width, flip);
                }
            }
            scalarColumns(af, k, bt, jc, full * S, w, p, p + DEPTH, acc, width, MAX_ROWS);
        }
        if (p < p1) {
            scalarColumns(af, k, bt, jc, 0, w, p, p1, acc, width, MAX_ROWS);
        }
    }

    /** Adds the exact float block sums of the first m rows into int32 and clears them. */
    private static void flush(float[] acc, int[] iacc, int m, int width, int w) {
        for (int i = 0; i < m; i++) {
            int o = i * width;
            int j = 0;
            for (int end = F.loopBound(w); j < end; j += L) {
                IntVector v = (IntVector) FloatVector.fromArray(F, acc, o + j).convert(VectorOperators.F2I, 0);
                v.add(IntVector.fromArray(I, iacc, o + j)).intoArray(iacc, o + j);
            }
            for (; j < w; j++) {
                iacc[o + j] += (int) acc[o + j];
            }
            Arrays.fill(acc, o, o + w, 0f);
        }
    }

    /** The sums of the first m rows of A as floats (row i at {@code af[i * k]}): the zero-point correction's factor. */
    static long[] rowSums(float[] af, int m, int k) {
        long[] sums = new long[m];
        for (int i = 0; i < m; i++) {
            long s = 0;
            for (int p = 0; p < k; p++) {
                s += (long) af[i * k + p];
            }
            sums[i] = s;
        }
        return sums;
    }

    /** Writes the chunk's first m rows to C: alpha and accumulation for float, zero-point correction for int. */
    private static void store(int m, int jc, int w, float[] acc, int[] iacc, int width, MatrixView bt, GemmCore.Target c,
            long[] rowSum) {
        store(m, jc, w, acc, iacc, 0, width, bt.kind(), bt.zeroPoint(), bt.rowZeroPoints(), c, rowSum);
    }

    /**
     * Writes m rows of {@code w} sums, row i at {@code off + i * stride} of {@code acc} (float
     * target) or {@code iacc} (int target), to C's columns {@code [j0, j0 + w)}: {@code alpha * sum (+
     * C)} for float; for int {@code sum - (zb[j] - shift) rowSum[i] (+ C)}, B's raw bytes having been
     * read as {@code b - shift} ({@code shift} 128 for uint8, see {@link #zeroPointShift}). Shared by
     * this class and {@link SkinnyPanels}, which compute their sums in the same order.
     */
    static void store(int m, int j0, int w, float[] acc, int[] iacc, int off, int stride, MatrixView.Kind kind, int zeroPoint,
            int[] columnZeroPoints, GemmCore.Target c, long[] rowSum) {
        MemorySegment seg = c.seg();
        int shift = zeroPointShift(kind);
        for (int i = 0; i < m; i++) {
            long row = c.base() + i * c.ldc() + j0;
            int o = off + i * stride;
            if (!c.integer()) {
                float alpha = c.alpha();
                for (int j = 0; j < w; j++) {
                    float v = acc[o + j];
                    long at = row + j;
                    seg.setAtIndex(GemmCore.FLOAT, at, c.accumulate() ? Math.fma(v, alpha, seg.getAtIndex(GemmCore.FLOAT, at))
                            : v * alpha);
                }
            } else {
                for (int j = 0; j < w; j++) {
                    int zb = (columnZeroPoints == null ? zeroPoint : columnZeroPoints[j0 + j]) - shift;
                    int v = iacc[o + j] - (int) (zb * rowSum[i]);
                    long at = row + j;
                    seg.setAtIndex(GemmCore.INT, at, c.accumulate() ? v + seg.getAtIndex(GemmCore.INT, at) : v);
                }
            }
        }
    }
}
