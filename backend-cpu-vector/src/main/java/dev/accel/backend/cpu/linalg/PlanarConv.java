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
 * Direct float convolution in NCHW for layers with few input channels (a network's first layer:
 * three colour planes, K = 27 or 147), with vector lanes along the output row.
 *
 * <p>One output row of {@link #MR} channels is computed {@code 2 x L} positions at a time: per tap
 * of the kernel (input channel, kernel row, kernel column) two vectors of input, one for each
 * {@code L} consecutive output positions, multiplied into the tap's {@link #MR} weights (broadcast),
 * sixteen accumulators; the sums are stored straight into the output planes, so there is no product
 * to transpose, and the bias is where the sums start. For the inputs of {@code L} consecutive
 * output positions to be {@code L} consecutive floats at every stride, the input is copied once per
 * call, zero-padded, with each row split into its {@code sw} column phases (stride 2: the even
 * columns, then the odd ones): the input of output column {@code ox} at kernel column {@code kx}
 * is column {@code ox + kx / sw} of phase {@code kx % sw}.
 *
 * <p>Against the channel-blocked {@link DirectConv} and the lowered GEMMs for these layers: their
 * product is position-major and costs a transpose into NCHW (a quarter of SqueezeNet conv1's time
 * in {@code DirectConvMain}), and with three channels their runs are 9 or 21 floats long.
 * {@code Experiments planar} (benchmarks module, interleaved in one JVM, two cores), the form the
 * other rules pick against this one, GFLOP/s: ResNet-50 conv1 (7x7 stride 2) 385.8 / 429.1,
 * MobileNetV2 conv0 (3x3 stride 2) 226.8 / 291.1, SqueezeNet conv1 (3x3 stride 2) 290.4 / 322.2.
 * {@code PlanarConvMain} (test classes) times the copy and the tiles on one core.
 */
final class PlanarConv implements DirectForm {
    /** System property read when a float Conv compiles: {@code off}, {@code on} (wherever it applies) or {@code auto}. */
    static final String PROPERTY = "accel.cpu.planar";
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Output channels per register tile (their weights broadcast; a tile holds {@code MR x 2} vectors of sums). */
    static final int MR = 8;
    /** Most input channels this form takes (16 input channels ran 334 GFLOP/s here against 426 in {@link DirectConv}). */
    static final int MAX_CHANNELS = 8;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final long MAX_FLOATS = 1L << 30;
    private static final ThreadLocal<float[]> INPUT = ThreadLocal.withInitial(() -> new float[0]);

    private final ConvGeom g;
    /** Bands of output rows (one per core), and output rows per band. */
    private final int bands;
    private final int bandRows;
    /** Padded rows of a band's copy, and columns of each phase of a row. */
    private final int hp;
    private final int wq;
    /** Taps: input channels x kernel rows x kernel columns, the weights' order. */
    private final int taps;
    /** Per tap, where its input lies in the copy relative to an output position's. */
    private final int[] tapOffset;
    /** The sums' start without a bias. */
    private final float[] zeros;

    /**
     * Whether this form can run {@code g}: one group, no dilation, at most {@link #MAX_CHANNELS}
     * input channels, a kernel wider than 1x1, output channels a multiple of {@link #MR}, and its
     * arrays within {@link #MAX_FLOATS} floats (they are indexed with ints).
     */
    static boolean applies(ConvGeom g) {
        if (g.groups() != 1 || g.dh() != 1 || g.dw() != 1 || g.c() > MAX_CHANNELS || g.kh() * g.kw() == 1 || g.m() % MR != 0
                || g.ohw() == 0) {
            return false;
        }
        long copy = (long) g.c() * g.sw() * rows(g) * phaseColumns(g) + 2L * L;
        return copy <= MAX_FLOATS && (long) g.m() * g.c() * g.kh() * g.kw() <= MAX_FLOATS;
    }

    /**
     * Whether a float Conv of geometry {@code g} runs in this form: never when {@code mode} names a
     * formulation of 3x3 convolutions; else as the system property {@value #PROPERTY} says, read
     * when the Conv compiles: {@code off}, {@code on} (wherever it {@link #applies}) or {@code auto},
     * the rule {@link #preferred}.
     */
    static boolean chosen(ConvGeom g, Winograd.Mode mode) {
        return DirectForm.chosen(PROPERTY, mode == Winograd.Mode.AUTO && applies(g), () -> preferred(g));
    }

    /**
     * The rule: a column stride of 1 or 2. At stride 4 the phases are copied element by element and
     * the rows are short: AlexNet's conv1 (11x11, stride 4, 55 outputs a row) ran 320-324 GFLOP/s
     * against 380-385 lowered, where VGG-19's conv1_1 (3x3, stride 1) ran 379-381 against 310-314
     * ({@code ConvProbeMain}, two alternating runs each).
     */
    static boolean preferred(ConvGeom g) {
        return applies(g) && g.sw() <= 2;
    }

    private static int rows(ConvGeom g) {
        return (g.oh() - 1) * g.sh() + g.kh();
    }

    private static int phaseColumns(ConvGeom g) {
        return g.ow() + (g.kw() - 1) / g.sw();
    }

    /** The planar form of {@code g} ({@link #applies} must hold), a band of output rows per core. */
    PlanarConv(ConvGeom g) {
        this(g, CpuParallel.THREADS);
    }

    /** As above, in {@code bands} bands of output rows (at most one per output row). */
    PlanarConv(ConvGeom g, int bands) {
        this.g = g;
        this.bands = Math.max(1, Math.min(bands, g.oh()));
        this.bandRows = Math.ceilDiv(g.oh(), this.bands);
        this.hp = (bandRows - 1) * g.sh() + g.kh();
        this.wq = phaseColumns(g);
        this.taps = g.c() * g.kh() * g.kw();
        this.tapOffset = new int[taps];
        this.zeros = new float[g.m()];
        for (int ci = 0; ci < g.c(); ci++) {
            for (int ky = 0; ky < g.kh(); ky++) {
                for (int kx = 0; kx < g.kw(); kx++) {
                    int phase = ci * g.sw() + kx % g.sw();
                    tapOffset[(ci * g.kh() + ky) * g.kw() + kx] = (phase * hp + ky) * wq + kx / g.sw();
                }
            }
        }
    }

    /**
     * The weights ({@code m x c x kh x kw} floats at {@code w}) as this form reads them: per block of
     * {@link #MR} output channels, per tap, the block's MR weights. Done once at compile time for
     * constant weights, else per call.
     */
    @Override
    public float[] pack(MemorySegment w) {
        float[] packed = new float[g.m() * taps];
        for (int co = 0; co < g.m(); co++) {
            int block = co / MR;
            for (int t = 0; t < taps; t++) {
                packed[(block * taps + t) * MR + co % MR] = w.getAtIndex(FLOAT, (long) co * taps + t);
            }
        }
        return packed;
    }

    /** Floats of a band's phase-split copy, with a vector pair of slack (the last row's last tile reads past its row). */
    int inputSize() {
        return g.c() * g.sw() * hp * wq + 2 * L;
    }

    /**
     * Image {@code ni} of X (NCHW at {@code x}) convolved with {@code weights} ({@link #pack}) into Y
     * (NCHW at {@code y}), {@code bias} (or null) added: each core copies the input rows of its band
     * of output rows into its own buffer and computes the band. (Copied by all cores into one buffer
     * and read by all, half of each core's input came from the other's cache: SqueezeNet conv1 ran
     * 218-221 us against 16 for the copy and 113 for the tiles, each timed alone on two cores; in
     * bands, 139 us, {@code PlanarConvMain}.)
     */
    @Override
    public void run(MemorySegment x, int ni, float[] weights, float[] bias, MemorySegment y) {
        long xBase = (long) ni * g.c() * g.hw();
        long yBase = (long) ni * g.m() * g.ohw();
        float[] b = bias != null ? bias : zeros;
        CpuParallel.forRange(bands, 1, (b0, b1) -> {
            float[] xb = INPUT.get();
            if (xb.length < inputSize()) {
                xb = new float[inputSize()];
                INPUT.set(xb);
            }
            for (int band = b0; band < b1; band++) {
                int oy0 = band * bandRows;
                int oy1 = Math.min(g.oh(), oy0 + bandRows);
                copyBand(x, xBase, xb, oy0, oy1);
                computeBand(xb, weights, b, oy0, oy1, y, yBase);
            }
        });
    }

    /** Output rows {@code [oy0, oy1)} of every channel block, from their band's copy {@code xb}. */
    void computeBand(float[] xb, float[] weights, float[] bias, int oy0, int oy1, MemorySegment y, long yBase) {
        for (int block = 0; block < g.m() / MR; block++) {
            for (int oy = oy0; oy < oy1; oy++) {
                outputRow(xb, weights, bias, block, oy, oy - oy0, y, yBase);
            }
        }
    }

    /**
     * The padded input rows that output rows {@code [oy0, oy1)} read, into the band copy {@code xb}
     * (per channel and column phase, {@code hp} rows of {@code wq}): zero where the padded row or
     * column lies outside the image.
     */
    void copyBand(MemorySegment x, long xBase, float[] xb, int oy0, int oy1) {
        int sw = g.sw();
        int rows = (oy1 - oy0 - 1) * g.sh() + g.kh();
        for (int ci = 0; ci < g.c(); ci++) {
            for (int r = 0; r < rows; r++) {
                int iy = oy0 * g.sh() + r - g.pt();
                for (int ph = 0; ph < sw; ph++) {
                    int to = ((ci * sw + ph) * hp + r) * wq;
                    if (iy < 0 || iy >= g.h()) {
                        Arrays.fill(xb, to, to + wq, 0f);
                        continue;
                    }
                    // Phase column j is image column j * sw + ph - pl: the image's columns from jLo to jHi.
                    int jLo = Math.min(wq, Math.max(0, Math.ceilDiv(g.pl() - ph, sw)));
                    int jHi = Math.max(jLo, Math.min(wq, Math.floorDiv(g.w() - 1 + g.pl() - ph, sw) + 1));
                    Arrays.fill(xb, to, to + jLo, 0f);
                    long from = xBase + (long) ci * g.hw() + (long) iy * g.w() + (long) jLo * sw + ph - g.pl();
                    strided(x, from, sw, jHi - jLo, xb, to + jLo);
                    Arrays.fill(xb, to + jHi, to + wq, 0f);
                }
            }
        }
    }

    /**
     * {@code dst[to + j] = x[from + j * sw]} for {@code j < count}: a bulk copy at stride 1; at
     * stride 2 the even lanes of two whole-vector loads compacted into one (while the loads stay
     * inside the segment); element by element otherwise and for the rest.
     */
    private static void strided(MemorySegment x, long from, int sw, int count, float[] dst, int to) {
        if (sw == 1) {
            MemorySegment.copy(x, FLOAT, from * 4, dst, to, count);
            return;
        }
        int j = 0;
        if (sw == 2) {
            long end = x.byteSize();
            for (; j + L <= count && (from + 2L * j) * 4 + 8L * L <= end; j += L) {
                long at = (from + 2L * j) * 4;
                FloatVector lo = FloatVector.fromMemorySegment(F, x, at, LE);
                FloatVector hi = FloatVector.fromMemorySegment(F, x, at + 4L * L, LE);
                StridedPointwise.EVEN.selectFrom(lo, hi).intoArray(dst, to + j);
            }
        }
        for (; j < count; j++) {
            dst[to + j] = x.getAtIndex(FLOAT, from + (long) j * sw);
        }
    }

    /**
     * Output row {@code oy} (row {@code bandRow} of its band) of channel block {@code block}: tiles
     * of two vectors, then of one for the rest.
     */
    private void outputRow(float[] xb, float[] w, float[] bias, int block, int oy, int bandRow, MemorySegment y, long yBase) {
        int ow = g.ow();
        long plane = g.ohw();
        int co = block * MR;
        int wo = block * taps * MR;
        int rowBase = bandRow * g.sh() * wq;
        long yRow = yBase + co * plane + (long) oy * ow;
        int ox = 0;
        for (; ox + 2 * L <= ow; ox += 2 * L) {
            tile2(xb, rowBase + ox, tapOffset, taps, w, wo, bias, co, y, (yRow + ox) * 4, plane * 4);
        }
        for (; ox < ow; ox += L) {
            tile1(xb, rowBase + ox, tapOffset, taps, w, wo, bias, co, y, (yRow + ox) * 4, plane * 4, ow - ox);
        }
    }

    /**
     * {@link #MR} channels by {@code 2 L} positions from copy offset {@code p}: Y at byte {@code at}
     * of {@code y}, channel planes {@code plane} bytes apart. (With a masked store of the second
     * vectors for a row's last positions as well, C1 gave up on the method, "out of virtual registers",
     * and it ran interpreted at 2 GFLOP/s until C2 took it.)
     */
    private static void tile2(float[] x, int p, int[] tapOffset, int taps, float[] w, int wo, float[] bias, int co,
            MemorySegment y, long at, long plane) {
        FloatVector c00 = FloatVector.broadcast(F, bias[co]);
        FloatVector c01 = c00;
        FloatVector c10 = FloatVector.broadcast(F, bias[co + 1]);
        FloatVector c11 = c10;
        FloatVector c20 = FloatVector.broadcast(F, bias[co + 2]);
        FloatVector c21 = c20;
        FloatVector c30 = FloatVector.broadcast(F, bias[co + 3]);
        FloatVector c31 = c30;
        FloatVector c40 = FloatVector.broadcast(F, bias[co + 4]);
        FloatVector c41 = c40;
        FloatVector c50 = FloatVector.broadcast(F, bias[co + 5]);
        FloatVector c51 = c50;
        FloatVector c60 = FloatVector.broadcast(F, bias[co + 6]);
        FloatVector c61 = c60;
        FloatVector c70 = FloatVector.broadcast(F, bias[co + 7]);
        FloatVector c71 = c70;
        for (int t = 0; t < taps; t++) {
            int a = p + tapOffset[t];
            FloatVector x0 = FloatVector.fromArray(F, x, a);
            FloatVector x1 = FloatVector.fromArray(F, x, a + L);
            int wt = wo + t * MR;
            FloatVector v = FloatVector.broadcast(F, w[wt]);
            c00 = x0.fma(v, c00);
            c01 = x1.fma(v, c01);
            v = FloatVector.broadcast(F, w[wt + 1]);
            c10 = x0.fma(v, c10);
            c11 = x1.fma(v, c11);
            v = FloatVector.broadcast(F, w[wt + 2]);
            c20 = x0.fma(v, c20);
            c21 = x1.fma(v, c21);
            v = FloatVector.broadcast(F, w[wt + 3]);
            c30 = x0.fma(v, c30);
            c31 = x1.fma(v, c31);
            v = FloatVector.broadcast(F, w[wt + 4]);
            c40 = x0.fma(v, c40);
            c41 = x1.fma(v, c41);
            v = FloatVector.broadcast(F, w[wt + 5]);
            c50 = x0.fma(v, c50);
            c51 = x1.fma(v, c51);
            v = FloatVector.broadcast(F, w[wt + 6]);
            c60 = x0.fma(v, c60);
            c61 = x1.fma(v, c61);
            v = FloatVector.broadcast(F, w[wt + 7]);
            c70 = x0.fma(v, c70);
            c71 = x1.fma(v, c71);
        }
        long h = 4L * L;
        c00.intoMemorySegment(y, at, LE);
        c10.intoMemorySegment(y, at + plane, LE);
        c20.intoMemorySegment(y, at + 2 * plane, LE);
        c30.intoMemorySegment(y, at + 3 * plane, LE);
        c40.intoMemorySegment(y, at + 4 * plane, LE);
        c50.intoMemorySegment(y, at + 5 * plane, LE);
        c60.intoMemorySegment(y, at + 6 * plane, LE);
        c70.intoMemorySegment(y, at + 7 * plane, LE);
        c01.intoMemorySegment(y, at + h, LE);
        c11.intoMemorySegment(y, at + h + plane, LE);
        c21.intoMemorySegment(y, at + h + 2 * plane, LE);
        c31.intoMemorySegment(y, at + h + 3 * plane, LE);
        c41.intoMemorySegment(y, at + h + 4 * plane, LE);
        c51.intoMemorySegment(y, at + h + 5 * plane, LE);
        c61.intoMemorySegment(y, at + h + 6 * plane, LE);
        c71.intoMemorySegment(y, at + h + 7 * plane, LE);
    }

    /**
     * As {@link #tile2} for one vector of positions, of which the first {@code live} are stored (a
     * row's last; the rest are computed from whatever the copy holds there).
     */
    private static void tile1(float[] x, int p, int[] tapOffset, int taps, float[] w, int wo, float[] bias, int co,
            MemorySegment y, long at, long plane, int live) {
        FloatVector c0 = FloatVector.broadcast(F, bias[co]);
        FloatVector c1 = FloatVector.broadcast(F, bias[co + 1]);
        FloatVector c2 = FloatVector.broadcast(F, bias[co + 2]);
        FloatVector c3 = FloatVector.broadcast(F, bias[co + 3]);
        FloatVector c4 = FloatVector.broadcast(F, bias[co + 4]);
        FloatVector c5 = FloatVector.broadcast(F, bias[co + 5]);
        FloatVector c6 = FloatVector.broadcast(F, bias[co + 6]);
        FloatVector c7 = FloatVector.broadcast(F, bias[co + 7]);
        for (int t = 0; t < taps; t++) {
            FloatVector x0 = FloatVector.fromArray(F, x, p + tapOffset[t]);
            int wt = wo + t * MR;
            c0 = x0.fma(FloatVector.broadcast(F, w[wt]), c0);
            c1 = x0.fma(FloatVector.broadcast(F, w[wt + 1]), c1);
            c2 = x0.fma(FloatVector.broadcast(F, w[wt + 2]), c2);
            c3 = x0.fma(FloatVector.broadcast(F, w[wt + 3]), c3);
            c4 = x0.fma(FloatVector.broadcast(F, w[wt + 4]), c4);
            c5 = x0.fma(FloatVector.broadcast(F, w[wt + 5]), c5);
            c6 = x0.fma(FloatVector.broadcast(F, w[wt + 6]), c6);
            c7 = x0.fma(FloatVector.broadcast(F, w[wt + 7]), c7);
        }
        VectorMask<Float> m = F.indexInRange(0, live);
        c0.intoMemorySegment(y, at, LE, m);
        c1.intoMemorySegment(y, at + plane, LE, m);
        c2.intoMemorySegment(y, at + 2 * plane, LE, m);
        c3.intoMemorySegment(y, at + 3 * plane, LE, m);
        c4.intoMemorySegment(y, at + 4 * plane, LE, m);
        c5.intoMemorySegment(y, at + 5 * plane, LE, m);
        c6.intoMemorySegment(y, at + 6 * plane, LE, m);
        c7.intoMemorySegment(y, at + 7 * plane, LE, m);
    }
}
