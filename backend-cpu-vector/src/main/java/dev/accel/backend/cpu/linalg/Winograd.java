package dev.accel.backend.cpu.linalg;

import dev.accel.backend.cpu.CpuParallel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Winograd F(2x2, 3x3) for float32 convolutions with a 3x3 kernel, stride 1, dilation 1 and one
 * group: each 2x2 block of output (a tile) comes from a 4x4 block of input in 16 multiplies per
 * (input, output) channel pair instead of 36.
 *
 * <p>With {@code B^T}, {@code G} and {@code A^T} the F(2, 3) matrices, the weights become
 * {@code U = G g G^T} (4x4 per output and input channel; computed in float64 and rounded once, at
 * compile time when the weights are constant), each tile's input {@code V = B^T d B}, and the output
 * {@code Y = A^T M A} where, for each of the 16 positions {@code xi} of the 4x4 transform,
 * {@code M[xi] = U[xi] V[xi]}: a {@code Cout x Cin} by {@code Cin x tiles} product on
 * {@link GemmCore} (U packed once as {@link PackedPanels} when constant).
 *
 * <p>Two schedules. Where the image splits evenly into enough blocks of whole tile rows
 * ({@link #blockRows}: about {@link #BLOCK_FLOATS} floats of transformed input and products each, at
 * least {@link #MIN_BLOCK_TILES} tiles, at least two per thread), each thread takes whole blocks and
 * runs all three stages on one (input transform, the 16 products single-threaded, output transform)
 * before the next, so its scratch stays near that core's caches. Otherwise the whole batch is one
 * block: the transforms run in parallel over planes and the 16 products one per thread.
 *
 * <p>Tiles of every image of the batch (of the block, on the blocked path) are numbered row by row
 * ({@code t = (ni * th + ty) * tw + tx}) and the transforms run a vector of consecutive tiles at a time. The input transform reads the tile
 * columns {@code 2 tx .. 2 tx + 3} from a zero-padded copy of each input row split into its even and
 * odd columns by a two-vector lane selection (no gathers), applies {@code B} along the row once per
 * input row (rows are shared by two tile rows) and {@code B^T} down the columns. The output transform
 * interleaves the two columns of each tile back with a lane selection, adds the bias, and writes
 * whole output rows, so odd output sizes and the right and bottom edges need no special case (the
 * padded input supplies zeros past the image, and outputs past the edge are dropped).
 *
 * <p>Rounding differs from the direct sum (the transforms add and halve): measured against a float64
 * reference it stays within the tolerance the conformance suite applies to convolutions.
 */
final class Winograd {
    /** System property read at compile time: {@code auto} (default), {@code im2col} or {@code winograd}. */
    static final String PROPERTY = "accel.cpu.conv3x3";
    /** Output channels from which {@code auto} takes this path (measured, see {@link #preferred}). */
    static final int MIN_CHANNELS = 32;
    /**
     * Input channels from which {@code auto} takes this path. {@code WinogradRuleMain} (test classes),
     * im2col against Winograd on two cores, three runs: SqueezeNet's 32 -> 128 at 27x27 144-164
     * against 199-321 us, 32 -> 64 at 55x55 306-338 against 401-458, 48 -> 192 at 27x27 299-343
     * against 290-366 (level); ResNet-50's 64 -> 64 at 56x56 612-657 against 593-649 (level), and
     * from 128 channels Winograd well ahead (128 at 28x28 587-647 against 437-556).
     */
    static final int MIN_INPUT_CHANNELS = 64;
    /** Floats of transformed input plus products above which {@code auto} keeps im2col: 4 MiB. */
    static final long MAX_SCRATCH = 1L << 20;
    /**
     * Channels in and out from which {@code auto} takes Winograd unblocked with up to
     * {@link #MAX_DEEP_SCRATCH} floats of scratch, where the blocked schedule finds no blocks (too few
     * tile rows to give each core two blocks of {@link #MIN_BLOCK_TILES}): with this many channels the
     * products dwarf the transforms' traffic. {@code ConvProbeMain}, two alternating runs each, the
     * direct form (what auto ran) against Winograd, microseconds: VGG-19's conv4 (512 channels at
     * 28x28, 3.2 M floats of scratch) 8589 / 8686 against 5181 / 4923, conv4_1 (256 -> 512 at 28x28)
     * 4350 / 4341 against 2584 / 2348, 256 channels at 28x28 2147 / 2176 against 1290 / 1286, 1024 at
     * 14x14 8867 / 9014 against 6211 / 6258.
     */
    static final int DEEP_CHANNELS = 256;
    /** Floats of scratch up to which layers of {@link #DEEP_CHANNELS} run Winograd unblocked: 16 MiB, half this machine's L3. */
    static final long MAX_DEEP_SCRATCH = 1L << 22;
    /** Tiles (2x2 output blocks, whole batch) below which {@code auto} keeps im2col. */
    static final int MIN_TILES = 32;
    /**
     * Tiles times input channels below which {@code auto} keeps im2col: each of the 16 products is
     * {@code Cout x tiles x Cin}, and with both few tiles and few channels (SqueezeNet fire9, 49 tiles
     * of 64 channels) they run far below the micro-kernel's rate (a K of 64 ends a register tile
     * every 64 steps; 49 columns fill two tiles' 64) while im2col runs one GEMM with K = 576. JMH,
     * fire9 3x3 (64 -> 256, 13x13), three alternating runs: im2col 204-217 us, Winograd 218-291 us;
     * ResNet-50 res4 (49 tiles of 256 channels) stays with Winograd.
     */
    static final int MIN_TILE_CHANNELS = 4096;
    /** System property read at compile time that overrides {@link #BLOCK_FLOATS} (a count of floats; 0 turns blocking off). */
    static final String BLOCK_PROPERTY = "accel.cpu.winograd.blockFloats";
    /**
     * Floats of one block's transformed input plus products ({@code 16 (Cin + Cout) blockTiles}) the
     * blocked path aims for: 2 MiB, twice this machine's L2 (1 MiB per core). Measured on ResNet-50
     * res2 (56x56, 64 channels, 2 threads): blocks of 56 tiles (half the L2) ran 743 us, slower than
     * the whole image at once (603 us): the 16 GEMMs on so few tiles run far below the micro-kernel's
     * rate and the shared input rows are transformed twice as often; blocks of 196 tiles ran 577 us.
     */
    static final int BLOCK_FLOATS = 1 << 19;
    /**
     * Fewest tiles in a block: four GEMM register tiles wide ({@link GemmCore#NR} each). Smaller
     * blocks measured slower than no blocking (the GEMMs' packing and edges dominate).
     */
    static final int MIN_BLOCK_TILES = 4 * GemmCore.NR;

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Lane selectors over two concatenated vectors: their even and odd lanes; and the zip of both halves. */
    private static final FloatVector EVEN = FloatVector.fromArray(F, iota(0), 0);
    private static final FloatVector ODD = FloatVector.fromArray(F, iota(1), 0);
    private static final FloatVector ZIP_LO = FloatVector.fromArray(F, zip(0), 0);
    private static final FloatVector ZIP_HI = FloatVector.fromArray(F, zip(L / 2), 0);

    /** How a 3x3 convolution that Winograd can run is computed. */
    enum Mode {
        /** Winograd where {@link #preferred} says it is faster. */
        AUTO,
        /** Always im2col + GEMM. */
        IM2COL,
        /** Winograd wherever it {@link #applies}. */
        WINOGRAD;

        /** The mode the system property {@value #PROPERTY} names, {@code auto} when unset. */
        static Mode fromProperty() {
            String v = System.getProperty(PROPERTY, "auto");
            return switch (v) {
                case "auto" -> AUTO;
                case "im2col" -> IM2COL;
                case "winograd" -> WINOGRAD;
                default -> throw new IllegalArgumentException("system property " + PROPERTY + " is '" + v
                        + "'; requires auto, im2col or winograd");
            };
        }
    }

    private final ConvGeom g;
    private final int th;
    private final int tw;
    /** Tiles of the whole batch. */
    private final int tiles;
    /** Row stride of the transformed input and of the products: tiles plus a vector of slack. */
    private final int tp;
    /** Floats per transformed-row scratch: the tile columns rounded up to a vector. */
    private final int hs;
    /** Padded row length the even/odd split reads: {@code 2 * (hs + L)}. */
    private final int rowLen;
    /**
     * Floats from one transform position's matrix to the next, in the transformed input and in the
     * products: the matrix rounded up to 4 KiB plus one cache line, so that the 16 rows a transform
     * touches at once fall in 16 different L1 sets (a multiple of 4 KiB put them all in one set,
     * which measured the transforms several times slower).
     */
    private final int vStride;
    private final int mStride;
    private final VectorMask<Float> tail;
    /** U[xi] packed as GEMM A panels when the weights were constant, else null. */
    private final PackedPanels[] u;
    /** Tile rows per block on the blocked path, 0 when the whole batch runs as one block. */
    private final int blockRows;
    /** Blocks per image on the blocked path. */
    private final int blocksPerImage;

    private Winograd(ConvGeom g, MemorySegment constWeights, int blockRows) {
        this.g = g;
        this.th = (g.oh() + 1) / 2;
        this.tw = (g.ow() + 1) / 2;
        this.tiles = g.n() * th * tw;
        this.tp = tiles + L;
        this.hs = (tw + L - 1) / L * L;
        this.rowLen = 2 * (hs + L);
        this.vStride = skew(g.c() * tp);
        this.mStride = skew(g.m() * tp);
        this.tail = F.indexInRange(0, tw % L == 0 ? L : tw % L);
        this.blockRows = Math.min(blockRows, th);
        this.blocksPerImage = this.blockRows == 0 ? 0 : (th + this.blockRows - 1) / this.blockRows;
        if (constWeights != null) {
            MemorySegment ts = NativeScratch.copyOf(transformFilter(g, constWeights));
            u = new PackedPanels[16];
            for (int xi = 0; xi < 16; xi++) {
                u[xi] = PackedPanels.asA(filterView(ts, xi), g.m(), g.c(), GemmCore.KC);
            }
        } else {
            u = null;
        }
    }

    /** Whether F(2x2, 3x3) computes this convolution: float32, 3x3, stride 1, dilation 1, one group. */
    static boolean applies(ConvGeom g) {
        return g.kh() == 3 && g.kw() == 3 && g.sh() == 1 && g.sw() == 1 && g.dh() == 1 && g.dw() == 1 && g.groups() == 1;
    }

    /**
     * The rule {@link Mode#AUTO} follows, from JMH A/B runs on ResNet-50 and SqueezeNet layers (see
     * benchmarks/README.md): at least {@link #MIN_INPUT_CHANNELS} input and {@link #MIN_CHANNELS} output
     * channels (below that the transforms, linear in the channels, outweigh the products: SqueezeNet's
     * expand layers of 16 to 48 input channels lost);
     * at least {@link #MIN_TILES} tiles (a 512-bit register tile's width), since the transformed weights
     * are 16/9 the size of the originals and each is used once per tile (ResNet-50 res5, 7x7 with 16
     * tiles, lost: the products stream U from memory); at least {@link #MIN_TILE_CHANNELS} tiles times
     * input channels (SqueezeNet fire9 lost: products too small); and either at most {@link #MAX_SCRATCH} floats
     * of transformed input and products ({@code 16 (Cin + Cout) tiles}) for the whole batch (res3 and
     * res4 won; fire9 did too, before im2col's lowering got faster), or a blocked schedule ({@link #blockRows} nonzero): res2, 56x56 with 64 channels,
     * lost to im2col as one block (the transforms ran out of L2) and wins blocked (about 580-610 us
     * against im2col's 630-660 on 2 threads), or {@link #DEEP_CHANNELS} channels in and out with at
     * most {@link #MAX_DEEP_SCRATCH} floats (VGG-19's 28x28 layers).
     */
    static boolean preferred(ConvGeom g) {
        if (!applies(g) || g.c() < MIN_INPUT_CHANNELS || g.m() < MIN_CHANNELS || g.ohw() == 0) {
            return false;
        }
        long tiles = (long) g.n() * ((g.oh() + 1) / 2) * ((g.ow() + 1) / 2);
        if (tiles < MIN_TILES || tiles * g.c() < MIN_TILE_CHANNELS) {
            return false;
        }
        int th = (g.oh() + 1) / 2;
        int tw = (g.ow() + 1) / 2;
        long scratch = 16 * (g.c() + (long) g.m()) * tiles;
        return scratch <= MAX_SCRATCH || blockRows(g, th, tw, budget(), CpuParallel.THREADS) > 0
                || (Math.min(g.c(), g.m()) >= DEEP_CHANNELS && scratch <= MAX_DEEP_SCRATCH);
    }

    /** Whether {@code mode} sends this geometry to Winograd. */
    static boolean chosen(ConvGeom g, Mode mode) {
        return switch (mode) {
            case AUTO -> preferred(g);
            case IM2COL -> false;
            case WINOGRAD -> applies(g) && g.ohw() > 0;
        };
    }

    /** The kernel for {@code g} (which {@link #applies}); {@code constWeights} (or null) are transformed and packed here. */
    static Winograd of(ConvGeom g, MemorySegment constWeights) {
        int rows = applies(g) ? blockRows(g, (g.oh() + 1) / 2, (g.ow() + 1) / 2, budget(), CpuParallel.THREADS) : 0;
        return of(g, constWeights, rows);
    }

    /** As {@link #of(ConvGeom, MemorySegment)} with {@code blockRows} tile rows per block, 0 for none (tests). */
    static Winograd of(ConvGeom g, MemorySegment constWeights, int blockRows) {
        if (!applies(g) || blockRows < 0) {
            throw new IllegalArgumentException("Winograd F(2x2, 3x3) needs a 3x3 kernel, stride 1, dilation 1, one group and "
                    + "blockRows >= 0; got " + g + ", blockRows " + blockRows);
        }
        return new Winograd(g, constWeights, blockRows);
    }

    /**
     * Tile rows per block for the blocked path, or 0 for the whole-batch path: as many tile rows as
     * keep {@code 16 (Cin + Cout)} floats per tile within {@code budget}, but at least
     * {@link #MIN_BLOCK_TILES} tiles; then, from there, the first block count per image
     * whose blocks split each image's tile rows evenly and whose total over the batch is a multiple
     * of {@code threads}, at least two per thread (each thread runs whole blocks, and each block
     * streams all the transformed weights once); 0 when there is none or {@code budget <= 0}.
     */
    static int blockRows(ConvGeom g, int th, int tw, int budget, int threads) {
        if (th == 0 || tw == 0 || budget <= 0) {
            return 0;
        }
        long perTile = 16L * (g.c() + g.m());
        int least = Math.min(th, (MIN_BLOCK_TILES + tw - 1) / tw);
        int fit = (int) Math.min(th, Math.max(1, budget / perTile / tw));
        int rows = Math.max(fit, least);
        for (int perImage = (th + rows - 1) / rows; perImage <= th; perImage++) {
            int r = (th + perImage - 1) / perImage;
            long blocks = (long) g.n() * perImage;
            if (r < least) {
                return 0;
            }
            if ((th + r - 1) / r == perImage && blocks % threads == 0 && blocks >= 2L * threads) {
                return r;
            }
        }
        return 0;
    }

    /** The block budget in floats: the system property {@value #BLOCK_PROPERTY}, else {@link #BLOCK_FLOATS}. */
    static int budget() {
        return Integer.getInteger(BLOCK_PROPERTY, BLOCK_FLOATS);
    }

    /** Whether this kernel runs the blocked path (package-private, for tests). */
    boolean blocked() {
        return blockRows > 0;
    }

    /** {@code y = conv(x, w) + bias} (bias may be null); {@code w} is read only when not prepared. */
    void run(MemorySegment x, MemorySegment w, float[] bias, MemorySegment y) {
        if (tiles == 0) {
            return;
        }
        MemorySegment us = null;
        if (u == null) {
            float[] t = transformFilter(g, w);
            us = NativeScratch.get(NativeScratch.Slot.WINOGRAD_FILTER, 4L * t.length);
            MemorySegment.copy(t, 0, us, FLOAT, 0, t.length);
        }
        if (blockRows > 0) {
            runBlocked(x, us, bias, y);
        } else {
            runWhole(x, us, bias, y);
        }
    }

    /**
     * Each thread takes whole blocks of {@link #blockRows} tile rows of one image and runs all three
     * stages on a block before the next, so that the block's scratch stays near that core's caches.
     * The stages' own parallel loops run inline there (a pool worker, or the caller while the pool is
     * busy with this loop, runs a nested loop itself).
     */
    private void runBlocked(MemorySegment x, MemorySegment us, float[] bias, MemorySegment y) {
        int ldt = blockRows * tw + L;
        int vst = skew(g.c() * ldt);
        int mst = skew(g.m() * ldt);
        CpuParallel.forRange(g.n() * blocksPerImage, 1, (from, to) -> {
            MemorySegment[] s = scratch(16 * vst, 16 * mst);
            for (int b = from; b < to; b++) {
                int ni = b / blocksPerImage;
                int ty0 = b % blocksPerImage * blockRows;
                stages(x, us, bias, y, ni, ni + 1, ty0, Math.min(th, ty0 + blockRows), s[0], s[1], vst, mst, ldt);
            }
        });
    }

    /** The whole batch as one block, each stage parallel: over planes, then one product per thread. */
    private void runWhole(MemorySegment x, MemorySegment us, float[] bias, MemorySegment y) {
        MemorySegment[] s = scratch(16 * vStride, 16 * mStride);
        stages(x, us, bias, y, 0, g.n(), 0, th, s[0], s[1], vStride, mStride, tp);
    }

    /**
     * The three stages on tile rows {@code [ty0, ty1)} of images {@code [n0, n1)}, numbered from 0
     * image by image into {@code v} and {@code m} (row stride {@code ldt}, position strides
     * {@code vst} and {@code mst}).
     */
    private void stages(MemorySegment x, MemorySegment us, float[] bias, MemorySegment y, int n0, int n1, int ty0, int ty1,
            MemorySegment v, MemorySegment m, int vst, int mst, int ldt) {
        int cin = g.c();
        int cout = g.m();
        int rows = ty1 - ty0;
        int perImage = rows * tw;
        int grain = Math.max(1, 2048 / Math.max(1, perImage));
        CpuParallel.forRange((n1 - n0) * cin, grain, (from, to) -> {
            float[] row = new float[rowLen];
            float[] even = new float[hs + L];
            float[] odd = new float[hs + L];
            float[] h = new float[(2 * rows + 2) * 4 * hs];
            for (int p = from; p < to; p++) {
                int i = p / cin;
                inputTransform(x, n0 + i, p % cin, ty0, ty1, v, vst, ldt, i * perImage, row, even, odd, h);
            }
        });
        MemorySegment vs = v;
        MemorySegment ms = m;
        int n = (n1 - n0) * perImage;
        CpuParallel.forRange(16, 1, (from, to) -> {
            for (int xi = from; xi < to; xi++) {
                PanelSource a = u != null ? u[xi] : filterView(us, xi);
                MatrixView bt = MatrixView.f32(vs, (long) xi * vst, 1, ldt);
                GemmCore.multiply(cout, n, cin, a, bt, GemmCore.Target.floats(ms, (long) xi * mst, ldt, 1f, false), false);
            }
        });
        CpuParallel.forRange((n1 - n0) * cout, grain, (from, to) -> {
            float[] r0 = new float[2 * hs + 2 * L];
            float[] r1 = new float[2 * hs + 2 * L];
            for (int p = from; p < to; p++) {
                int i = p / cout;
                outputTransform(m, mst, ldt, i * perImage, n0 + i, p % cout, ty0, ty1, bias, y, r0, r1);
            }
        });
    }

    /** U[xi] as the GEMM's A: {@code Cout x Cin}, rows contiguous. */
    private MatrixView filterView(MemorySegment transformed, int xi) {
        return MatrixView.f32(transformed, (long) xi * g.m() * g.c(), g.c(), 1);
    }

    /**
     * {@code U = G g G^T} for every (output, input) channel pair, in float64 rounded once, stored as
     * {@code u[(xi * Cout + co) * Cin + ci]} with {@code xi = 4 * row + column}.
     */
    static float[] transformFilter(ConvGeom g, MemorySegment w) {
        int cin = g.c();
        int cout = g.m();
        float[] u = new float[16 * cout * cin];
        double[] k = new double[9];
        double[] gg = new double[12];
        for (int co = 0; co < cout; co++) {
            for (int ci = 0; ci < cin; ci++) {
                long base = ((long) co * cin + ci) * 9;
                for (int i = 0; i < 9; i++) {
                    k[i] = w.getAtIndex(FLOAT, base + i);
                }
                // G g: rows g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2 (each a row of 3).
                for (int j = 0; j < 3; j++) {
                    double a = k[j];
                    double b = k[3 + j];
                    double c = k[6 + j];
                    gg[j] = a;
                    gg[3 + j] = (a + b + c) * 0.5;
                    gg[6 + j] = (a - b + c) * 0.5;
                    gg[9 + j] = c;
                }
                // (G g) G^T: the same combination along each row.
                for (int i = 0; i < 4; i++) {
                    double a = gg[3 * i];
                    double b = gg[3 * i + 1];
                    double c = gg[3 * i + 2];
                    int at = ((4 * i) * cout + co) * cin + ci;
                    int step = cout * cin;
                    u[at] = (float) a;
                    u[at + step] = (float) ((a + b + c) * 0.5);
                    u[at + 2 * step] = (float) ((a - b + c) * 0.5);
                    u[at + 3 * step] = (float) c;
                }
            }
        }
        return u;
    }

    /**
     * {@code V = B^T d B} of every tile of input plane (ni, ci), written to
     * {@code v[(xi * Cin + ci) * tp + t]}. Per padded input row: the row, its even and odd columns,
     * then {@code d B} for every tile column ({@code h}, four values per tile, kept for the two tile
     * rows that share the row); then {@code B^T} down each tile's four rows.
     */
    private void inputTransform(MemorySegment x, int ni, int ci, int ty0, int ty1, MemorySegment v, int vst, int ldt, int tOff,
            float[] row, float[] even, float[] odd, float[] h) {
        int rows = 2 * (ty1 - ty0) + 2;
        long plane = ((long) ni * g.c() + ci) * g.hw();
        int w = g.w();
        int x0 = Math.max(0, g.pl());
        int x1 = Math.min(rowLen, g.pl() + w);
        for (int r = 0; r < rows; r++) {
            int iy = 2 * ty0 + r - g.pt();
            int hr = r * 4 * hs;
            if (iy < 0 || iy >= g.h() || x1 <= x0) {
                Arrays.fill(h, hr, hr + 4 * hs, 0f);
                continue;
            }
            Arrays.fill(row, 0f);
            MemorySegment.copy(x, FLOAT, (plane + (long) iy * w + (x0 - g.pl())) * 4, row, x0, x1 - x0);
            for (int q = 0; q < rowLen; q += 2 * L) {
                FloatVector a = FloatVector.fromArray(F, row, q);
                FloatVector b = FloatVector.fromArray(F, row, q + L);
                EVEN.selectFrom(a, b).intoArray(even, q / 2);
                ODD.selectFrom(a, b).intoArray(odd, q / 2);
            }
            // Tile tx reads padded columns 2tx .. 2tx + 3: even[tx], odd[tx], even[tx + 1], odd[tx + 1].
            for (int tx = 0; tx < hs; tx += L) {
                FloatVector d0 = FloatVector.fromArray(F, even, tx);
                FloatVector d1 = FloatVector.fromArray(F, odd, tx);
                FloatVector d2 = FloatVector.fromArray(F, even, tx + 1);
                FloatVector d3 = FloatVector.fromArray(F, odd, tx + 1);
                d0.sub(d2).intoArray(h, hr + tx);
                d1.add(d2).intoArray(h, hr + hs + tx);
                d2.sub(d1).intoArray(h, hr + 2 * hs + tx);
                d1.sub(d3).intoArray(h, hr + 3 * hs + tx);
            }
        }
        int cin = g.c();
        for (int ty = ty0; ty < ty1; ty++) {
            int t0 = tOff + (ty - ty0) * tw;
            int hr = 2 * (ty - ty0) * 4 * hs;
            for (int tx = 0; tx < tw; tx += L) {
                boolean full = tx + L <= tw;
                for (int j = 0; j < 4; j++) {
                    int at = hr + j * hs + tx;
                    FloatVector h0 = FloatVector.fromArray(F, h, at);
                    FloatVector h1 = FloatVector.fromArray(F, h, at + 4 * hs);
                    FloatVector h2 = FloatVector.fromArray(F, h, at + 8 * hs);
                    FloatVector h3 = FloatVector.fromArray(F, h, at + 12 * hs);
                    int o = j * vst + ci * ldt + t0 + tx;
                    int step = 4 * vst;
                    if (full) {
                        h0.sub(h2).intoMemorySegment(v, 4L * o, LE);
                        h1.add(h2).intoMemorySegment(v, 4L * (o + step), LE);
                        h2.sub(h1).intoMemorySegment(v, 4L * (o + 2 * step), LE);
                        h1.sub(h3).intoMemorySegment(v, 4L * (o + 3 * step), LE);
                    } else {
                        h0.sub(h2).intoMemorySegment(v, 4L * o, LE, tail);
                        h1.add(h2).intoMemorySegment(v, 4L * (o + step), LE, tail);
                        h2.sub(h1).intoMemorySegment(v, 4L * (o + 2 * step), LE, tail);
                        h1.sub(h3).intoMemorySegment(v, 4L * (o + 3 * step), LE, tail);
                    }
                }
            }
        }
    }

    /**
     * {@code Y = A^T M A + bias} for every tile of output plane (ni, co), from
     * {@code m[(xi * Cout + co) * ldt + t]}: two output rows per tile row, each assembled in
     * {@code r0} / {@code r1} and copied to Y without the column past an odd width.
     */
    private void outputTransform(MemorySegment m, int mst, int ldt, int tOff, int ni, int co, int ty0, int ty1, float[] bias,
            MemorySegment y, float[] r0, float[] r1) {
        int cout = g.m();
        int ow = g.ow();
        int oh = g.oh();
        int step = mst;
        FloatVector b = FloatVector.broadcast(F, bias == null ? 0f : bias[co]);
        long plane = ((long) ni * cout + co) * g.ohw();
        for (int ty = ty0; ty < ty1; ty++) {
            int t0 = tOff + (ty - ty0) * tw;
            for (int tx = 0; tx < tw; tx += L) {
                int at = co * ldt + t0 + tx;
                // A^T down the columns: s0j = m0j + m1j + m2j, s1j = m1j - m2j - m3j.
                FloatVector s00 = null;
                FloatVector s01 = null;
                FloatVector s02 = null;
                FloatVector s03 = null;
                FloatVector s10 = null;
                FloatVector s11 = null;
                FloatVector s12 = null;
                FloatVector s13 = null;
                for (int j = 0; j < 4; j++) {
                    int o = at + j * step;
                    FloatVector m0 = FloatVector.fromMemorySegment(F, m, 4L * o, LE);
                    FloatVector m1 = FloatVector.fromMemorySegment(F, m, 4L * (o + 4 * step), LE);
                    FloatVector m2 = FloatVector.fromMemorySegment(F, m, 4L * (o + 8 * step), LE);
                    FloatVector m3 = FloatVector.fromMemorySegment(F, m, 4L * (o + 12 * step), LE);
                    FloatVector s0 = m0.add(m1).add(m2);
                    FloatVector s1 = m1.sub(m2).sub(m3);
                    switch (j) {
                        case 0 -> {
                            s00 = s0;
                            s10 = s1;
                        }
                        case 1 -> {
                            s01 = s0;
                            s11 = s1;
                        }
                        case 2 -> {
                            s02 = s0;
                            s12 = s1;
                        }
                        default -> {
                            s03 = s0;
                            s13 = s1;
                        }
                    }
                }
                FloatVector y00 = s00.add(s01).add(s02).add(b);
                FloatVector y01 = s01.sub(s02).sub(s03).add(b);
                FloatVector y10 = s10.add(s11).add(s12).add(b);
                FloatVector y11 = s11.sub(s12).sub(s13).add(b);
                ZIP_LO.selectFrom(y00, y01).intoArray(r0, 2 * tx);
                ZIP_HI.selectFrom(y00, y01).intoArray(r0, 2 * tx + L);
                ZIP_LO.selectFrom(y10, y11).intoArray(r1, 2 * tx);
                ZIP_HI.selectFrom(y10, y11).intoArray(r1, 2 * tx + L);
            }
            int oy = 2 * ty;
            MemorySegment.copy(r0, 0, y, FLOAT, (plane + (long) oy * ow) * 4, ow);
            if (oy + 1 < oh) {
                MemorySegment.copy(r1, 0, y, FLOAT, (plane + (long) (oy + 1) * ow) * 4, ow);
            }
        }
    }

    /** The calling thread's transformed-input (index 0) and product (index 1) segments, of these sizes in floats. */
    private static MemorySegment[] scratch(int vSize, int mSize) {
        return new MemorySegment[] {NativeScratch.get(NativeScratch.Slot.WINOGRAD_INPUT, 4L * vSize),
            NativeScratch.get(NativeScratch.Slot.WINOGRAD_PRODUCTS, 4L * mSize)};
    }

    /** Lanes {@code start, start + 2, start + 4, ...}: every other lane of two concatenated vectors. */
    private static int skew(int floats) {
        return (floats + 1023) / 1024 * 1024 + 16;
    }

    private static float[] iota(int start) {
        float[] a = new float[L];
        for (int i = 0; i < L; i++) {
            a[i] = start + 2 * i;
        }
        return a;
    }

    /** Lane i takes lane {@code first + i / 2} of the first vector (i even) or of the second (i odd). */
    private static float[] zip(int first) {
        float[] a = new float[L];
        for (int i = 0; i < L; i++) {
            a[i] = first + i / 2 + (i % 2) * L;
        }
        return a;
    }
}
