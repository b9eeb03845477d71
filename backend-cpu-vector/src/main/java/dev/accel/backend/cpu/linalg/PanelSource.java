package dev.accel.backend.cpu.linalg;

/**
 * An operand of {@link GemmCore}: a logical matrix, element {@code (r, c)} a float (8-bit operands
 * already widened, zero point subtracted), that copies blocks of itself into the two packed layouts
 * the {@link MicroKernel} streams through. {@link MatrixView} is one (a strided matrix in memory);
 * {@link Im2colSource} is another (a convolution's lowered input, read straight from the image).
 *
 * <p>Implementations are immutable and safe to share between threads.
 */
interface PanelSource {
    /**
     * Packs rows {@code [r0, r0 + rows)}, columns {@code [c0, c0 + kc)} one row after the other:
     * {@code dst[off + i * kc + p] = element(r0 + i, c0 + p)}; rows {@code rows..height-1} are zero.
     * The layout of the skinny kernels' A ({@link SkinnyGemm}); {@link GemmCore} packs both its
     * operands with {@link #packColumns}.
     */
    void packRows(float[] dst, int off, int r0, int rows, int height, int c0, int kc);

    /**
     * Packs rows {@code [r0, r0 + rows)}, columns {@code [c0, c0 + kc)} as a {@link GemmCore} panel
     * (B's, NR wide, or A's, MR high), one column after the other:
     * {@code dst[off + p * width + i] = element(r0 + i, c0 + p)}; entries {@code rows..width-1} of each
     * column are zero.
     */
    void packColumns(float[] dst, int off, int r0, int rows, int width, int c0, int kc);

    /**
     * Packs rows {@code [r0, r0 + rows)} as consecutive B panels of {@code width}, panel t (rows
     * {@code r0 + t * width} on) at {@code dst[off + t * width * kc]}, the last one zero-padded: the
     * same as {@link #packColumns} panel by panel, which is what this default does. A source whose
     * rows are adjacent in memory overrides it to read the block in memory order, a whole row of B at
     * a time, instead of a panel's narrow strip of every row (a stride of a whole row per step, which
     * defeats the prefetchers).
     */
    default void packColumnBlock(float[] dst, int off, int r0, int rows, int width, int c0, int kc) {
        for (int t = 0; t * width < rows; t++) {
            packColumns(dst, off + t * width * kc, r0 + t * width, Math.min(width, rows - t * width), width, c0, kc);
        }
    }
}
