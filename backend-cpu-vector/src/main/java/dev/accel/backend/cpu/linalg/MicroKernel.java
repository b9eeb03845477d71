package dev.accel.backend.cpu.linalg;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tiled GEMM micro-kernel and its epilogues.
 *
 * <p>The tile is {@link #MR} = 6 rows by {@link #NR} = 2 vectors of the preferred species: twelve
 * accumulator vectors, with per step of K two vector loads of packed B, six broadcasts of packed A
 * and twelve fused multiply-adds. The lane count only sets NR (32 floats on 512-bit hardware, 16 on
 * 256-bit, 8 on 128-bit); the code names no lane count, so it is the same on every width. Twelve
 * accumulators plus two B vectors and one broadcast fit the 16 vector registers of AVX2 and leave
 * the FMA pipes enough independent chains (latency 4, two pipes) to stay busy.
 *
 * <p>Packed A holds a panel's MR rows interleaved per step of K (the MR floats of step p together),
 * packed B its NR columns the same way: each operand is one forward stream. (With A's rows one
 * after the other, a panel was six streams of a kilobyte each, too short for the hardware
 * prefetchers to follow when the panels come from memory, as a whole network's weights do:
 * {@code ColdWeightsMain} as of commit f77f20e, best of 40 calls, ResNet-50's res5 3x3 convolution
 * lowered, 512 x 49 x 4608 with A from memory, went from 1107-1142 to 1029-1036 us, and in cache
 * from 735-751 to 692-697 us.) Full float tiles take {@link #multiplyInto}, full int32
 * tiles {@link #multiplyIntoInt}, whose epilogues write C straight from the accumulators; edge tiles
 * go through a small tile array and the epilogues {@link #storeFloat} and {@link #storeInt} (24
 * extra vector memory operations against {@code 12 * kc} FMAs). Every epilogue is written out in its kernel: vectors are
 * never passed to a helper, which C2 may not inline when its call site is outside the hot loop, and
 * a vector that crosses a call is boxed (a per-row store helper measured ten times slower).
 */
final class MicroKernel {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    static final int L = F.length();
    /** Rows of the register tile. */
    static final int MR = 6;
    /** Columns of the register tile: two vectors. */
    static final int NR = 2 * L;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private MicroKernel() {
    }

    /**
     * {@code tile[i * NR + j] = sum over p < kc of a[ao + p * MR + i] * b[bo + p * NR + j]} for the
     * full MR x NR tile (packed panels are zero-padded, so edge tiles need no special case here). Both
     * panels hold their rows interleaved per step of K ({@link PanelSource#packColumns}, MR and NR
     * wide).
     */
    static void multiply(int kc, float[] a, int ao, float[] b, int bo, float[] tile) {
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F);
        FloatVector c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F);
        FloatVector c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F);
        FloatVector c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F);
        FloatVector c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F);
        FloatVector c51 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * NR;
            int ap = ao + p * MR;
            FloatVector b0 = FloatVector.fromArray(F, b, bp);
            FloatVector b1 = FloatVector.fromArray(F, b, bp + L);
            FloatVector x = FloatVector.broadcast(F, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, a[ap + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, a[ap + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, a[ap + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, a[ap + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, a[ap + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
    }

    /**
     * As {@link #multiply} for a tile whose columns past the first vector are all padding (a GEMM's
     * last panel, {@code n % NR <= L}): only the first vector of each B step is loaded and only the
     * first {@code L} columns of each tile row are written. Half the FMAs of the full tile, in the
     * same order per element, so the same sums. Six accumulator chains leave the FMA pipes short of
     * independent work (latency 4, two pipes), so this runs at about three quarters of the rate;
     * still less time than a full tile of which half is zeros (ResNet-50's 14x14 layers: 196
     * positions, the last panel 4 wide; SqueezeNet's 13x13: 169, 9).
     */
    static void multiplyNarrow(int kc, float[] a, int ao, float[] b, int bo, float[] tile) {
        FloatVector c0 = FloatVector.zero(F);
        FloatVector c1 = FloatVector.zero(F);
        FloatVector c2 = FloatVector.zero(F);
        FloatVector c3 = FloatVector.zero(F);
        FloatVector c4 = FloatVector.zero(F);
        FloatVector c5 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++) {
            int ap = ao + p * MR;
            FloatVector b0 = FloatVector.fromArray(F, b, bo + p * NR);
            c0 = FloatVector.broadcast(F, a[ap]).fma(b0, c0);
            c1 = FloatVector.broadcast(F, a[ap + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(F, a[ap + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(F, a[ap + 3]).fma(b0, c3);
            c4 = FloatVector.broadcast(F, a[ap + 4]).fma(b0, c4);
            c5 = FloatVector.broadcast(F, a[ap + 5]).fma(b0, c5);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, NR);
        c2.intoArray(tile, 2 * NR);
        c3.intoArray(tile, 3 * NR);
        c4.intoArray(tile, 4 * NR);
        c5.intoArray(tile, 5 * NR);
    }

    /**
     * As {@link #multiply} for an edge tile of one live row (a GEMM's last row panel when
     * {@code m % MR == 1}: a 7x7 plane's 49 positions in a pixel-major convolution, SqueezeNet's
     * 169): only tile row 0 is computed. One row has only two accumulator vectors, too few chains for
     * the FMA pipes, so K is split four ways by step (p mod 4), eight chains summed at the end: a
     * sixth of a full tile's work at about its rate, where {@link #multiplyFour} would take two
     * thirds. The sums are the same products added in another order (exact for the integer GEMM).
     */
    static void multiplyOne(int kc, float[] a, int ao, float[] b, int bo, float[] tile) {
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F);
        FloatVector c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F);
        FloatVector c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F);
        FloatVector c31 = FloatVector.zero(F);
        int p = 0;
        for (; p + 3 < kc; p += 4) {
            int bp = bo + p * NR;
            int ap = ao + p * MR;
            FloatVector x = FloatVector.broadcast(F, a[ap]);
            c00 = x.fma(FloatVector.fromArray(F, b, bp), c00);
            c01 = x.fma(FloatVector.fromArray(F, b, bp + L), c01);
            x = FloatVector.broadcast(F, a[ap + MR]);
            c10 = x.fma(FloatVector.fromArray(F, b, bp + NR), c10);
            c11 = x.fma(FloatVector.fromArray(F, b, bp + NR + L), c11);
            x = FloatVector.broadcast(F, a[ap + 2 * MR]);
            c20 = x.fma(FloatVector.fromArray(F, b, bp + 2 * NR), c20);
            c21 = x.fma(FloatVector.fromArray(F, b, bp + 2 * NR + L), c21);
            x = FloatVector.broadcast(F, a[ap + 3 * MR]);
            c30 = x.fma(FloatVector.fromArray(F, b, bp + 3 * NR), c30);
            c31 = x.fma(FloatVector.fromArray(F, b, bp + 3 * NR + L), c31);
        }
        for (; p < kc; p++) {
            int bp = bo + p * NR;
            FloatVector x = FloatVector.broadcast(F, a[ao + p * MR]);
            c00 = x.fma(FloatVector.fromArray(F, b, bp), c00);
            c01 = x.fma(FloatVector.fromArray(F, b, bp + L), c01);
        }
        c00.add(c10).add(c20.add(c30)).intoArray(tile, 0);
        c01.add(c11).add(c21.add(c31)).intoArray(tile, L);
    }

    /**
     * As {@link #multiplyOne}, with B read in place as {@link #multiplyDirect} reads it (row p of the
     * panel at byte {@code bAt + p * bStride}): the same sums in the same order, so a GEMM whose B is
     * read in place and one whose B was packed ahead agree bit for bit in their last row too.
     */
    static void multiplyOneDirect(int kc, float[] a, int ao, MemorySegment b, long bAt, long bStride, float[] tile) {
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F);
        FloatVector c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F);
        FloatVector c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F);
        FloatVector c31 = FloatVector.zero(F);
        long h = 4L * L;
        int p = 0;
        for (; p + 3 < kc; p += 4) {
            long bp = bAt + p * bStride;
            int ap = ao + p * MR;
            FloatVector x = FloatVector.broadcast(F, a[ap]);
            c00 = x.fma(FloatVector.fromMemorySegment(F, b, bp, LE), c00);
            c01 = x.fma(FloatVector.fromMemorySegment(F, b, bp + h, LE), c01);
            x = FloatVector.broadcast(F, a[ap + MR]);
            c10 = x.fma(FloatVector.fromMemorySegment(F, b, bp + bStride, LE), c10);
            c11 = x.fma(FloatVector.fromMemorySegment(F, b, bp + bStride + h, LE), c11);
            x = FloatVector.broadcast(F, a[ap + 2 * MR]);
            c20 = x.fma(FloatVector.fromMemorySegment(F, b, bp + 2 * bStride, LE), c20);
            c21 = x.fma(FloatVector.fromMemorySegment(F, b, bp + 2 * bStride + h, LE), c21);
            x = FloatVector.broadcast(F, a[ap + 3 * MR]);
            c30 = x.fma(FloatVector.fromMemorySegment(F, b, bp + 3 * bStride, LE), c30);
            c31 = x.fma(FloatVector.fromMemorySegment(F, b, bp + 3 * bStride + h, LE), c31);
        }
        for (; p < kc; p++) {
            long bp = bAt + p * bStride;
            FloatVector x = FloatVector.broadcast(F, a[ao + p * MR]);
            c00 = x.fma(FloatVector.fromMemorySegment(F, b, bp, LE), c00);
            c01 = x.fma(FloatVector.fromMemorySegment(F, b, bp + h, LE), c01);
        }
        c00.add(c10).add(c20.add(c30)).intoArray(tile, 0);
        c01.add(c11).add(c21.add(c31)).intoArray(tile, L);
    }

    /**
     * As {@link #multiply} for an edge tile of two to four live rows (a GEMM's last row panel when
     * {@code m % MR} is 2, 3 or 4): only the panel's first four rows are computed, into tile rows 0
     * to 3. Eight accumulator chains still keep both FMA pipes busy (latency 4), so such a tile costs
     * two thirds of a full one, and each element is the same FMA chain as in {@link #multiply}, so
     * the same sum. A 14x14 plane's 196 positions as rows of a pixel-major convolution are 32 full
     * panels and one such tile.
     */
    static void multiplyFour(int kc, float[] a, int ao, float[] b, int bo, float[] tile) {
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F);
        FloatVector c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F);
        FloatVector c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F);
        FloatVector c31 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * NR;
            int ap = ao + p * MR;
            FloatVector b0 = FloatVector.fromArray(F, b, bp);
            FloatVector b1 = FloatVector.fromArray(F, b, bp + L);
            FloatVector x = FloatVector.broadcast(F, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, a[ap + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, a[ap + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, a[ap + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
    }

    /**
     * As {@link #multiply}, with B read in place instead of from a packed panel: row p of the panel
     * (NR contiguous floats) at byte {@code bAt + p * bStride} of {@code b}. For products with few
     * rows of A, where packing B costs as much as the FMAs (16 x 64 times 64 x 3025: 88 GFLOP/s
     * packing B per call, 185 with B packed ahead).
     */
    static void multiplyDirect(int kc, float[] a, int ao, MemorySegment b, long bAt, long bStride, float[] tile) {
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F);
        FloatVector c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F);
        FloatVector c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F);
        FloatVector c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F);
        FloatVector c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F);
        FloatVector c51 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++) {
            long bp = bAt + p * bStride;
            int ap = ao + p * MR;
            FloatVector b0 = FloatVector.fromMemorySegment(F, b, bp, LE);
            FloatVector b1 = FloatVector.fromMemorySegment(F, b, bp + 4L * L, LE);
            FloatVector x = FloatVector.broadcast(F, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, a[ap + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, a[ap + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, a[ap + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, a[ap + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, a[ap + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
    }

    /**
     * As {@link #multiply}, for a full MR x NR float tile, with the epilogue fused: {@code C = alpha *
     * AB (+ C when add)}, C's element (i, j) at float index {@code c + i * ldc + j} of {@code seg}. The
     * accumulators go straight to C, never through a tile array. (A fused convolution's residual and
     * bounds come after, in {@link #finish}: added here, they made the method too large for C1, which
     * then left it to the interpreter until C2 compiled it.)
     */
    static void multiplyInto(int kc, float[] a, int ao, float[] b, int bo, MemorySegment seg, long c, long ldc, float alpha,
            boolean add) {
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F);
        FloatVector c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F);
        FloatVector c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F);
        FloatVector c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F);
        FloatVector c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F);
        FloatVector c51 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * NR;
            int ap = ao + p * MR;
            FloatVector b0 = FloatVector.fromArray(F, b, bp);
            FloatVector b1 = FloatVector.fromArray(F, b, bp + L);
            FloatVector x = FloatVector.broadcast(F, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, a[ap + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, a[ap + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, a[ap + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, a[ap + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, a[ap + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        // The epilogue is written out rather than calling a helper per row: a helper that C2 does not
        // inline (its call sites are outside the loop, so they look cold) boxes every vector passed to
        // it, which measured 10x slower than this whole kernel.
        long r0 = c * 4;
        long st = ldc * 4;
        long h = 4L * L;
        if (add) {
            FloatVector va = FloatVector.broadcast(F, alpha);
            c00 = c00.fma(va, FloatVector.fromMemorySegment(F, seg, r0, LE));
            c01 = c01.fma(va, FloatVector.fromMemorySegment(F, seg, r0 + h, LE));
            c10 = c10.fma(va, FloatVector.fromMemorySegment(F, seg, r0 + st, LE));
            c11 = c11.fma(va, FloatVector.fromMemorySegment(F, seg, r0 + st + h, LE));
            c20 = c20.fma(va, FloatVector.fromMemorySegment(F, seg, r0 + 2 * st, LE));
            c21 = c21.fma(va, FloatVector.fromMemorySegment(F, seg, r0 + 2 * st + h, LE));
            c30 = c30.fma(va, FloatVector.fromMemorySegment(F, seg, r0 + 3 * st, LE));
            c31 = c31.fma(va, FloatVector.fromMemorySegment(F, seg, r0 + 3 * st + h, LE));
            c40 = c40.fma(va, FloatVector.fromMemorySegment(F, seg, r0 + 4 * st, LE));
            c41 = c41.fma(va, FloatVector.fromMemorySegment(F, seg, r0 + 4 * st + h, LE));
            c50 = c50.fma(va, FloatVector.fromMemorySegment(F, seg, r0 + 5 * st, LE));
            c51 = c51.fma(va, FloatVector.fromMemorySegment(F, seg, r0 + 5 * st + h, LE));
        } else if (alpha != 1f) {
            c00 = c00.mul(alpha);
            c01 = c01.mul(alpha);
            c10 = c10.mul(alpha);
            c11 = c11.mul(alpha);
            c20 = c20.mul(alpha);
            c21 = c21.mul(alpha);
            c30 = c30.mul(alpha);
            c31 = c31.mul(alpha);
            c40 = c40.mul(alpha);
            c41 = c41.mul(alpha);
            c50 = c50.mul(alpha);
            c51 = c51.mul(alpha);
        }
        c00.intoMemorySegment(seg, r0, LE);
        c01.intoMemorySegment(seg, r0 + h, LE);
        c10.intoMemorySegment(seg, r0 + st, LE);
        c11.intoMemorySegment(seg, r0 + st + h, LE);
        c20.intoMemorySegment(seg, r0 + 2 * st, LE);
        c21.intoMemorySegment(seg, r0 + 2 * st + h, LE);
        c30.intoMemorySegment(seg, r0 + 3 * st, LE);
        c31.intoMemorySegment(seg, r0 + 3 * st + h, LE);
        c40.intoMemorySegment(seg, r0 + 4 * st, LE);
        c41.intoMemorySegment(seg, r0 + 4 * st + h, LE);
        c50.intoMemorySegment(seg, r0 + 5 * st, LE);
        c51.intoMemorySegment(seg, r0 + 5 * st + h, LE);
    }

    /**
     * As {@link #multiply}, for a full MR x NR int32 tile, with the epilogue fused: the exact float
     * sums (see {@link GemmCore#KC_INT}) converted to int32 and stored, added to C when {@code add}.
     */
    static void multiplyIntoInt(int kc, float[] a, int ao, float[] b, int bo, MemorySegment seg, long c, long ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F);
        FloatVector c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F);
        FloatVector c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F);
        FloatVector c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F);
        FloatVector c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F);
        FloatVector c51 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * NR;
            int ap = ao + p * MR;
            FloatVector b0 = FloatVector.fromArray(F, b, bp);
            FloatVector b1 = FloatVector.fromArray(F, b, bp + L);
            FloatVector x = FloatVector.broadcast(F, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, a[ap + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, a[ap + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, a[ap + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, a[ap + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, a[ap + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        long r0 = c * 4;
        long st = ldc * 4;
        long h = 4L * L;
        IntVector i00 = (IntVector) c00.convert(VectorOperators.F2I, 0);
        IntVector i01 = (IntVector) c01.convert(VectorOperators.F2I, 0);
        IntVector i10 = (IntVector) c10.convert(VectorOperators.F2I, 0);
        IntVector i11 = (IntVector) c11.convert(VectorOperators.F2I, 0);
        IntVector i20 = (IntVector) c20.convert(VectorOperators.F2I, 0);
        IntVector i21 = (IntVector) c21.convert(VectorOperators.F2I, 0);
        IntVector i30 = (IntVector) c30.convert(VectorOperators.F2I, 0);
        IntVector i31 = (IntVector) c31.convert(VectorOperators.F2I, 0);
        IntVector i40 = (IntVector) c40.convert(VectorOperators.F2I, 0);
        IntVector i41 = (IntVector) c41.convert(VectorOperators.F2I, 0);
        IntVector i50 = (IntVector) c50.convert(VectorOperators.F2I, 0);
        IntVector i51 = (IntVector) c51.convert(VectorOperators.F2I, 0);
        if (add) {
            i00 = i00.add(IntVector.fromMemorySegment(I, seg, r0, LE));
            i01 = i01.add(IntVector.fromMemorySegment(I, seg, r0 + h, LE));
            i10 = i10.add(IntVector.fromMemorySegment(I, seg, r0 + st, LE));
            i11 = i11.add(IntVector.fromMemorySegment(I, seg, r0 + st + h, LE));
            i20 = i20.add(IntVector.fromMemorySegment(I, seg, r0 + 2 * st, LE));
            i21 = i21.add(IntVector.fromMemorySegment(I, seg, r0 + 2 * st + h, LE));
            i30 = i30.add(IntVector.fromMemorySegment(I, seg, r0 + 3 * st, LE));
            i31 = i31.add(IntVector.fromMemorySegment(I, seg, r0 + 3 * st + h, LE));
            i40 = i40.add(IntVector.fromMemorySegment(I, seg, r0 + 4 * st, LE));
            i41 = i41.add(IntVector.fromMemorySegment(I, seg, r0 + 4 * st + h, LE));
            i50 = i50.add(IntVector.fromMemorySegment(I, seg, r0 + 5 * st, LE));
            i51 = i51.add(IntVector.fromMemorySegment(I, seg, r0 + 5 * st + h, LE));
        }
        i00.intoMemorySegment(seg, r0, LE);
        i01.intoMemorySegment(seg, r0 + h, LE);
        i10.intoMemorySegment(seg, r0 + st, LE);
        i11.intoMemorySegment(seg, r0 + st + h, LE);
        i20.intoMemorySegment(seg, r0 + 2 * st, LE);
        i21.intoMemorySegment(seg, r0 + 2 * st + h, LE);
        i30.intoMemorySegment(seg, r0 + 3 * st, LE);
        i31.intoMemorySegment(seg, r0 + 3 * st + h, LE);
        i40.intoMemorySegment(seg, r0 + 4 * st, LE);
        i41.intoMemorySegment(seg, r0 + 4 * st + h, LE);
        i50.intoMemorySegment(seg, r0 + 5 * st, LE);
        i51.intoMemorySegment(seg, r0 + 5 * st + h, LE);
    }

    /**
     * As {@link #multiplyInto(int, float[], int, float[], int, MemorySegment, long, long, float, boolean)}
     * without accumulation, adding row i's bias {@code bias[bi + i]}: {@code C = alpha * AB + bias}.
     */
    static void multiplyInto(int kc, float[] a, int ao, float[] b, int bo, MemorySegment seg, long c, long ldc, float alpha,
            float[] bias, int bi) {
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F);
        FloatVector c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F);
        FloatVector c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F);
        FloatVector c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F);
        FloatVector c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F);
        FloatVector c51 = FloatVector.zero(F);
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * NR;
            int ap = ao + p * MR;
            FloatVector b0 = FloatVector.fromArray(F, b, bp);
            FloatVector b1 = FloatVector.fromArray(F, b, bp + L);
            FloatVector x = FloatVector.broadcast(F, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, a[ap + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, a[ap + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, a[ap + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, a[ap + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, a[ap + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        long r0 = c * 4;
        long st = ldc * 4;
        long h = 4L * L;
        FloatVector va = FloatVector.broadcast(F, alpha);
        FloatVector x = FloatVector.broadcast(F, bias[bi]);
        c00.fma(va, x).intoMemorySegment(seg, r0, LE);
        c01.fma(va, x).intoMemorySegment(seg, r0 + h, LE);
        x = FloatVector.broadcast(F, bias[bi + 1]);
        c10.fma(va, x).intoMemorySegment(seg, r0 + st, LE);
        c11.fma(va, x).intoMemorySegment(seg, r0 + st + h, LE);
        x = FloatVector.broadcast(F, bias[bi + 2]);
        c20.fma(va, x).intoMemorySegment(seg, r0 + 2 * st, LE);
        c21.fma(va, x).intoMemorySegment(seg, r0 + 2 * st + h, LE);
        x = FloatVector.broadcast(F, bias[bi + 3]);
        c30.fma(va, x).intoMemorySegment(seg, r0 + 3 * st, LE);
        c31.fma(va, x).intoMemorySegment(seg, r0 + 3 * st + h, LE);
        x = FloatVector.broadcast(F, bias[bi + 4]);
        c40.fma(va, x).intoMemorySegment(seg, r0 + 4 * st, LE);
        c41.fma(va, x).intoMemorySegment(seg, r0 + 4 * st + h, LE);
        x = FloatVector.broadcast(F, bias[bi + 5]);
        c50.fma(va, x).intoMemorySegment(seg, r0 + 5 * st, LE);
        c51.fma(va, x).intoMemorySegment(seg, r0 + 5 * st + h, LE);
    }

    /**
     * A full MR x NR float tile of C just stored ({@link #multiplyInto}), finished in place while in
     * L1: the residual {@code z} (when not null, at C's index) added, then {@code clamp}.
     */
    static void finish(MemorySegment seg, long c, long ldc, MemorySegment z, Clamp clamp) {
        for (int i = 0; i < MR; i++) {
            for (int j = 0; j < NR; j += L) {
                clamp.applyAt(seg, (c + i * ldc + j) * 4, z);
            }
        }
    }

    /**
     * Float epilogue for the top-left {@code mr x nr} of a tile: {@code C = clamp(alpha * tile (+ C when
     * add) (+ Z when z is not null))}, C's element (i, j) at float index {@code c + i * ldc + j}, Z's at
     * the same index of {@code z}.
     */
    static void storeFloat(float[] tile, int mr, int nr, MemorySegment seg, long c, long ldc, float alpha, boolean add,
            MemorySegment z, Clamp clamp) {
        FloatVector va = FloatVector.broadcast(F, alpha);
        FloatVector lo = FloatVector.broadcast(F, clamp.lo());
        FloatVector hi = FloatVector.broadcast(F, clamp.hi());
        boolean clamped = !clamp.none();
        int vecEnd = F.loopBound(nr);
        for (int i = 0; i < mr; i++) {
            long row = (c + i * ldc) * 4;
            int t = i * NR;
            int j = 0;
            for (; j < vecEnd; j += L) {
                FloatVector v = FloatVector.fromArray(F, tile, t + j);
                long at = row + j * 4L;
                v = add ? v.fma(va, FloatVector.fromMemorySegment(F, seg, at, LE)) : v.mul(va);
                if (z != null) {
                    v = v.add(FloatVector.fromMemorySegment(F, z, at, LE));
                }
                if (clamped) {
                    v = v.max(lo).min(hi);
                }
                v.intoMemorySegment(seg, at, LE);
            }
            for (; j < nr; j++) {
                long at = row + j * 4L;
                float v = tile[t + j];
                v = add ? Math.fma(v, alpha, seg.get(GemmCore.FLOAT, at)) : v * alpha;
                seg.set(GemmCore.FLOAT, at, clamp.apply(z == null ? v : v + z.get(GemmCore.FLOAT, at)));
            }
        }
    }

    /**
     * As {@link #storeFloat} without accumulation, row i starting at {@code bias[bi + i]}, the residual
     * {@code z} (when not null) added at C's index: {@code C = clamp(alpha * tile + bias (+ Z))}.
     */
    static void storeFloatWithBias(float[] tile, int mr, int nr, MemorySegment seg, long c, long ldc, float alpha, float[] bias,
            int bi, MemorySegment z, Clamp clamp) {
        FloatVector va = FloatVector.broadcast(F, alpha);
        FloatVector lo = FloatVector.broadcast(F, clamp.lo());
        FloatVector hi = FloatVector.broadcast(F, clamp.hi());
        boolean clamped = !clamp.none();
        int vecEnd = F.loopBound(nr);
        for (int i = 0; i < mr; i++) {
            long row = (c + i * ldc) * 4;
            int t = i * NR;
            float b = bias[bi + i];
            FloatVector vb = FloatVector.broadcast(F, b);
            int j = 0;
            for (; j < vecEnd; j += L) {
                FloatVector v = FloatVector.fromArray(F, tile, t + j).fma(va, vb);
                if (z != null) {
                    v = v.add(FloatVector.fromMemorySegment(F, z, row + j * 4L, LE));
                }
                if (clamped) {
                    v = v.max(lo).min(hi);
                }
                v.intoMemorySegment(seg, row + j * 4L, LE);
            }
            for (; j < nr; j++) {
                float v = Math.fma(tile[t + j], alpha, b);
                seg.set(GemmCore.FLOAT, row + j * 4L, clamp.apply(z == null ? v : v + z.get(GemmCore.FLOAT, row + j * 4L)));
            }
        }
    }

    /**
     * Int32 epilogue: the tile holds exact integers (see {@link GemmCore#KC_INT}); {@code C = tile
     * (+ C when add)} in int32, wrapping as int32 accumulation does.
     */
    static void storeInt(float[] tile, int mr, int nr, MemorySegment seg, long c, long ldc, boolean add) {
        int vecEnd = F.loopBound(nr);
        for (int i = 0; i < mr; i++) {
            long row = (c + i * ldc) * 4;
            int t = i * NR;
            int j = 0;
            for (; j < vecEnd; j += L) {
                IntVector v = (IntVector) FloatVector.fromArray(F, tile, t + j).convert(VectorOperators.F2I, 0);
                long at = row + j * 4L;
                if (add) {
                    v = v.add(IntVector.fromMemorySegment(I, seg, at, LE));
                }
                v.intoMemorySegment(seg, at, LE);
            }
            for (; j < nr; j++) {
                long at = row + j * 4L;
                int v = (int) tile[t + j];
                seg.set(GemmCore.INT, at, add ? v + seg.get(GemmCore.INT, at) : v);
            }
        }
    }
}
