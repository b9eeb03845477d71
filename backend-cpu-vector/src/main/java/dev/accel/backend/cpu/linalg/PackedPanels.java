package dev.accel.backend.cpu.linalg;

import dev.accel.backend.cpu.CpuParallel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A GEMM operand packed once, ahead of every call, in exactly the layout {@link GemmCore} packs it
 * into per call: a constant weight matrix (a model's initializer) given to
 * {@code Device.prepare(spec, constants)}. GemmCore reads the panels in place and skips packing.
 *
 * <p>The logical matrix is {@code rows x k} (as every {@link PanelSource}). K is cut into blocks of
 * {@code kc = }{@link GemmCore#balancedK balancedK(k, limit)} (the last one shorter); block b
 * starts at {@code b * kc * paddedRows}, and within it the {@code height}-row panel starting at row r
 * (a multiple of height) starts at {@code r * kcOfBlock}, its rows interleaved per step of K
 * ({@link PanelSource#packColumns}): an A operand's panels are {@code MR} high, a B operand's
 * {@code NR}. Because the values are those the per-call packing would produce, a prepared kernel
 * computes bit for bit what the unprepared one does.
 *
 * <p>Immutable once built; safe to share between threads.
 */
final class PackedPanels implements PanelSource {
    private final float[] data;
    private final int rows;
    private final int k;
    private final int kc;
    private final int height;
    private final boolean asB;
    private final int paddedRows;
    /** {@link ReuseDistance}'s count of bytes streamed at this operand's last use. */
    private final AtomicLong lastUse = new AtomicLong(ReuseDistance.never());

    private PackedPanels(float[] data, int rows, int k, int kc, int height, boolean asB) {
        this.data = data;
        this.rows = rows;
        this.k = k;
        this.kc = kc;
        this.height = height;
        this.asB = asB;
        this.paddedRows = (rows + height - 1) / height * height;
    }

    /** {@code src}'s rows packed as GEMM A panels ({@link GemmCore#MR} high) for K blocks of at most {@code limit}. */
    static PackedPanels asA(PanelSource src, int rows, int k, int limit) {
        return pack(src, rows, k, limit, GemmCore.MR, false);
    }

    /** {@code src}'s rows (B's columns) packed as GEMM B panels ({@link GemmCore#NR} wide) for K blocks of at most {@code limit}. */
    static PackedPanels asB(PanelSource src, int rows, int k, int limit) {
        return pack(src, rows, k, limit, GemmCore.NR, true);
    }

    /**
     * As {@link #asB}, packed by every core (each a run of whole panels, read a block of rows at a
     * time) into {@code buffer} when it is large enough (else a new array): for one GEMM call whose
     * threads split A's rows and would otherwise each pack all of B.
     */
    static PackedPanels asBInParallel(PanelSource src, int rows, int k, int limit, float[] buffer) {
        int height = GemmCore.NR;
        int kc = GemmCore.balancedK(Math.max(1, k), limit);
        int padded = (rows + height - 1) / height * height;
        float[] data = buffer != null && buffer.length >= padded * k ? buffer : new float[Math.max(1, padded * k)];
        int panels = padded / height;
        CpuParallel.forRange(panels, 1, (from, to) -> {
            int r0 = from * height;
            int live = Math.min(rows, to * height) - r0;
            for (int pc = 0; pc < k; pc += kc) {
                int kb = Math.min(kc, k - pc);
                src.packColumnBlock(data, pc * padded + r0 * kb, r0, live, height, pc, kb);
            }
        });
        return new PackedPanels(data, rows, k, kc, height, true);
    }

    /** Floats a B operand of {@code rows x k} takes packed. */
    static long sizeAsB(int rows, int k) {
        return (long) (rows + GemmCore.NR - 1) / GemmCore.NR * GemmCore.NR * k;
    }

    private static PackedPanels pack(PanelSource src, int rows, int k, int limit, int height, boolean asB) {
        int kc = GemmCore.balancedK(Math.max(1, k), limit);
        int padded = (rows + height - 1) / height * height;
        float[] data = new float[Math.max(1, padded * k)];
        for (int pc = 0; pc < k; pc += kc) {
            int kb = Math.min(kc, k - pc);
            for (int r = 0; r < rows; r += height) {
                int at = pc * padded + r * kb;
                int live = Math.min(height, rows - r);
                src.packColumns(data, at, r, live, height, pc, kb);
            }
        }
        return new PackedPanels(data, rows, k, kc, height, asB);
    }

    /** Records a use at {@code at} ({@link ReuseDistance}'s count) and returns the last one's. */
    long markUse(long at) {
        return lastUse.getAndSet(at);
    }

    /** The packed floats; read-only by contract. */
    float[] data() {
        return data;
    }

    /** The K block length these panels were packed for. */
    int kc() {
        return kc;
    }

    int rows() {
        return rows;
    }

    int k() {
        return k;
    }

    /** Index in {@link #data} of the panel at row {@code r} (a multiple of the panel height) of the K block starting at {@code pc}. */
    int offset(int pc, int r) {
        return pc * paddedRows + r * Math.min(kc, k - pc);
    }

    /** Whether GemmCore can read these panels in place for K blocks of at most {@code limit}. */
    boolean fits(int limit, boolean wantB) {
        return asB == wantB && kc == GemmCore.balancedK(Math.max(1, k), limit);
    }

    /** Element (r, c) of the logical matrix. */
    private float element(int r, int c) {
        int pc = c / kc * kc;
        int panel = offset(pc, r / height * height);
        int i = r % height;
        int p = c - pc;
        return data[panel + p * height + i];
    }

    @Override
    public void packRows(float[] dst, int off, int r0, int n, int h, int c0, int kcount) {
        for (int i = 0; i < h; i++) {
            for (int p = 0; p < kcount; p++) {
                dst[off + i * kcount + p] = i < n ? element(r0 + i, c0 + p) : 0f;
            }
        }
    }

    @Override
    public void packColumns(float[] dst, int off, int r0, int n, int width, int c0, int kcount) {
        for (int p = 0; p < kcount; p++) {
            for (int i = 0; i < width; i++) {
                dst[off + p * width + i] = i < n ? element(r0 + i, c0 + p) : 0f;
            }
        }
    }
}
