package dev.accel.backend.cpu.linalg;

import dev.accel.backend.cpu.CpuParallel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The packed, cache-blocked, multi-threaded GEMM every Vector API matrix kernel of this package
 * runs on: {@code C = alpha * A * B (+ C)} with A {@code m x k} and B {@code k x n} given as
 * {@link MatrixView}s (B as its transpose, {@code n x k}, so that both operands pack the same way),
 * and C a dense-row matrix in a segment, float32 or int32.
 *
 * <p>Loop nest (the Goto / BLIS scheme): columns in blocks of {@link #NC}; K in blocks of KC; a
 * {@code KC x NC} block of B packed into {@code NR}-wide panels (kept in L2/L3); rows in blocks of
 * {@link #MC}, each {@code MC x KC} block of A packed into {@code MR}-high panels (kept in L2); then
 * for each B panel (kept in L1, {@code KC * NR * 4} bytes) every A panel runs through the
 * {@link MicroKernel}. Packing zero-pads the edges, so any m, n, k works and only the epilogue
 * knows about partial tiles.
 *
 * <p>Threads: the output is cut along whichever of M or N has more register tiles into one
 * rectangle per thread (never finer than about {@link #MIN_TASK_WORK} multiply-adds); each thread
 * runs the whole loop nest on its rectangle with its own packing buffers, so threads never wait for
 * each other until the end.
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
    /**
     * Row counts up to this take the skinny loop nest: B is packed one {@code KC x NR} panel at a
     * time into L1 right before use, instead of a whole {@code KC x NC} block that would make a
     * round trip through L3 or memory for only a few rows of A.
     */
    static final int SKINNY_M = 4 * MR;
    /** Multiply-adds below which a thread is not worth waking. */
    static final long MIN_TASK_WORK = 1L << 21;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private GemmCore() {
    }

    /**
     * Where the product goes: element (i, j) of C at element index {@code base + i * ldc + j} of
     * {@code seg}, float32 ({@code C = alpha * AB (+ C)}) or int32 ({@code C = AB (+ C)}, alpha
     * ignored); {@code accumulate} adds to C's current contents instead of overwriting them.
     */
    record Target(MemorySegment seg, long base, long ldc, boolean integer, float alpha, boolean accumulate) {
        static Target floats(MemorySegment seg, long base, long ldc, float alpha, boolean accumulate) {
            return new Target(seg, base, ldc, false, alpha, accumulate);
        }

        static Target ints(MemorySegment seg, long base, long ldc, boolean accumulate) {
            return new Target(seg, base, ldc, true, 1f, accumulate);
        }
    }

    /** Per-thread packing buffers, grown on demand and reused across calls. */
    private static final class Scratch {
        final float[] a = new float[MC * Math.max(KC, KC_INT)];
        final float[] tile = new float[MR * NR];
        float[] b = new float[0];

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
    static void multiply(int m, int n, int k, MatrixView a, MatrixView bt, Target c, boolean parallel) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0) {
            if (!c.accumulate()) {
                for (int i = 0; i < m; i++) {
                    c.seg().asSlice((c.base() + i * c.ldc()) * 4, n * 4L).fill((byte) 0);
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
        if (tasks <= 1) {
            block(0, m, 0, n, k, a, bt, c);
            return;
        }
        CpuParallel.forRange(tasks, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                int lo = (int) ((long) tiles * t / tasks);
                int hi = (int) ((long) tiles * (t + 1) / tasks);
                if (splitN) {
                    block(0, m, lo * NR, Math.min(n, hi * NR), k, a, bt, c);
                } else {
                    block(lo * MR, Math.min(m, hi * MR), 0, n, k, a, bt, c);
                }
            }
        });
    }

    /** The sequential loop nest over the output rectangle {@code [i0, i1) x [j0, j1)}. */
    private static void block(int i0, int i1, int j0, int j1, int k, MatrixView a, MatrixView bt, Target c) {
        Scratch s = SCRATCH.get();
        if (i1 - i0 <= SKINNY_M) {
            skinny(s, i0, i1, j0, j1, k, a, bt, c);
            return;
        }
        int kcMax = c.integer() ? KC_INT : KC;
        int ncMax = Math.min(NC, roundUp(j1 - j0, NR));
        float[] bp = s.b(kcMax * ncMax);
        float[] ap = s.a;
        float[] tile = s.tile;
        for (int jc = j0; jc < j1; jc += ncMax) {
            int nc = Math.min(ncMax, j1 - jc);
            for (int pc = 0; pc < k; pc += kcMax) {
                int kc = Math.min(kcMax, k - pc);
                boolean add = pc > 0 || c.accumulate();
                for (int jr = 0; jr < nc; jr += NR) {
                    bt.pack(bp, jr * kc, jc + jr, Math.min(NR, nc - jr), NR, pc, kc);
                }
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    for (int ir = 0; ir < mc; ir += MR) {
                        a.pack(ap, ir * kc, ic + ir, Math.min(MR, mc - ir), MR, pc, kc);
                    }
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        for (int ir = 0; ir < mc; ir += MR) {
                            MicroKernel.multiply(kc, ap, ir * kc, bp, jr * kc, tile);
                            long at = c.base() + (long) (ic + ir) * c.ldc() + jc + jr;
                            int mr = Math.min(MR, mc - ir);
                            if (c.integer()) {
                                MicroKernel.storeInt(tile, mr, nr, c.seg(), at, c.ldc(), add);
                            } else {
                                MicroKernel.storeFloat(tile, mr, nr, c.seg(), at, c.ldc(), c.alpha(), add);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The loop nest for few rows: per K block, A packed once; then per NR-wide panel of B, the panel
     * packed into L1 and every A panel run over it. B streams from memory exactly once.
     */
    private static void skinny(Scratch s, int i0, int i1, int j0, int j1, int k, MatrixView a, MatrixView bt, Target c) {
        int kcMax = c.integer() ? KC_INT : KC;
        float[] bp = s.b(kcMax * NR);
        float[] ap = s.a;
        float[] tile = s.tile;
        for (int pc = 0; pc < k; pc += kcMax) {
            int kc = Math.min(kcMax, k - pc);
            boolean add = pc > 0 || c.accumulate();
            for (int ir = i0; ir < i1; ir += MR) {
                a.pack(ap, (ir - i0) * kc, ir, Math.min(MR, i1 - ir), MR, pc, kc);
            }
            for (int jr = j0; jr < j1; jr += NR) {
                int nr = Math.min(NR, j1 - jr);
                bt.pack(bp, 0, jr, nr, NR, pc, kc);
                for (int ir = i0; ir < i1; ir += MR) {
                    MicroKernel.multiply(kc, ap, (ir - i0) * kc, bp, 0, tile);
                    long at = c.base() + (long) ir * c.ldc() + jr;
                    int mr = Math.min(MR, i1 - ir);
                    if (c.integer()) {
                        MicroKernel.storeInt(tile, mr, nr, c.seg(), at, c.ldc(), add);
                    } else {
                        MicroKernel.storeFloat(tile, mr, nr, c.seg(), at, c.ldc(), c.alpha(), add);
                    }
                }
            }
        }
    }

    private static int roundUp(int v, int m) {
        return (v + m - 1) / m * m;
    }
}
