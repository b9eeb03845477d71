package dev.accel.backend.cpu.linalg;

import dev.accel.backend.cpu.CpuParallel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The packed, cache-blocked, multi-threaded GEMM every Vector API matrix kernel of this package
 * runs on: {@code C = alpha * A * B (+ C)} with A {@code m x k} and B {@code k x n} given as
 * {@link PanelSource}s (B as its transpose, {@code n x k}, so that both operands index the same
 * way: a {@link MatrixView} over memory, or a convolution's lowered input, {@link Im2colSource}),
 * and C a dense-row matrix in a segment, float32 or int32.
 *
 * <p>Loop nest (the Goto / BLIS scheme): columns in blocks of {@link #NC}; K in blocks of at most
 * KC, of equal size ({@link #balancedK}); a {@code KC x NC} block of B packed into {@code NR}-wide
 * panels, read from memory a whole row of B at a time (kept in L3; in L2 when A is a single row
 * block, so that each packed element, used once, does not go back to memory); rows in blocks of
 * {@link #MC}, each {@code MC x KC} block of A packed into {@code MR}-high panels, the panel's rows
 * interleaved per step of K as B's columns are (kept in L2); then for each B panel (kept in L1,
 * {@code KC * NR * 4} bytes) every A panel runs through the {@link MicroKernel}. Packing zero-pads the edges, so any m, n, k
 * works and only the epilogue knows about partial tiles; full float tiles go straight from the
 * accumulators to C, a convolution's bias added there ({@link Target#rowBias}). An operand given as
 * {@link PackedPanels} (constant weights packed once at prepare time, for the same K block) is read
 * in place and never packed: the same floats in the same order, so the same result bit for bit.
 *
 * <p>Threads: the output is cut along whichever of M or N has more register tiles into one
 * rectangle per thread (never finer than about {@link #MIN_TASK_WORK} multiply-adds); each thread
 * runs the whole loop nest on its rectangle with its own packing buffers, so threads never wait for
 * each other until the end. When the cut is along M, every thread would pack all of B for its rows:
 * a B the size of an L2 or more ({@link #MIN_SHARED_B} to {@link #MAX_SHARED_B} floats) is then packed
 * once first, each core packing a share of its panels, and read in place by all. When the cut is
 * along N, each thread packs all of A itself: packing it once for both cores (a pixel-major
 * convolution's lowered input) made ResNet-50's res5 3x3 and 1x1 2048-512 layers run 688-698 and
 * 320-334 us against 640-647 and 271-274 with A packed per thread (ConvBenchmark, three forked JVMs
 * each, with a temporary switch around that code, since removed): half of a shared A comes from the
 * other core's cache at every use. (MatMul n = 1024 on two cores ran 7% slower with B packed per
 * call than with B packed ahead while each thread packed all of it, 4% slower with it shared;
 * {@code Experiments packed-operands} in the benchmarks module compares the two.)
 *
 * <p>Integers: 8-bit operands with zero points subtracted are integers in [-255, 255], so a product
 * is at most 65025 in magnitude. With K blocks of {@link #KC_INT} = 256, every partial sum stays
 * below 256 * 65025 = 16,646,400 < 2^24: the float FMA chain is exact, the block's sum converts to
 * int32 exactly, and blocks are summed in int32. This keeps the full FP32 FMA rate (the Vector API
 * has no 4-way byte dot product, and widening to shorts halves the useful lanes).
 */
final class GemmCore {
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    static final int MR = MicroKernel.MR;
    static final int NR = MicroKernel.NR;
    /** K block for float32: a B micro-panel of {@code KC * NR * 4} bytes (32 KiB at 512 bits) stays in L1. */
    static final int KC = 256;
    /** K block for the integer GEMM: the exactness bound (see the class comment); must be at most 258. */
    static final int KC_INT = 256;
    /** Rows of A packed at once: {@code MC * KC * 4} bytes (240 KiB) stay in a 1-2 MiB L2. */
    static final int MC = 40 * MR;
    /** Columns of B packed at once: {@code KC * NC * 4} bytes (4 MiB at 512 bits) stay in L3. */
    static final int NC = 128 * NR;
    /** Bytes of packed B block when A is a single row block: half of a 1-2 MiB L2. */
    static final int L2_BLOCK = 512 << 10;
    /**
     * Row counts up to this take the skinny loop nest: B is packed one {@code KC x NR} panel at a
     * time into L1 right before use, instead of a whole {@code KC x NC} block that would make a
     * round trip through L3 or memory for only a few rows of A.
     */
    static final int SKINNY_M = 4 * MR;
    /**
     * Multiply-adds below which a task is not worth handing to another core: about 2 us of FMAs on
     * one core of the project's machine, against well under a microsecond to hand a loop to a pool
     * worker that is still spinning from the last one ({@link dev.accel.backend.cpu.CpuParallel}). At
     * four times this, SqueezeNet's fire2 1x1 layers (3.1 M multiply-adds) ran on one core: their
     * rows of {@code accel bench cpu} went from 137 and 134 GFLOP/s to 257-290 and 241-281 (four runs).
     */
    static final long MIN_TASK_WORK = 1L << 18;
    /**
     * When B lies row by row in memory (a 1x1 convolution's input, a row-major float matrix) and a
     * thread has at most this many rows of A, its full register-tile panels are read in place rather
     * than packed: with few A panels to share it, packing a B element costs about what its FMAs do.
     * {@code GemmShapesMain} (test classes), two cores, read in place against packed per call (and
     * packed ahead): 64 x 64 times 64 x 3136 68.6 and 95.0 us (60.1), 64 x 256 times 256 x 3136 245.2
     * and 293.7 us (222.4); 128 rows of 512 broke even (256.4 and 262.2 us), and so did 256 rows of
     * 1024 (288.4 and 287.9 us), so the limit stays where in place still gains.
     */
    static final int DIRECT_MAX_ROWS = 128;
    /**
     * Depths outside which B is packed even then: below, the tile's epilogue (through the tile array
     * on this path) outweighs the packing (64 x 16 times 16 x 3025 ran 21.5 us packed against 25.1 in
     * place, in a run of the harness that became {@code GemmShapesMain}); above, the panel's rows (a
     * cache line pair each, one B row apart) start to evict each other from L1.
     */
    static final int DIRECT_MIN_K = 32;
    static final int DIRECT_MAX_K = 576;
    /**
     * Fewest floats of B packed once for all threads (1 MiB): a smaller B, packed by each thread
     * block by block, stays in that core's L2, where half of a shared one comes from the other core's
     * (ResNet-50 res5 and MobileNetV2's 14x14 1x1 layers, B of 0.5-1.2 MiB, lost 10-35% shared when
     * the bound was lower; none of the benchmark's layers has a B between 1 and 2 MiB split by rows).
     * Down from 2 MiB: a 512 x 512 MatMul (1 MiB) went from 639 / 652 / 734 / 729 us to 606 / 599 /
     * 671 / 672 ({@code MatMulPackingMain 512}, alternating runs), and the one light_resnet50 layer in
     * between (1x1, 512 to 256 channels at 28 x 28, B read in place before) from 527 / 492 to 487 /
     * 485 us ({@code GemmShapesMain 256 512 784}).
     */
    static final long MIN_SHARED_B = 256L << 10;
    /** Most floats of B packed once for all threads (64 MiB); larger ones are packed per thread, block by block. */
    static final long MAX_SHARED_B = 16L << 20;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private GemmCore() {
    }

    /**
     * Where the product goes: element (i, j) of C at element index {@code base + i * ldc + j} of
     * {@code seg}, float32 ({@code C = alpha * AB + bias[i] (+ C)}) or int32 ({@code C = AB (+ C)},
     * alpha and bias ignored); {@code accumulate} adds to C's current contents instead of overwriting
     * them. {@code rowBias} (float32 only, or null) holds row i's bias at {@code rowBias[biasBase + i]};
     * it is added in the epilogue of the first K block, so that a convolution's bias costs no pass of
     * its own over C; {@code clamp} (a fused Relu or Clip) is applied in the epilogue of the last.
     */
    record Target(MemorySegment seg, long base, long ldc, boolean integer, float alpha, boolean accumulate, float[] rowBias,
                  int biasBase, Clamp clamp, MemorySegment residual) {
        Target {
            NativeScratch.requireNative(seg);
            if ((!clamp.none() || residual != null) && (integer || accumulate)) {
                throw new IllegalArgumentException("a clamped GEMM target or one with a residual must be float32 and not accumulate");
            }
        }

        static Target floats(MemorySegment seg, long base, long ldc, float alpha, boolean accumulate) {
            return new Target(seg, base, ldc, false, alpha, accumulate, null, 0, Clamp.NONE, null);
        }

        /** A float target whose row i starts at {@code bias[biasBase + i]} (not accumulating). */
        static Target floatsWithBias(MemorySegment seg, long base, long ldc, float[] bias, int biasBase) {
            return new Target(seg, base, ldc, false, 1f, false, bias, biasBase, Clamp.NONE, null);
        }

        static Target ints(MemorySegment seg, long base, long ldc, boolean accumulate) {
            return new Target(seg, base, ldc, true, 1f, accumulate, null, 0, Clamp.NONE, null);
        }

        /** This float target with {@code clamp} applied to each element as the last K block stores it. */
        Target clamped(Clamp clamp) {
            return new Target(seg, base, ldc, integer, alpha, accumulate, rowBias, biasBase, clamp, residual);
        }

        /**
         * This float target with {@code residual} added by the last K block, before
         * the clamp (so the sums round as a Conv then an Add would): element (i, j) of it at the same
         * index of {@code residual} as C's in {@code seg} (a residual Add fused into a convolution).
         */
        Target withResidual(MemorySegment residual) {
            return new Target(seg, base, ldc, integer, alpha, accumulate, rowBias, biasBase, clamp, residual);
        }

        /** Row i's bias, 0 without one. */
        float bias(int i) {
            return rowBias == null ? 0f : rowBias[biasBase + i];
        }
    }

    /** Per-thread packing buffers, grown on demand and reused across calls. */
    private static final class Scratch {
        final float[] a = new float[MC * Math.max(KC, KC_INT)];
        final float[] tile = new float[MR * NR];
        float[] b = new float[0];
        /** B packed for all threads of one call, kept for the next call on the same calling thread. */
        float[] sharedB;

        float[] b(int size) {
            if (b.length < size) {
                b = new float[size];
            }
            return b;
        }
    }

    /**
     * Computes the product into {@code c}.
     *
     * @param a the {@code m x k} left operand
     * @param bt the transpose of the right operand, {@code n x k}
     * @param parallel whether to split across cores (false inside an already parallel loop)
     */
    static void multiply(int m, int n, int k, PanelSource a, PanelSource bt, Target c, boolean parallel) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0) {
            if (!c.accumulate()) {
                for (int i = 0; i < m; i++) {
                    if (c.residual() != null) {
                        for (long j = c.base() + i * c.ldc(), end = j + n; j < end; j++) {
                            c.seg().setAtIndex(FLOAT, j, c.clamp().apply(c.bias(i) + c.residual().getAtIndex(FLOAT, j)));
                        }
                    } else if (c.rowBias() != null || !c.clamp().none()) {
                        Fills.constant(c.seg(), c.base() + i * c.ldc(), n, c.clamp().apply(c.bias(i)));
                    } else {
                        c.seg().asSlice((c.base() + i * c.ldc()) * 4, n * 4L).fill((byte) 0);
                    }
                }
            }
            return;
        }
        int tilesM = (m + MR - 1) / MR;
        int tilesN = (n + NR - 1) / NR;
        boolean splitN = tilesN >= tilesM;
        int tiles = splitN ? tilesN : tilesM;
        long work = (long) m * n * k;
        int tasks = parallel ? (int) Math.min(Math.min(CpuParallel.THREADS, tiles), Math.max(1, work / MIN_TASK_WORK)) : 1;
        boolean coldA = a instanceof PackedPanels p && ReuseDistance.cold(p);
        if (tasks <= 1) {
            block(0, m, 0, n, k, a, bt, c, coldA);
            return;
        }
        PanelSource b = bt;
        int limit = c.integer() ? KC_INT : KC;
        long bFloats = PackedPanels.sizeAsB(n, k);
        if (!splitN && m / tasks > SKINNY_M && prepacked(bt, limit, true) == null && bFloats >= MIN_SHARED_B
                && bFloats <= MAX_SHARED_B) {
            // Each thread would pack all of B for its rows, from memory: pack it once, every core taking a share.
            Scratch s = SCRATCH.get();
            PackedPanels shared = PackedPanels.asBInParallel(bt, n, k, limit, s.sharedB);
            s.sharedB = shared.data();
            b = shared;
        }
        PanelSource bs = b;
        CpuParallel.forRange(tasks, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                int lo = (int) ((long) tiles * t / tasks);
                int hi = (int) ((long) tiles * (t + 1) / tasks);
                if (splitN) {
                    block(0, m, lo * NR, Math.min(n, hi * NR), k, a, bs, c, coldA);
                } else {
                    block(lo * MR, Math.min(m, hi * MR), 0, n, k, a, bs, c, coldA);
                }
            }
        });
    }

    /**
     * The sequential loop nest over the output rectangle {@code [i0, i1) x [j0, j1)}; {@code coldA}:
     * A is packed ahead and likely in memory ({@link ReuseDistance}), so each of its blocks is
     * touched into cache before use.
     */
    private static void block(int i0, int i1, int j0, int j1, int k, PanelSource a, PanelSource bt, Target c, boolean coldA) {
        Scratch s = SCRATCH.get();
        if (i1 - i0 <= SKINNY_M) {
            skinny(s, i0, i1, j0, j1, k, a, bt, c);
            return;
        }
        int limit = c.integer() ? KC_INT : KC;
        int kcMax = balancedK(k, limit);
        PackedPanels pa = prepacked(a, limit, false);
        PackedPanels pb = prepacked(bt, limit, true);
        // With one block of rows, each packed B element is used once: keep the block in L2 rather than
        // L3, or packing it costs a round trip to memory (measured as much time as the FMAs).
        int ncLimit = i1 - i0 <= MC ? Math.max(NR, L2_BLOCK / (4 * kcMax) / NR * NR) : NC;
        int ncMax = Math.min(ncLimit, roundUp(j1 - j0, NR));
        float[] bp = pb != null ? pb.data() : s.b(kcMax * ncMax);
        float[] ap = pa != null ? pa.data() : s.a;
        float[] tile = s.tile;
        MatrixView direct = pb == null && !c.integer() && i1 - i0 <= DIRECT_MAX_ROWS && k >= DIRECT_MIN_K && k <= DIRECT_MAX_K
                && bt instanceof MatrixView v && v.kind() == MatrixView.Kind.F32
                && v.rowStride() == 1 ? v : null;
        for (int jc = j0; jc < j1; jc += ncMax) {
            int nc = Math.min(ncMax, j1 - jc);
            for (int pc = 0; pc < k; pc += kcMax) {
                int kc = Math.min(kcMax, k - pc);
                boolean add = pc > 0 || c.accumulate();
                Clamp clamp = pc + kc >= k ? c.clamp() : Clamp.NONE;
                MemorySegment z = pc + kc >= k ? c.residual() : null;
                int bBase = 0;
                if (pb != null) {
                    bBase = pb.offset(pc, jc);
                } else if (direct != null) {
                    int full = nc / NR * NR;
                    if (full < nc) {
                        bt.packColumnBlock(bp, full * kc, jc + full, nc - full, NR, pc, kc);
                    }
                } else {
                    bt.packColumnBlock(bp, 0, jc, nc, NR, pc, kc);
                }
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    int aBase = 0;
                    if (pa != null) {
                        aBase = pa.offset(pc, ic);
                        if (coldA) {
                            touch(ap, aBase, Math.min(ap.length - aBase, roundUp(mc, MR) * kc));
                        }
                    } else {
                        for (int ir = 0; ir < mc; ir += MR) {
                            a.packColumns(ap, ir * kc, ic + ir, Math.min(MR, mc - ir), MR, pc, kc);
                        }
                    }
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        if (direct != null && nr == NR) {
                            long bAt = (direct.base() + jc + jr + (long) pc * direct.columnStride()) * 4;
                            for (int ir = 0; ir < mc; ir += MR) {
                                long at = c.base() + (long) (ic + ir) * c.ldc() + jc + jr;
                                direct(kc, ap, aBase + ir * kc, direct, bAt, Math.min(MR, mc - ir), tile);
                                epilogue(tile, ic + ir, Math.min(MR, mc - ir), nr, c, at, add, z, clamp);
                            }
                            continue;
                        }
                        for (int ir = 0; ir < mc; ir += MR) {
                            long at = c.base() + (long) (ic + ir) * c.ldc() + jc + jr;
                            tile(kc, ap, aBase + ir * kc, bp, bBase + jr * kc, tile, ic + ir, Math.min(MR, mc - ir), nr, c, at,
                                    add, z, clamp);
                        }
                    }
                }
            }
        }
    }

    /** {@code src} as panels packed ahead of time that this GEMM can read in place, else null (pack per call). */
    private static PackedPanels prepacked(PanelSource src, int limit, boolean asB) {
        return src instanceof PackedPanels p && p.fits(limit, asB) ? p : null;
    }

    /**
     * The loop nest for few rows: per K block, A packed once; then per NR-wide panel of B, the panel
     * packed into L1 (or, a float B lying row by row in memory, read in place: packing it costs as
     * much as the FMAs when A has this few rows) and every A panel run over it. B streams from
     * memory exactly once.
     */
    private static void skinny(Scratch s, int i0, int i1, int j0, int j1, int k, PanelSource a, PanelSource bt, Target c) {
        int limit = c.integer() ? KC_INT : KC;
        int kcMax = balancedK(k, limit);
        PackedPanels pa = prepacked(a, limit, false);
        PackedPanels pb = prepacked(bt, limit, true);
        float[] bp = pb != null ? pb.data() : s.b(kcMax * NR);
        float[] ap = pa != null ? pa.data() : s.a;
        float[] tile = s.tile;
        // A float B whose panels lie row by row in memory is read in place, not packed.
        MatrixView direct = pb == null && !c.integer() && bt instanceof MatrixView v && v.kind() == MatrixView.Kind.F32
                && v.rowStride() == 1 ? v : null;
        for (int pc = 0; pc < k; pc += kcMax) {
            int kc = Math.min(kcMax, k - pc);
            boolean add = pc > 0 || c.accumulate();
            Clamp clamp = pc + kc >= k ? c.clamp() : Clamp.NONE;
            MemorySegment z = pc + kc >= k ? c.residual() : null;
            int aBase = pa != null ? pa.offset(pc, i0) : 0;
            if (pa == null) {
                for (int ir = i0; ir < i1; ir += MR) {
                    a.packColumns(ap, (ir - i0) * kc, ir, Math.min(MR, i1 - ir), MR, pc, kc);
                }
            }
            for (int jr = j0; jr < j1; jr += NR) {
                int nr = Math.min(NR, j1 - jr);
                if (direct != null && nr == NR) {
                    long bAt = (direct.base() + jr + (long) pc * direct.columnStride()) * 4;
                    for (int ir = i0; ir < i1; ir += MR) {
                        long at = c.base() + (long) ir * c.ldc() + jr;
                        direct(kc, ap, aBase + (ir - i0) * kc, direct, bAt, Math.min(MR, i1 - ir), tile);
                        epilogue(tile, ir, Math.min(MR, i1 - ir), nr, c, at, add, z, clamp);
                    }
                    continue;
                }
                int bo = 0;
                if (pb != null) {
                    bo = pb.offset(pc, jr);
                } else {
                    bt.packColumns(bp, 0, jr, nr, NR, pc, kc);
                }
                for (int ir = i0; ir < i1; ir += MR) {
                    long at = c.base() + (long) ir * c.ldc() + jr;
                    tile(kc, ap, aBase + (ir - i0) * kc, bp, bo, tile, ir, Math.min(MR, i1 - ir), nr, c, at, add, z, clamp);
                }
            }
        }
    }

    /**
     * One register tile at output row {@code row}: the micro-kernel and its epilogue, fused for a full
     * tile. Without {@code add} (the first K block, not accumulating) a float tile's row bias is
     * added. Full int32 tiles convert and store straight from the accumulators too: INT8 GEMM n =
     * 1024 went from 382-388 to 409-412 GOP/s (FP32 401-418 in the same runs). (An earlier JDK's C1
     * gave up on such a kernel, "out of virtual registers", and left it interpreted; JDK 25 compiles
     * it at every tier, and a fresh JVM's first 3000 calls of a 256 x 256 product took 1.3 s against
     * 1.2 s with the tile array.) Edge tiles go through the tile array; a GEMM's last panel, when at most
     * a vector wide, through {@link MicroKernel#multiplyNarrow}; its last row panel, when one row
     * high, through {@link MicroKernel#multiplyOne}, when two to four rows high, through
     * {@link MicroKernel#multiplyFour}.
     */
    private static void tile(int kc, float[] ap, int ao, float[] bp, int bo, float[] tile, int row, int mr, int nr, Target c,
            long at, boolean add, MemorySegment z, Clamp clamp) {
        if (!c.integer() && mr == MR && nr == NR) {
            if (add || c.rowBias() == null) {
                MicroKernel.multiplyInto(kc, ap, ao, bp, bo, c.seg(), at, c.ldc(), c.alpha(), add);
            } else {
                MicroKernel.multiplyInto(kc, ap, ao, bp, bo, c.seg(), at, c.ldc(), c.alpha(), c.rowBias(), c.biasBase() + row);
            }
            if (z != null || !clamp.none()) {
                MicroKernel.finish(c.seg(), at, c.ldc(), z, clamp);
            }
            return;
        }
        if (c.integer() && mr == MR && nr == NR) {
            MicroKernel.multiplyIntoInt(kc, ap, ao, bp, bo, c.seg(), at, c.ldc(), add);
            return;
        }
        if (nr <= MicroKernel.L) {
            MicroKernel.multiplyNarrow(kc, ap, ao, bp, bo, tile);
        } else if (mr == 1) {
            MicroKernel.multiplyOne(kc, ap, ao, bp, bo, tile);
        } else if (mr <= 4) {
            MicroKernel.multiplyFour(kc, ap, ao, bp, bo, tile);
        } else {
            MicroKernel.multiply(kc, ap, ao, bp, bo, tile);
        }
        epilogue(tile, row, mr, nr, c, at, add, z, clamp);
    }

    /**
     * One register tile of {@code mr} live rows with B read in place: a one-row edge the way
     * {@link #tile} computes it ({@link MicroKernel#multiplyOne}'s order), so that the result does not
     * depend on whether B was packed ahead.
     */
    private static void direct(int kc, float[] ap, int ao, MatrixView b, long bAt, int mr, float[] tile) {
        if (mr == 1) {
            MicroKernel.multiplyOneDirect(kc, ap, ao, b.segment(), bAt, b.columnStride() * 4, tile);
        } else {
            MicroKernel.multiplyDirect(kc, ap, ao, b.segment(), bAt, b.columnStride() * 4, tile);
        }
    }

    /**
     * A tile's sums into C: int32, or float with alpha, accumulation or (first K block) the row bias,
     * then (last K block: {@code z} not null) the residual and (last K block) the clamp.
     */
    private static void epilogue(float[] tile, int row, int mr, int nr, Target c, long at, boolean add, MemorySegment z,
            Clamp clamp) {
        if (c.integer()) {
            MicroKernel.storeInt(tile, mr, nr, c.seg(), at, c.ldc(), add);
        } else {
            if (!add && c.rowBias() != null) {
                MicroKernel.storeFloatWithBias(tile, mr, nr, c.seg(), at, c.ldc(), c.alpha(), c.rowBias(), c.biasBase() + row, z,
                        clamp);
            } else {
                MicroKernel.storeFloat(tile, mr, nr, c.seg(), at, c.ldc(), c.alpha(), add, z, clamp);
            }
        }
    }

    /**
     * The K block for a depth of k with blocks of at most {@code limit}: as many blocks as the limit
     * needs, of equal size, so that no block is a short remainder (576 = 3 x 192, not 256 + 256 + 64,
     * whose last block pays a whole tile's epilogue for a quarter of the FMAs).
     */
    static int balancedK(int k, int limit) {
        int blocks = (k + limit - 1) / limit;
        return (k + blocks - 1) / blocks;
    }

    /**
     * Reads one float per cache line of {@code a[from, from + count)}, bringing it into this core's
     * cache with many independent loads at once (see {@link ReuseDistance}).
     */
    private static void touch(float[] a, int from, int count) {
        int s0 = 0;
        int s1 = 0;
        int s2 = 0;
        int s3 = 0;
        int end = from + count;
        int i = from;
        for (; i + 48 < end; i += 64) {
            s0 |= Float.floatToRawIntBits(a[i]);
            s1 |= Float.floatToRawIntBits(a[i + 16]);
            s2 |= Float.floatToRawIntBits(a[i + 32]);
            s3 |= Float.floatToRawIntBits(a[i + 48]);
        }
        for (; i < end; i += 16) {
            s0 |= Float.floatToRawIntBits(a[i]);
        }
        if ((s0 | s1 | s2 | s3) == 0x7fc00001) {
            touched++;
        }
    }

    /**
     * Written only when the OR of a touch pass's floats is one particular NaN bit pattern (never, in
     * practice): a use of the loads' values, so that the JIT keeps them.
     */
    static int touched;

    private static int roundUp(int v, int m) {
        return (v + m - 1) / m * m;
    }
}
