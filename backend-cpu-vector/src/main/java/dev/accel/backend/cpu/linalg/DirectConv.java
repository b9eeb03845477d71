package dev.accel.backend.cpu.linalg;

import dev.accel.backend.cpu.CpuParallel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Direct float convolution over a channel-blocked copy of the input: no lowered input is packed.
 *
 * <p>The input is copied once per call, zero-padded, into blocks of {@code cb} channels laid out
 * {@code [block][row][column][channel]} ({@code cb = L}, one vector of channels, or all of them
 * when there are fewer than a vector: a first layer's three colour planes interleaved per pixel).
 * In that layout the floats one output position multiplies for one block and one kernel row lie
 * next to each other: {@code kw * cb} of them, a <em>run</em>, for any stride. The weights are packed
 * at compile time in the same order, {@link #NR} output channels (two vectors) per panel, so the
 * product is the GEMM {@code Y^T = X^T W^T} of {@link ConvKernels#pixelMajor} with A read in place:
 * a register tile of {@link #TILE} output positions by two vectors of channels (fourteen of the 32
 * vector registers of AVX-512) broadcasts its seven inputs from seven runs and multiplies them into
 * the panel's weights, one run after another. The weights are taken in blocks of about
 * {@link #BLOCK_BYTES} (four channel blocks of a 3x3 kernel), or all at once on small planes
 * ({@link #ONE_BLOCK_BYTES}), every tile of a thread's share of positions passing over a block
 * before the next, the tiles' sums kept in the product between blocks; every {@link #CHUNK_TILES} tiles, their part of the product (positions by channels) is
 * transposed into NCHW with the bias as the pixel-major form's is.
 *
 * <p>Against lowering: a lowered element costs a load and a store to pack and is then used by
 * only {@code m / NR} panels (two for a 64-channel layer), where here each input float is copied
 * once and read from L1 by every tap.
 */
final class DirectConv implements DirectForm {
    /** System property read when a float Conv compiles: {@code off}, {@code on} (wherever it applies) or {@code auto}. */
    static final String PROPERTY = "accel.cpu.direct";
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Output channels per weight panel: two vectors. */
    static final int NR = 2 * L;
    /** Output positions per register tile. */
    static final int TILE = 7;
    /**
     * Bytes of a panel's weights per K block: four channel blocks of a 3x3 kernel (72 KB). The
     * tiles' sums go to the product and back between blocks, so fewer, longer blocks pay although
     * the block outgrows L1 (the weights stream in order from L2). {@code DirectConvMain}, three
     * alternating runs, two cores, 20 KB (one channel block) against 80 KB, GFLOP/s: ResNet-50 res2
     * 3x3 429-442 / 447-454, res5 3x3 451-455 / 466-471, SqueezeNet fire9 3x3 433-442 / 440-453,
     * res3 3x3 stride 2 422-435 / 428-436; 10 KB lost 5-25%.
     */
    private static final int BLOCK_BYTES = 80 * 1024;
    /**
     * Bytes of a panel's whole weights plus the whole input copy up to which K is one block: on
     * small planes every tile of a panel reads all of both, and both stay in a 1 MiB L2. ResNet-50's
     * res5 3x3 (7x7, 590 KB of weights a panel, 166 KB of copy) ran 547-552 us in 80 KB blocks, 489-506
     * in blocks of 320 KB and 464-472 as one ({@code ConvProbeMain 512 7 512 3 1 1}, a temporary
     * switch, two alternating runs); res3 3x3 stride 2 (1.1 MB of copy) ran 636-642 us in 80 KB
     * blocks against 750-787 as one.
     */
    private static final int ONE_BLOCK_BYTES = 768 * 1024;
    /**
     * Tiles computed through every K block before their part of the product (448 positions by a
     * panel's 32 channels, 56 KB) is transposed into Y, while it is in cache. {@code ConvProbeMain}
     * (test classes, three alternating runs, two cores), the whole product transposed after the
     * tiles against chunks of 64 tiles, microseconds: VGG-19's 64-channel 3x3 at 224x224 (a 12.8 MB
     * product) 10637, 10721, 10838 / 9573, 10073, 10243; SqueezeNet fire2 3x3 156, 188, 185 / 141,
     * 180, 188 and ResNet-50 res2 3x3 560, 619, 629 / 552, 609, 625, within the noise; chunks of 16,
     * 32 and 128 tiles measured as 64.
     */
    private static final int CHUNK_TILES = 64;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** The most floats the input copy, the packed weights or the product may hold. */
    private static final long MAX_FLOATS = 1L << 30;
    private static final ThreadLocal<float[]> INPUT = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> FLAT = ThreadLocal.withInitial(() -> new float[0]);

    private final ConvGeom g;
    /** The activation applied as the product is transposed into Y ({@link Clamp#NONE} for none). */
    private final Clamp clamp;
    private final int cb;
    private final int blocks;
    private final int hp;
    private final int wp;
    private final int run;
    private final int runs;
    private final int runsPerBlock;
    private final int[] runOffset;
    /** Per step of K: where its input float lies in the copy, from the output position's base. */
    private final int[] stepOffset;
    private final int[] positionBase;
    /** Register tiles of output positions, and the shares each panel's tiles are cut into across cores. */
    private final int tiles;
    private final int parts;
    /** Whether the input copy goes by padded rows (whole 16 x 16 transposes) rather than by channel blocks. */
    private final boolean copyByRows;

    /**
     * Whether the direct form can run {@code g}: one group, no dilation, output channels a multiple
     * of {@link #NR}, input channels a multiple of a vector or fewer than one, on 16-lane vectors (the
     * input copy transposes 16 x 16 blocks with {@link Transpose16}), and each of its arrays at most
     * {@link #MAX_FLOATS} floats.
     */
    static boolean applies(ConvGeom g) {
        if (!Transpose16.APPLIES || g.groups() != 1 || g.dh() != 1 || g.dw() != 1 || g.m() % NR != 0 || g.ohw() == 0
                || (g.c() % L != 0 && g.c() >= L)) {
            return false;
        }
        // Its copy, weights and product are indexed with ints.
        long rows = Math.max(PaddedImage.rows(g), g.pt() + g.h());
        long cols = Math.max(PaddedImage.cols(g), g.pl() + g.w());
        long k = (long) g.c() * g.kh() * g.kw();
        return g.c() * rows * cols <= MAX_FLOATS && g.m() * k <= MAX_FLOATS && (long) g.m() * g.ohw() <= MAX_FLOATS;
    }

    /**
     * Whether a float Conv of geometry {@code g} runs direct: never when {@code mode} names a
     * formulation of 3x3 convolutions ({@code im2col} or {@code winograd}); else as the system
     * property {@value #PROPERTY} says, read when the Conv compiles: {@code off}, {@code on} (wherever
     * it {@link #applies}), or {@code auto}, the rule {@link #preferred}.
     */
    static boolean chosen(ConvGeom g, Winograd.Mode mode) {
        return DirectForm.chosen(PROPERTY, mode == Winograd.Mode.AUTO && applies(g), () -> preferred(g));
    }

    /**
     * The rule: input channels a multiple of a vector (so the copy is whole 16 x 16 transposes and a
     * run is a whole channel block per kernel column), a kernel wider than 1x1, and not a 3x3
     * convolution that {@link Winograd} takes with at least 128 channels in and out. Measured with
     * {@code Experiments direct} (benchmarks module, interleaved in one JVM, two cores), the form the
     * other rules pick against direct, GFLOP/s: ResNet-50 res2 3x3 388.1 / 421.6 (Winograd), res3 3x3
     * stride 2 363.1 / 414.5 (im2col), res5 3x3 393.5 / 448.9 (pixel-major), SqueezeNet fire9 3x3
     * 381.7 / 425.8, fire2 3x3 (16 channels in) 372.5 / 376.7: taken. res3 3x3 525.3 / 436.9 and res4
     * 3x3 511.2 / 438.9 (Winograd, 128 and 256 channels) stay Winograd. First layers (three channels
     * in, runs of {@code kw x 3} floats, the copy element by element) lose: ResNet-50 conv1 390.3 /
     * 345.4, MobileNetV2 conv0 223.7 / 123.8, SqueezeNet conv1 287.1 / 162.0; and so do 1x1
     * convolutions (runs of 16 floats; measured before the 80 KB weight blocks: res4 1x1 427.2 /
     * 305.2, every 1x1 benchmark layer from 0.51x to 0.83x).
     */
    static boolean preferred(ConvGeom g) {
        if (!applies(g) || g.c() % L != 0 || g.kh() * g.kw() == 1) {
            return false;
        }
        return !(Winograd.preferred(g) && Math.min(g.c(), g.m()) >= 128);
    }

    /** The direct form of {@code g} ({@link #applies} must hold). */
    DirectConv(ConvGeom g) {
        this(g, Clamp.NONE);
    }

    /** The direct form of {@code g}, its output clamped as it is stored ({@code FusedConv}). */
    DirectConv(ConvGeom g, Clamp clamp) {
        this.g = g;
        this.clamp = clamp;
        this.cb = g.c() < L ? g.c() : L;
        this.blocks = g.c() / cb;
        this.hp = Math.max(PaddedImage.rows(g), g.pt() + g.h());
        this.wp = Math.max(PaddedImage.cols(g), g.pl() + g.w());
        this.run = g.kw() * cb;
        this.runs = blocks * g.kh();
        long panelBytes = 4L * runs * run * NR;
        this.runsPerBlock = panelBytes + 4L * inputSize() <= ONE_BLOCK_BYTES ? runs : Math.max(1, BLOCK_BYTES / (run * NR * 4));
        this.runOffset = new int[runs];
        for (int b = 0; b < blocks; b++) {
            for (int ky = 0; ky < g.kh(); ky++) {
                runOffset[b * g.kh() + ky] = ((b * hp + ky) * wp) * cb;
            }
        }
        this.stepOffset = new int[runs * run];
        for (int r = 0; r < runs; r++) {
            for (int s = 0; s < run; s++) {
                stepOffset[r * run + s] = runOffset[r] + s;
            }
        }
        this.positionBase = new int[g.ohw()];
        for (int oy = 0; oy < g.oh(); oy++) {
            for (int ox = 0; ox < g.ow(); ox++) {
                positionBase[oy * g.ow() + ox] = (oy * g.sh() * wp + ox * g.sw()) * cb;
            }
        }
        this.tiles = (g.ohw() + TILE - 1) / TILE;
        int panels = g.m() / NR;
        int chunks = 1;
        while ((panels * chunks) % CpuParallel.THREADS != 0 && chunks < CpuParallel.THREADS && chunks < tiles) {
            chunks++;
        }
        this.parts = chunks;
        this.copyByRows = cb == L && Math.min(g.w(), wp - g.pl()) >= L && g.hw() >= L;
    }

    /**
     * The weights ({@code m x c x kh x kw} floats at {@code w}) as this form reads them: per panel of
     * {@link #NR} output channels, per step of K (block, kernel row, kernel column, channel in the
     * block) the panel's NR weights. Done once at compile time for constant weights, else per call.
     */
    @Override
    public float[] pack(MemorySegment w) {
        int k = runs * run;
        float[] weights = new float[g.m() / NR * k * NR];
        int khw = g.kh() * g.kw();
        for (int co = 0; co < g.m(); co++) {
            int panel = co / NR;
            int lane = co % NR;
            for (int ci = 0; ci < g.c(); ci++) {
                for (int ky = 0; ky < g.kh(); ky++) {
                    for (int kx = 0; kx < g.kw(); kx++) {
                        int step = ((ci / cb * g.kh() + ky) * g.kw() + kx) * cb + ci % cb;
                        long from = ((long) co * g.c() + ci) * khw + ky * g.kw() + kx;
                        weights[(panel * k + step) * NR + lane] = w.getAtIndex(FLOAT, from);
                    }
                }
            }
        }
        return weights;
    }

    /** Floats of the blocked, padded input copy (the last position's runs end inside it). */
    int inputSize() {
        return blocks * hp * wp * cb;
    }

    /**
     * Image {@code ni} of X (NCHW at {@code x}) convolved with {@code weights} ({@link #pack}) into Y
     * (NCHW at {@code y}), {@code bias} (or null) added; splits across cores.
     */
    @Override
    public void run(MemorySegment x, int ni, float[] weights, float[] bias, MemorySegment y) {
        int ohw = g.ohw();
        int m = g.m();
        float[] in = INPUT.get();
        if (in.length < inputSize()) {
            in = new float[inputSize()];
            INPUT.set(in);
        }
        float[] xb = in;
        long xBase = (long) ni * g.c() * g.hw();
        copyInput(x, xBase, xb, true);
        MemorySegment product = NativeScratch.get(NativeScratch.Slot.PIXEL_MAJOR, 4L * ohw * m);
        int panels = m / NR;
        long yBase = (long) ni * m * ohw;
        CpuParallel.forRange(panels * parts, 1, (u0, u1) -> {
            for (int u = u0; u < u1; u++) {
                int c = u % parts;
                compute(xb, weights, u / parts, tiles * c / parts, tiles * (c + 1) / parts, product, y, yBase, bias);
            }
        });
    }

    /**
     * The image at {@code xBase} into the padded, blocked copy, split across cores when
     * {@code parallel}: by padded rows where the rows are whole 16 x 16 transposes (so that a single
     * channel block, as SqueezeNet fire2's 16 channels, is shared too), else by channel blocks.
     */
    void copyInput(MemorySegment x, long xBase, float[] xb, boolean parallel) {
        int units = copyByRows ? blocks * hp : blocks;
        if (!parallel) {
            copyUnits(x, xBase, xb, 0, units);
        } else {
            CpuParallel.forRange(units, copyByRows ? 8 : 1, (u0, u1) -> copyUnits(x, xBase, xb, u0, u1));
        }
    }

    private void copyUnits(MemorySegment x, long xBase, float[] xb, int u0, int u1) {
        if (copyByRows) {
            copyRows(x, xBase, xb, u0, u1);
        } else {
            copyPlanes(x, xBase, xb, u0, u1);
        }
    }

    /**
     * Padded rows {@code [r0, r1)} of the copy ({@code r = block * hp + row}), for channel blocks of
     * {@link #L} whose rows are at least a vector wide: the padding zeroed, each image row 16 x 16
     * transposes, the last one overlapping its neighbour rather than running past the row.
     */
    private void copyRows(MemorySegment x, long xBase, float[] xb, int r0, int r1) {
        int w = g.w();
        int hUsed = Math.min(g.h(), hp - g.pt());
        int wUsed = Math.min(w, wp - g.pl());
        int rowFloats = wp * cb;
        long rowBytes = 4 * g.hw();
        for (int r = r0; r < r1; r++) {
            int b = r / hp;
            int iy = r - b * hp - g.pt();
            int row = r * rowFloats;
            if (iy < 0 || iy >= hUsed) {
                Arrays.fill(xb, row, row + rowFloats, 0f);
                continue;
            }
            Arrays.fill(xb, row, row + g.pl() * cb, 0f);
            Arrays.fill(xb, row + (g.pl() + wUsed) * cb, row + rowFloats, 0f);
            long src = xBase + (long) b * cb * g.hw() + (long) iy * w;
            int to = row + g.pl() * cb;
            for (int ix = 0; ; ix += L) {
                int at = Math.min(ix, wUsed - L);
                Transpose16.blockToArray(x, (src + at) * 4, rowBytes, xb, to + at * cb, cb);
                if (at + L >= wUsed) {
                    break;
                }
            }
        }
    }

    /** Channel blocks {@code [b0, b1)} whose rows are narrower than a vector, or with fewer channels than a vector. */
    private void copyPlanes(MemorySegment x, long xBase, float[] xb, int b0, int b1) {
        int hUsed = Math.min(g.h(), hp - g.pt());
        int wUsed = Math.min(g.w(), wp - g.pl());
        int rowFloats = wp * cb;
        for (int b = b0; b < b1; b++) {
            int plane = b * hp * rowFloats;
            // The border: rows above and below the image, and each image row's columns left and right of it.
            Arrays.fill(xb, plane, plane + g.pt() * rowFloats, 0f);
            Arrays.fill(xb, plane + (g.pt() + hUsed) * rowFloats, plane + hp * rowFloats, 0f);
            for (int iy = 0; iy < hUsed; iy++) {
                int row = plane + (g.pt() + iy) * rowFloats;
                Arrays.fill(xb, row, row + g.pl() * cb, 0f);
                Arrays.fill(xb, row + (g.pl() + wUsed) * cb, row + rowFloats, 0f);
            }
            long src = xBase + (long) b * cb * g.hw();
            if (cb < L || g.hw() < L) {
                copySmall(x, src, xb, plane, hUsed, wUsed);
            } else {
                copyNarrow(x, src, xb, plane, hUsed, wUsed);
            }
        }
    }

    /**
     * One block of {@link #L} channels whose rows are narrower than a vector (7x7 and 13x13 planes):
     * the plane taken as one row of {@code h * w} positions, transposed 16 x 16 into this thread's
     * scratch (the last block overlapping the one before it), then copied row by row into the padded
     * copy. Element by element, ResNet-50's res5 3x3 input (512 x 7 x 7) took 26 us on one core.
     */
    private void copyNarrow(MemorySegment x, long src, float[] xb, int plane, int hUsed, int wUsed) {
        int hw = (int) g.hw();
        float[] flat = FLAT.get();
        if (flat.length < hw * L) {
            flat = new float[hw * L];
            FLAT.set(flat);
        }
        for (int q = 0; ; q += L) {
            int at = Math.min(q, hw - L);
            Transpose16.blockToArray(x, (src + at) * 4, 4 * g.hw(), flat, at * L, L);
            if (at + L >= hw) {
                break;
            }
        }
        for (int iy = 0; iy < hUsed; iy++) {
            System.arraycopy(flat, iy * g.w() * L, xb, plane + ((g.pt() + iy) * wp + g.pl()) * L, wUsed * L);
        }
    }

    /** One channel block with fewer channels than a vector, or a plane of fewer positions: element by element. */
    private void copySmall(MemorySegment x, long src, float[] xb, int plane, int hUsed, int wUsed) {
        long hw = g.hw();
        for (int iy = 0; iy < hUsed; iy++) {
            int row = plane + ((g.pt() + iy) * wp + g.pl()) * cb;
            for (int ci = 0; ci < cb; ci++) {
                long from = src + ci * hw + (long) iy * g.w();
                for (int ix = 0; ix < wUsed; ix++) {
                    xb[row + ix * cb + ci] = x.getAtIndex(FLOAT, from + ix);
                }
            }
        }
    }

    /**
     * Panel {@code panel}'s output channels at tiles {@code [t0, t1)} of output positions, into Y (at
     * {@code yBase}, {@code bias} added): {@link #CHUNK_TILES} tiles at a time through every K block
     * into the product, then that part of the product transposed into Y while it is still in cache.
     */
    void compute(float[] xb, float[] weights, int panel, int t0, int t1, MemorySegment product, MemorySegment y, long yBase,
            float[] bias) {
        int ohw = g.ohw();
        long ldc = 4L * g.m();
        int k = runs * run;
        for (int c0 = t0; c0 < t1; c0 += CHUNK_TILES) {
            int c1 = Math.min(t1, c0 + CHUNK_TILES);
            for (int r0 = 0; r0 < runs; r0 += runsPerBlock) {
                int r1 = Math.min(runs, r0 + runsPerBlock);
                int s0 = r0 * run;
                int s1 = r1 * run;
                int wo = panel * k * NR;
                boolean first = r0 == 0;
                for (int t = c0; t < c1; t++) {
                    int q = t * TILE;
                    long c = (long) q * ldc + 4L * panel * NR;
                    if (q + TILE <= ohw && cb == L && positionBase[q + TILE - 1] - positionBase[q] == (TILE - 1) * L) {
                        tileRow(xb, positionBase[q], stepOffset, s0, s1, weights, wo, product, c, ldc, first);
                    } else if (q + TILE <= ohw) {
                        tile(xb, positionBase, q, runOffset, r0, r1, run, weights, wo + s0 * NR, product, c, ldc, first);
                    } else {
                        for (int j = q; j < ohw; j++) {
                            one(xb, positionBase[j], runOffset, r0, r1, run, weights, wo + s0 * NR, product, c, first);
                            c += ldc;
                        }
                    }
                }
            }
            ConvKernels.transposeOut(product, ohw, g.m(), y, yBase, bias, 0, panel * NR, panel * NR + NR, c0 * TILE,
                    Math.min(ohw, c1 * TILE), clamp, null);
        }
    }

    /**
     * Seven output positions ({@code base[q..q+6]}) by {@link #NR} channels over runs {@code [r0, r1)}
     * (the weights of run {@code r0} at {@code wo}):
     * C at byte {@code c} of {@code out}, rows {@code ldc} bytes apart, set when {@code first}, else
     * added to.
     */
    private static void tile(float[] x, int[] base, int q, int[] runOffset, int r0, int r1, int run, float[] w, int wo,
            MemorySegment out, long c, long ldc, boolean first) {
        long h = 4L * L;
        FloatVector c00;
        FloatVector c01;
        FloatVector c10;
        FloatVector c11;
        FloatVector c20;
        FloatVector c21;
        FloatVector c30;
        FloatVector c31;
        FloatVector c40;
        FloatVector c41;
        FloatVector c50;
        FloatVector c51;
        FloatVector c60;
        FloatVector c61;
        if (first) {
            c00 = FloatVector.zero(F);
            c01 = c00;
            c10 = c00;
            c11 = c00;
            c20 = c00;
            c21 = c00;
            c30 = c00;
            c31 = c00;
            c40 = c00;
            c41 = c00;
            c50 = c00;
            c51 = c00;
            c60 = c00;
            c61 = c00;
        } else {
            c00 = FloatVector.fromMemorySegment(F, out, c, LE);
            c01 = FloatVector.fromMemorySegment(F, out, c + h, LE);
            c10 = FloatVector.fromMemorySegment(F, out, c + ldc, LE);
            c11 = FloatVector.fromMemorySegment(F, out, c + ldc + h, LE);
            c20 = FloatVector.fromMemorySegment(F, out, c + 2 * ldc, LE);
            c21 = FloatVector.fromMemorySegment(F, out, c + 2 * ldc + h, LE);
            c30 = FloatVector.fromMemorySegment(F, out, c + 3 * ldc, LE);
            c31 = FloatVector.fromMemorySegment(F, out, c + 3 * ldc + h, LE);
            c40 = FloatVector.fromMemorySegment(F, out, c + 4 * ldc, LE);
            c41 = FloatVector.fromMemorySegment(F, out, c + 4 * ldc + h, LE);
            c50 = FloatVector.fromMemorySegment(F, out, c + 5 * ldc, LE);
            c51 = FloatVector.fromMemorySegment(F, out, c + 5 * ldc + h, LE);
            c60 = FloatVector.fromMemorySegment(F, out, c + 6 * ldc, LE);
            c61 = FloatVector.fromMemorySegment(F, out, c + 6 * ldc + h, LE);
        }
        int p0 = base[q];
        int p1 = base[q + 1];
        int p2 = base[q + 2];
        int p3 = base[q + 3];
        int p4 = base[q + 4];
        int p5 = base[q + 5];
        int p6 = base[q + 6];
        int wi = wo;
        for (int r = r0; r < r1; r++) {
            int o = runOffset[r];
            int a0 = p0 + o;
            int a1 = p1 + o;
            int a2 = p2 + o;
            int a3 = p3 + o;
            int a4 = p4 + o;
            int a5 = p5 + o;
            int a6 = p6 + o;
            for (int s = 0; s < run; s++) {
                int bp = wi + s * NR;
                FloatVector b0 = FloatVector.fromArray(F, w, bp);
                FloatVector b1 = FloatVector.fromArray(F, w, bp + L);
                FloatVector v = FloatVector.broadcast(F, x[a0 + s]);
                c00 = v.fma(b0, c00);
                c01 = v.fma(b1, c01);
                v = FloatVector.broadcast(F, x[a1 + s]);
                c10 = v.fma(b0, c10);
                c11 = v.fma(b1, c11);
                v = FloatVector.broadcast(F, x[a2 + s]);
                c20 = v.fma(b0, c20);
                c21 = v.fma(b1, c21);
                v = FloatVector.broadcast(F, x[a3 + s]);
                c30 = v.fma(b0, c30);
                c31 = v.fma(b1, c31);
                v = FloatVector.broadcast(F, x[a4 + s]);
                c40 = v.fma(b0, c40);
                c41 = v.fma(b1, c41);
                v = FloatVector.broadcast(F, x[a5 + s]);
                c50 = v.fma(b0, c50);
                c51 = v.fma(b1, c51);
                v = FloatVector.broadcast(F, x[a6 + s]);
                c60 = v.fma(b0, c60);
                c61 = v.fma(b1, c61);
            }
            wi += run * NR;
        }
        c00.intoMemorySegment(out, c, LE);
        c01.intoMemorySegment(out, c + h, LE);
        c10.intoMemorySegment(out, c + ldc, LE);
        c11.intoMemorySegment(out, c + ldc + h, LE);
        c20.intoMemorySegment(out, c + 2 * ldc, LE);
        c21.intoMemorySegment(out, c + 2 * ldc + h, LE);
        c30.intoMemorySegment(out, c + 3 * ldc, LE);
        c31.intoMemorySegment(out, c + 3 * ldc + h, LE);
        c40.intoMemorySegment(out, c + 4 * ldc, LE);
        c41.intoMemorySegment(out, c + 4 * ldc + h, LE);
        c50.intoMemorySegment(out, c + 5 * ldc, LE);
        c51.intoMemorySegment(out, c + 5 * ldc + h, LE);
        c60.intoMemorySegment(out, c + 6 * ldc, LE);
        c61.intoMemorySegment(out, c + 6 * ldc + h, LE);
    }

    /**
     * As {@link #tile} for seven positions {@link #L} floats apart in the copy (consecutive
     * positions of one output row at stride 1): the inputs are read at constant offsets from the
     * first one, which frees six registers and six address computations per step of K. Written out
     * beside {@link #tile} rather than sharing a body with it: the offsets are only constants in a
     * loop of their own, and the kernels pass no vectors to helpers ({@link MicroKernel} says why).
     *
     * <p>Steps {@code [s0, s1)} of K run as one loop, each step's input found through
     * {@code stepOffset}, instead of a loop over runs around a loop over a run's 48 steps as in
     * {@link #tile}: C2 checks the seven reads' bounds once per step either way (they differ by
     * constants), and the 576 steps of ResNet-50 res2's 3x3 kernel leave one loop exit per tile, not
     * twelve. {@code DirectConvMain}, one core, three alternating runs against the nested loops,
     * GFLOP/s: res2 3x3 228.5 / 230.8 / 224.6 to 242.9 / 243.6 / 243.0; res5 3x3 227.3 / 229.7 / 224.5
     * to 223.5 / 220.1 / 221.7 and SqueezeNet fire2 3x3 (144 steps) 213.0 / 216.1 / 213.9 to 205.5 /
     * 203.5 / 204.7 lost a little. {@link #tile} keeps the nested loops: its seven reads are seven
     * bounds checks per step without them (stride 2: 225 to 185 GFLOP/s). Unrolled by two steps:
     * slower (res2 222.6 / 211.4).
     */
    private static void tileRow(float[] x, int p0, int[] stepOffset, int s0, int s1, float[] w, int wo, MemorySegment out,
            long c, long ldc, boolean first) {
        long h = 4L * L;
        FloatVector c00;
        FloatVector c01;
        FloatVector c10;
        FloatVector c11;
        FloatVector c20;
        FloatVector c21;
        FloatVector c30;
        FloatVector c31;
        FloatVector c40;
        FloatVector c41;
        FloatVector c50;
        FloatVector c51;
        FloatVector c60;
        FloatVector c61;
        if (first) {
            c00 = FloatVector.zero(F);
            c01 = c00;
            c10 = c00;
            c11 = c00;
            c20 = c00;
            c21 = c00;
            c30 = c00;
            c31 = c00;
            c40 = c00;
            c41 = c00;
            c50 = c00;
            c51 = c00;
            c60 = c00;
            c61 = c00;
        } else {
            c00 = FloatVector.fromMemorySegment(F, out, c, LE);
            c01 = FloatVector.fromMemorySegment(F, out, c + h, LE);
            c10 = FloatVector.fromMemorySegment(F, out, c + ldc, LE);
            c11 = FloatVector.fromMemorySegment(F, out, c + ldc + h, LE);
            c20 = FloatVector.fromMemorySegment(F, out, c + 2 * ldc, LE);
            c21 = FloatVector.fromMemorySegment(F, out, c + 2 * ldc + h, LE);
            c30 = FloatVector.fromMemorySegment(F, out, c + 3 * ldc, LE);
            c31 = FloatVector.fromMemorySegment(F, out, c + 3 * ldc + h, LE);
            c40 = FloatVector.fromMemorySegment(F, out, c + 4 * ldc, LE);
            c41 = FloatVector.fromMemorySegment(F, out, c + 4 * ldc + h, LE);
            c50 = FloatVector.fromMemorySegment(F, out, c + 5 * ldc, LE);
            c51 = FloatVector.fromMemorySegment(F, out, c + 5 * ldc + h, LE);
            c60 = FloatVector.fromMemorySegment(F, out, c + 6 * ldc, LE);
            c61 = FloatVector.fromMemorySegment(F, out, c + 6 * ldc + h, LE);
        }
        for (int s = s0; s < s1; s++) {
            int a = p0 + stepOffset[s];
            int bp = wo + s * NR;
            FloatVector b0 = FloatVector.fromArray(F, w, bp);
            FloatVector b1 = FloatVector.fromArray(F, w, bp + L);
            FloatVector v = FloatVector.broadcast(F, x[a]);
            c00 = v.fma(b0, c00);
            c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(F, x[a + L]);
            c10 = v.fma(b0, c10);
            c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(F, x[a + 2 * L]);
            c20 = v.fma(b0, c20);
            c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(F, x[a + 3 * L]);
            c30 = v.fma(b0, c30);
            c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(F, x[a + 4 * L]);
            c40 = v.fma(b0, c40);
            c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(F, x[a + 5 * L]);
            c50 = v.fma(b0, c50);
            c51 = v.fma(b1, c51);
            v = FloatVector.broadcast(F, x[a + 6 * L]);
            c60 = v.fma(b0, c60);
            c61 = v.fma(b1, c61);
        }
        c00.intoMemorySegment(out, c, LE);
        c01.intoMemorySegment(out, c + h, LE);
        c10.intoMemorySegment(out, c + ldc, LE);
        c11.intoMemorySegment(out, c + ldc + h, LE);
        c20.intoMemorySegment(out, c + 2 * ldc, LE);
        c21.intoMemorySegment(out, c + 2 * ldc + h, LE);
        c30.intoMemorySegment(out, c + 3 * ldc, LE);
        c31.intoMemorySegment(out, c + 3 * ldc + h, LE);
        c40.intoMemorySegment(out, c + 4 * ldc, LE);
        c41.intoMemorySegment(out, c + 4 * ldc + h, LE);
        c50.intoMemorySegment(out, c + 5 * ldc, LE);
        c51.intoMemorySegment(out, c + 5 * ldc + h, LE);
        c60.intoMemorySegment(out, c + 6 * ldc, LE);
        c61.intoMemorySegment(out, c + 6 * ldc + h, LE);
    }

    /**
     * As {@link #tile} for one output position (the last positions when their count is not a
     * multiple of {@link #TILE}): steps alternate between two pairs of accumulators, so that the FMA
     * pipes have four chains rather than two.
     */
    private static void one(float[] x, int p, int[] runOffset, int r0, int r1, int run, float[] w, int wo, MemorySegment out,
            long c, boolean first) {
        long h = 4L * L;
        FloatVector c0 = first ? FloatVector.zero(F) : FloatVector.fromMemorySegment(F, out, c, LE);
        FloatVector c1 = first ? FloatVector.zero(F) : FloatVector.fromMemorySegment(F, out, c + h, LE);
        FloatVector d0 = FloatVector.zero(F);
        FloatVector d1 = FloatVector.zero(F);
        int wi = wo;
        for (int r = r0; r < r1; r++) {
            int a = p + runOffset[r];
            int s = 0;
            for (; s + 1 < run; s += 2) {
                int bp = wi + s * NR;
                FloatVector v = FloatVector.broadcast(F, x[a + s]);
                c0 = v.fma(FloatVector.fromArray(F, w, bp), c0);
                c1 = v.fma(FloatVector.fromArray(F, w, bp + L), c1);
                v = FloatVector.broadcast(F, x[a + s + 1]);
                d0 = v.fma(FloatVector.fromArray(F, w, bp + NR), d0);
                d1 = v.fma(FloatVector.fromArray(F, w, bp + NR + L), d1);
            }
            if (s < run) {
                int bp = wi + s * NR;
                FloatVector v = FloatVector.broadcast(F, x[a + s]);
                c0 = v.fma(FloatVector.fromArray(F, w, bp), c0);
                c1 = v.fma(FloatVector.fromArray(F, w, bp + L), c1);
            }
            wi += run * NR;
        }
        c0.add(d0).intoMemorySegment(out, c, LE);
        c1.add(d1).intoMemorySegment(out, c + h, LE);
    }
}
