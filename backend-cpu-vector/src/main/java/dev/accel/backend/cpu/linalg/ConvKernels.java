package dev.accel.backend.cpu.linalg;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.backend.cpu.CpuParallel;
import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.QLinearConv;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Map;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels for Conv2d, ConvInteger and QLinearConv.
 *
 * <p>Float32 3x3 stride-1 convolutions with enough channels and tiles run Winograd F(2x2, 3x3)
 * ({@link Winograd}; the rule is {@link Winograd#preferred}, and the system property
 * {@value Winograd#PROPERTY} = {@code auto | im2col | winograd}, read at compile time, overrides it).
 * Otherwise three paths: a 1x1, stride-1, unpadded convolution is one GEMM per image and group straight
 * over the NCHW plane ({@code Y[m, q] = W[m, c] X[c, q]}); a depthwise convolution runs
 * {@link Depthwise}, vectors along the output width; everything else multiplies the weights with
 * the lowered input through {@link GemmCore}, the lowered input being packed panel by panel
 * straight from a zero-padded copy of the group's planes ({@link PaddedImage}, {@link Im2colSource}):
 * no im2col matrix is written and packed again. Integer convolutions take the same paths with 8-bit
 * views (the padded copy holds {@code x - zeroPoint}) and an int32 GEMM; QLinearConv accumulates
 * into int32 scratch, adds its bias and requantizes per output channel. Images and groups run in
 * parallel when there are enough of them; otherwise each GEMM (and the padded copy feeding it)
 * splits across cores itself. Constant weights are packed per group at compile time (see
 * {@link #conv2d}); the padded copy and the lowered input, which depend on X, are built per call.
 */
final class ConvKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    /**
     * Padded-copy floats above which the copy is split across cores. At 2^16, SqueezeNet's fire2 3x3
     * input (52 K padded floats, 12.5 us on one core) was copied on one core while the other waited:
     * {@code LoweringCostMain} timed that convolution at 176-183 us with 2^16 and 163-167 us with
     * 2^14, three interleaved runs each.
     */
    private static final int PARALLEL_PAD = 1 << 14;
    private static final ThreadLocal<float[][]> PAD = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});

    private ConvKernels() {
    }

    /**
     * One run's operands. 8-bit X and W read as {@code x - xzp} and {@code w - wzp} (wzpc per
     * output channel, or null); {@code bias} (float32 outputs only) is added by the GEMM's epilogue.
     */
    private record Operands(MemorySegment x, MemorySegment w, MemorySegment y, boolean integer, boolean xu, boolean wu,
                            int xzp, int wzp, int[] wzpc, float[] bias, Prepared prepared) {
        int wZeroPoint(int channel) {
            return wzpc == null ? wzp : wzpc[channel];
        }
    }

    /**
     * What was computed from constant inputs at prepare time: per group the weights packed as GEMM A
     * panels ({@code gemm}), or for depthwise the taps of every channel as floats, zero point
     * subtracted ({@code taps}); null where the weights were not constant.
     */
    private record Prepared(PackedPanels[] gemm, float[] taps) {
        static final Prepared NONE = new Prepared(null, null);
    }

    /**
     * Packs constant weights {@code w} (float32, or 8-bit read as {@code w - zero point}) for the
     * path this geometry takes: the integer depthwise path only when {@code integerDepthwise}.
     */
    private static Prepared prepare(ConvGeom g, Depthwise dw, MemorySegment w, boolean integer, boolean wu, int wzp, int[] wzpc) {
        if (dw != null) {
            int taps = g.kh() * g.kw();
            float[] t = new float[g.m() * taps];
            int mask = wu ? 0xFF : -1;
            for (int ch = 0; ch < g.m(); ch++) {
                int z = wzpc == null ? wzp : wzpc[ch];
                for (int i = 0; i < taps; i++) {
                    long at = (long) ch * taps + i;
                    t[ch * taps + i] = integer ? (w.get(ValueLayout.JAVA_BYTE, at) & mask) - z : w.getAtIndex(FLOAT, at);
                }
            }
            return new Prepared(null, t);
        }
        if (g.ohw() == 0) {
            return Prepared.NONE;
        }
        PackedPanels[] packed = new PackedPanels[g.groups()];
        for (int gi = 0; gi < packed.length; gi++) {
            packed[gi] = PackedPanels.asA(weights(g, w, integer, wu, wzp, wzpc, gi), g.mg(), g.kg(),
                    integer ? GemmCore.KC_INT : GemmCore.KC);
        }
        return new Prepared(packed, null);
    }

    /** Group gi's weights as the GEMM's A, {@code mg x kg}. */
    private static MatrixView weights(ConvGeom g, MemorySegment w, boolean integer, boolean wu, int wzp, int[] wzpc, int gi) {
        int mg = g.mg();
        long base = (long) gi * mg * g.kg();
        if (!integer) {
            return MatrixView.f32(w, base, g.kg(), 1);
        }
        return MatrixView.int8(w, wu, base, g.kg(), 1, wzp, wzpc == null ? null : Arrays.copyOfRange(wzpc, gi * mg, gi * mg + mg));
    }

    /**
     * Conv2d over float32. {@code constants} (input index to contents, possibly empty) lets the
     * weights be packed and the bias read once, here.
     */
    static CpuOp conv2d(OpSpec spec, Conv2d c, Map<Integer, MemorySegment> constants) {
        return conv2d(spec, c, constants, Winograd.Mode.fromProperty());
    }

    /**
     * As {@link #conv2d(OpSpec, Conv2d, Map)}, with the formulation of 3x3 stride-1 convolutions given
     * ({@link Winograd.Mode}) instead of read from the system property {@value Winograd#PROPERTY}.
     */
    static CpuOp conv2d(OpSpec spec, Conv2d c, Map<Integer, MemorySegment> constants, Winograd.Mode mode) {
        ConvGeom g = geom(spec, c);
        boolean hasBias = spec.inputs().size() == 3;
        if (Winograd.chosen(g, mode)) {
            Winograd wg = Winograd.of(g, constants.get(1));
            float[] constBias = hasBias && constants.containsKey(2) ? constants.get(2).toArray(FLOAT) : null;
            return (in, out) -> wg.run(in[0], in[1], constBias != null ? constBias : hasBias ? in[2].toArray(FLOAT) : null, out[0]);
        }
        Depthwise dw = g.depthwise() ? new Depthwise(g) : null;
        int[] taps = taps(g, dw);
        Prepared prepared = constants.containsKey(1) ? prepare(g, dw, constants.get(1), false, false, 0, null) : Prepared.NONE;
        float[] constBias = hasBias && constants.containsKey(2) ? constants.get(2).toArray(FLOAT) : null;
        return (in, out) -> {
            float[] bias = constBias != null ? constBias : hasBias ? in[2].toArray(FLOAT) : null;
            Operands op = new Operands(in[0], in[1], out[0], false, false, false, 0, 0, null, bias, prepared);
            run(g, dw, taps, op);
        };
    }

    /** ConvInteger: int32 output; constant weights (with their zero point, if any) are packed here. */
    static CpuOp convInteger(OpSpec spec, Conv2d c, Map<Integer, MemorySegment> constants) {
        ConvGeom g = geom(spec, c);
        TensorType xt = spec.inputs().get(0);
        TensorType wt = spec.inputs().get(1);
        int nIn = spec.inputs().size();
        long wZpCount = nIn > 3 ? spec.inputs().get(3).numel() : 0;
        Depthwise dw = g.depthwise() && g.kh() * g.kw() <= Depthwise.MAX_EXACT_TAPS ? new Depthwise(g) : null;
        int[] taps = taps(g, dw);
        boolean wu = wt.dtype() == DType.U8;
        Prepared prepared = Prepared.NONE;
        if (constants.containsKey(1) && (nIn <= 3 || constants.containsKey(3))) {
            MemorySegment z = nIn > 3 ? constants.get(3) : null;
            prepared = prepare(g, dw, constants.get(1), true, wu, z == null ? 0 : Quant.zeroPoint(z, wt.dtype()),
                    z == null ? null : Quant.zeroPoints(z, wt.dtype(), wZpCount));
        }
        Prepared p = prepared;
        return (in, out) -> {
            int xzp = nIn > 2 ? Quant.zeroPoint(in[2], xt.dtype()) : 0;
            int wzp = nIn > 3 ? Quant.zeroPoint(in[3], wt.dtype()) : 0;
            int[] wzpc = nIn > 3 ? Quant.zeroPoints(in[3], wt.dtype(), wZpCount) : null;
            run(g, dw, taps, new Operands(in[0], in[1], out[0], true, xt.dtype() == DType.U8, wu, xzp, wzp, wzpc, null, p));
        };
    }

    /**
     * QLinearConv: int32 accumulation into scratch, bias, then requantization per output channel.
     * Constant weights and weight zero point are packed here; constant scales give the multipliers
     * here, a constant bias is read here.
     */
    static CpuOp qlinearConv(OpSpec spec, Conv2d c, Map<Integer, MemorySegment> constants) {
        ConvGeom g = geom(spec, c);
        TensorType xt = spec.inputs().get(0);
        TensorType wt = spec.inputs().get(3);
        DType yt = spec.outputs().get(0).dtype();
        boolean hasBias = spec.inputs().size() == 9;
        long wScaleCount = spec.inputs().get(4).numel();
        long wZpCount = spec.inputs().get(5).numel();
        Depthwise dw = g.depthwise() && g.kh() * g.kw() <= Depthwise.MAX_EXACT_TAPS ? new Depthwise(g) : null;
        int[] taps = taps(g, dw);
        boolean wu = wt.dtype() == DType.U8;
        Prepared p = Prepared.NONE;
        if (constants.containsKey(3) && constants.containsKey(5)) {
            MemorySegment z = constants.get(5);
            p = prepare(g, dw, constants.get(3), true, wu, Quant.zeroPoint(z, wt.dtype()), Quant.zeroPoints(z, wt.dtype(), wZpCount));
        }
        Prepared prepared = p;
        double[] constMult = constants.containsKey(1) && constants.containsKey(4) && constants.containsKey(6)
                ? Quant.multipliers(constants.get(1).get(FLOAT, 0), Quant.scales(constants.get(4), wScaleCount, g.m()),
                        constants.get(6).get(FLOAT, 0))
                : null;
        int[] constBias = hasBias && constants.containsKey(8) ? constants.get(8).toArray(INT) : null;
        return (in, out) -> {
            int xzp = Quant.zeroPoint(in[2], xt.dtype());
            int wzp = Quant.zeroPoint(in[5], wt.dtype());
            int[] wzpc = Quant.zeroPoints(in[5], wt.dtype(), wZpCount);
            double[] mult = constMult != null ? constMult
                    : Quant.multipliers(in[1].get(FLOAT, 0), Quant.scales(in[4], wScaleCount, g.m()), in[6].get(FLOAT, 0));
            int[] bias = constBias != null ? constBias : hasBias ? in[8].toArray(INT) : null;
            int yzp = Quant.zeroPoint(in[7], yt);
            long planes = (long) g.n() * g.m();
            MemorySegment acc = NativeScratch.zeroed(NativeScratch.Slot.INT_ACCUMULATORS, 4 * Math.max(1, planes * g.ohw()));
            run(g, dw, taps, new Operands(in[0], in[3], acc, true, xt.dtype() == DType.U8, wu, xzp, wzp, wzpc, null, prepared));
            requantizePlanes(acc, g, bias, mult, yzp, yt, out[0]);
        };
    }

    /** Requantizes {@code n * m} planes of int32 accumulators, channel by channel. */
    static void requantizePlanes(MemorySegment acc, ConvGeom g, int[] bias, double[] mult, int yzp, DType yt, MemorySegment y) {
        int lo = Quant.lo(yt);
        int hi = Quant.hi(yt);
        int ohw = g.ohw();
        CpuParallel.forRange(g.n() * g.m(), Math.max(1, (1 << 14) / Math.max(1, ohw)), (from, to) -> {
            for (int p = from; p < to; p++) {
                int ch = p % g.m();
                int b = bias == null ? 0 : bias[ch];
                double mu = mult[ch];
                long base = (long) p * ohw;
                Requantizer.row(acc, base, ohw, null, 0, mu, b, yzp, lo, hi, y, base);
            }
        });
    }

    private static ConvGeom geom(OpSpec spec, Conv2d c) {
        int wIndex = spec.op() instanceof QLinearConv ? 3 : 1;
        return ConvGeom.of(c, spec.inputs().get(0).shape(), spec.inputs().get(wIndex).shape(), spec.outputs().get(0).shape());
    }

    /** The lowered input's tap offsets, for the geometries that lower it; null otherwise. */
    private static int[] taps(ConvGeom g, Depthwise dw) {
        if (dw != null || g.pointwise() || g.ohw() == 0) {
            return null;
        }
        return Im2colSource.tapOffsets(g);
    }

    private static void run(ConvGeom g, Depthwise dw, int[] taps, Operands op) {
        if (dw != null) {
            depthwise(g, dw, op);
            return;
        }
        if (g.ohw() == 0) {
            return;
        }
        int items = g.n() * g.groups();
        if (items >= 4 * CpuParallel.THREADS) {
            CpuParallel.forRange(items, 1, (from, to) -> {
                for (int it = from; it < to; it++) {
                    item(g, taps, op, it / g.groups(), it % g.groups(), false);
                }
            });
        } else {
            for (int it = 0; it < items; it++) {
                item(g, taps, op, it / g.groups(), it % g.groups(), true);
            }
        }
    }

    /** One image {@code ni}, one group {@code gi}: a GEMM of {@code mg x kg} weights by the lowered input. */
    private static void item(ConvGeom g, int[] taps, Operands op, int ni, int gi, boolean parallel) {
        int mg = g.mg();
        int kg = g.kg();
        int ohw = g.ohw();
        long yBase = ((long) ni * g.m() + (long) gi * mg) * ohw;
        PanelSource a = op.prepared().gemm() != null ? op.prepared().gemm()[gi]
                : weights(g, op.w(), op.integer(), op.wu(), op.wzp(), op.wzpc(), gi);
        long xBase = ((long) ni * g.c() + (long) gi * g.cg()) * g.hw();
        if (g.pointwise()) {
            MatrixView bt = op.integer() ? MatrixView.int8(op.x(), op.xu(), xBase, 1, ohw, op.xzp(), null)
                    : MatrixView.f32(op.x(), xBase, 1, ohw);
            GemmCore.multiply(mg, ohw, kg, a, bt, target(op, yBase, ohw, gi * mg), parallel);
            return;
        }
        float[][] scratch = padScratch(g);
        float[] pad = scratch[0];
        int planeFloats = PaddedImage.planeSize(g);
        if (parallel && (long) g.cg() * planeFloats >= PARALLEL_PAD) {
            CpuParallel.forRange(g.cg(), Math.max(1, PARALLEL_PAD / 4 / Math.max(1, planeFloats)), (c0, c1) ->
                    PaddedImage.fill(pad, new float[PaddedImage.rowScratch(g)], g, op.x(), xBase, op.integer(), op.xu(), op.xzp(),
                            c0, c1));
        } else {
            PaddedImage.fill(pad, scratch[1], g, op.x(), xBase, op.integer(), op.xu(), op.xzp(), 0, g.cg());
        }
        int wide = wideRow(g);
        if (wide == 0) {
            GemmCore.multiply(mg, ohw, kg, a, new Im2colSource(pad, taps, g, g.ow()), target(op, yBase, ohw, gi * mg), parallel);
            return;
        }
        // Rows narrower than a vector: compute every padded column of each output row (the extra ones
        // are garbage), so that the lowered input is contiguous, then keep the first ow of each row.
        // Whole register-tile panels (the positions past the last read zeros from the padded copy's slack).
        int n = (g.oh() * wide + GemmCore.NR - 1) / GemmCore.NR * GemmCore.NR;
        MemorySegment wideOut = NativeScratch.get(NativeScratch.Slot.WIDE_ROWS, 4L * mg * n);
        GemmCore.Target t = op.integer() ? GemmCore.Target.ints(wideOut, 0, n, false)
                : op.bias() == null ? GemmCore.Target.floats(wideOut, 0, n, 1f, false)
                : GemmCore.Target.floatsWithBias(wideOut, 0, n, op.bias(), gi * mg);
        GemmCore.multiply(mg, n, kg, a, new Im2colSource(pad, taps, g, wide), t, parallel);
        int rows = n;
        if (parallel && (long) mg * ohw >= PARALLEL_PAD) {
            CpuParallel.forRange(mg, 1, (r0, r1) -> keepFirstColumns(g, wideOut, rows, wide, op.y(), yBase, r0, r1));
        } else {
            keepFirstColumns(g, wideOut, rows, wide, op.y(), yBase, 0, mg);
        }
    }

    /**
     * Output channels {@code [r0, r1)} of a wide result ({@code n} elements per channel, output rows
     * {@code wide} apart) into the output, the first {@code ow} of each row. Split across cores: on one
     * core the 3584 rows of ResNet-50's res5 3x3 layer made it trail the same GEMM with B packed ahead
     * by about 50 us, on two it runs level with it ({@code LoweringCostMain}: 734 against 686 us, then
     * 670-731 against 681-697 in three runs). (Masked IntVector copies instead of
     * {@code MemorySegment.copy} made the layer three to four times slower; not investigated further.)
     */
    private static void keepFirstColumns(ConvGeom g, MemorySegment wideOut, int n, int wide, MemorySegment y, long yBase, int r0,
            int r1) {
        long ohw = g.ohw();
        for (int r = r0; r < r1; r++) {
            for (int oy = 0; oy < g.oh(); oy++) {
                long from = ((long) r * n + (long) oy * wide) * 4;
                long to = (yBase + r * ohw + (long) oy * g.ow()) * 4;
                MemorySegment.copy(wideOut, from, y, to, g.ow() * 4L);
            }
        }
    }

    /**
     * The padded row length to compute output rows over, or 0 to compute exactly the output: wide rows
     * pay off for stride 1 when an output row is narrower than a vector (so that packing would gather)
     * and the wider rows need no more register-tile columns than the exact ones.
     */
    static int wideRow(ConvGeom g) {
        if (g.sh() != 1 || g.sw() != 1 || g.ow() >= L) {
            return 0;
        }
        int rowLen = PaddedImage.rowLen(g);
        int nr = GemmCore.NR;
        return (g.oh() * rowLen + nr - 1) / nr <= (g.ohw() + nr - 1) / nr ? rowLen : 0;
    }

    /** The output rows of one group, their bias (float32 only) starting at channel {@code firstChannel}. */
    private static GemmCore.Target target(Operands op, long base, long ldc, int firstChannel) {
        if (op.integer()) {
            return GemmCore.Target.ints(op.y(), base, ldc, false);
        }
        return op.bias() == null ? GemmCore.Target.floats(op.y(), base, ldc, 1f, false)
                : GemmCore.Target.floatsWithBias(op.y(), base, ldc, op.bias(), firstChannel);
    }

    /** This thread's padded-image scratch (index 0) and row scratch (index 1), grown for {@code g}. */
    private static float[][] padScratch(ConvGeom g) {
        float[][] holder = PAD.get();
        if (holder[0].length < PaddedImage.size(g)) {
            holder[0] = new float[PaddedImage.size(g)];
        }
        if (holder[1].length < PaddedImage.rowScratch(g)) {
            holder[1] = new float[PaddedImage.rowScratch(g)];
        }
        return holder;
    }

    /**
     * Depthwise: one plane per task, vectors along the output width; float 3x3 planes with one pixel of
     * padding read straight from the input ({@link Depthwise3x3}), others through a padded copy.
     */
    private static void depthwise(ConvGeom g, Depthwise dw, Operands op) {
        int taps = g.kh() * g.kw();
        int ohw = g.ohw();
        int planes = g.n() * g.c();
        int grain = (int) Math.max(1, (1 << 16) / Math.max(1L, (long) ohw * taps));
        Depthwise3x3 direct = op.integer() ? null : dw.direct();
        CpuParallel.forRange(planes, grain, (from, to) -> {
            float[] pad = direct == null ? new float[dw.scratchSize()] : null;
            float[] row = direct == null ? new float[g.w() + 2 * L] : null;
            float[] acc = direct == null ? new float[Depthwise.CHAINS * L] : null;
            float[] wk = new float[taps];
            int p = from;
            if (direct != null && direct.pairs()) {
                float[] wk2 = new float[taps];
                for (; p + 1 < to; p += 2) {
                    channelTaps(op, p % g.c(), wk);
                    channelTaps(op, (p + 1) % g.c(), wk2);
                    direct.computePair(op.x(), (long) p * g.hw(), (long) (p + 1) * g.hw(), wk, bias(op, p % g.c()), wk2,
                            bias(op, (p + 1) % g.c()), op.y(), (long) p * ohw, (long) (p + 1) * ohw);
                }
            }
            for (; p < to; p++) {
                int ch = p % g.c();
                channelTaps(op, ch, wk);
                if (direct != null) {
                    direct.compute(op.x(), (long) p * g.hw(), wk, bias(op, ch), op.y(), (long) p * ohw);
                } else {
                    dw.load(pad, row, op.x(), p * g.hw(), op.integer(), op.xu(), op.xzp());
                    dw.compute(pad, wk, bias(op, ch), op.y(), (long) p * ohw, op.integer(), acc);
                }
            }
        });
    }

    /** Channel {@code ch}'s depthwise taps as floats (8-bit weights minus their zero point) into {@code wk}. */
    private static void channelTaps(Operands op, int ch, float[] wk) {
        int taps = wk.length;
        float[] constTaps = op.prepared().taps();
        long wBase = (long) ch * taps;
        if (constTaps != null) {
            System.arraycopy(constTaps, ch * taps, wk, 0, taps);
        } else if (op.integer()) {
            int mask = op.wu() ? 0xFF : -1;
            int z = op.wZeroPoint(ch);
            for (int t = 0; t < taps; t++) {
                wk[t] = (op.w().get(ValueLayout.JAVA_BYTE, wBase + t) & mask) - z;
            }
        } else {
            MemorySegment.copy(op.w(), FLOAT, wBase * 4, wk, 0, taps);
        }
    }

    private static float bias(Operands op, int ch) {
        return op.bias() == null ? 0f : op.bias()[ch];
    }
}
