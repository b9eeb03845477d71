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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels for Conv2d, ConvInteger and QLinearConv.
 *
 * <p>A float32 1x1 convolution with a stride and no padding runs as the stride-1 one over its input
 * subsampled ({@link StridedPointwise}).
 * Float32 convolutions over at most eight input channels (first layers) with a kernel wider than 1x1
 * and a column stride of 1 or 2 run direct in NCHW, vectors along the output row ({@link PlanarConv};
 * the rule is {@link PlanarConv#preferred}, the system property {@value PlanarConv#PROPERTY} =
 * {@code auto | on | off} overrides it).
 * Float32 convolutions with a kernel wider than 1x1 over a multiple of 16 input channels run
 * direct over a channel-blocked copy of the input ({@link DirectConv}; the rule is
 * {@link DirectConv#preferred}, the system property {@value DirectConv#PROPERTY} = {@code auto | on |
 * off} overrides it), except the 3x3 ones with 128 channels or more that Winograd takes.
 * Float32 3x3 stride-1 convolutions with enough channels and tiles run Winograd F(2x2, 3x3)
 * ({@link Winograd}; the rule is {@link Winograd#preferred}, and the system property
 * {@value Winograd#PROPERTY} = {@code auto | im2col | winograd}, read at compile time, overrides it).
 * Otherwise three paths: a 1x1, stride-1, unpadded convolution is one GEMM per image and group straight
 * over the NCHW plane ({@code Y[m, q] = W[m, c] X[c, q]}); a depthwise convolution runs
 * {@link Depthwise}, vectors along the output width; everything else multiplies the weights with
 * the lowered input through {@link GemmCore}, the lowered input being packed panel by panel
 * straight from a zero-padded copy of the group's planes ({@link PaddedImage}, {@link Im2colSource}):
 * no im2col matrix is written and packed again. Float convolutions on small planes (7x7, 13x13,
 * 14x14 with deep K; the rule is {@link #pixelMajor}) run the same GEMM the other way round, output
 * positions as its rows and channels as its columns, and transpose the product into NCHW. Integer
 * convolutions take the channel-major paths with 8-bit views (the padded copy holds
 * {@code x - zeroPoint}) and an int32 GEMM; QLinearConv accumulates
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
    /**
     * System property read when a float Conv compiles, for A/B measurements of {@link #pixelMajor}:
     * {@code off} keeps every convolution channel-major, {@code on} makes every one but depthwise
     * pixel-major, anything else ({@code auto}) applies the rule.
     */
    static final String PIXEL_MAJOR_PROPERTY = "accel.cpu.pixelMajor";
    private static final ThreadLocal<float[][]> PAD = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});

    private ConvKernels() {
    }

    /**
     * One run's operands. 8-bit X and W read as {@code x - xzp} and {@code w - wzp} (wzpc per
     * output channel, or null); {@code bias} (float32 outputs only) is added by the GEMM's epilogue.
     */
    private record Operands(MemorySegment x, MemorySegment w, MemorySegment y, boolean integer, boolean xu, boolean wu,
                            int xzp, int wzp, int[] wzpc, float[] bias, Prepared prepared, boolean pixelMajor, Clamp clamp,
                            MemorySegment residual) {
        int wZeroPoint(int channel) {
            return wzpc == null ? wzp : wzpc[channel];
        }
    }

    /**
     * What was computed from constant inputs at prepare time: per group the weights packed as GEMM A
     * panels ({@code gemm}; B panels when the convolution runs {@link #pixelMajor}), or for depthwise
     * the taps of every channel as floats, zero point subtracted ({@code taps}); null where the
     * weights were not constant.
     */
    private record Prepared(PackedPanels[] gemm, float[] taps) {
        static final Prepared NONE = new Prepared(null, null);
    }

    /**
     * Packs constant weights {@code w} (float32, or 8-bit read as {@code w - zero point}) for the
     * path this geometry takes: as GEMM B panels when {@code asB} (pixel-major), else as A panels.
     */
    private static Prepared prepare(ConvGeom g, Depthwise dw, MemorySegment w, boolean integer, boolean wu, int wzp, int[] wzpc,
            boolean asB) {
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
            MatrixView wg = weights(g, w, integer, wu, wzp, wzpc, gi);
            int limit = integer ? GemmCore.KC_INT : GemmCore.KC;
            packed[gi] = asB ? PackedPanels.asB(wg, g.mg(), g.kg(), limit) : PackedPanels.asA(wg, g.mg(), g.kg(), limit);
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
        return conv2d(spec, c, constants, Winograd.Mode.fromProperty(), Clamp.NONE);
    }

    /**
     * As {@link #conv2d(OpSpec, Conv2d, Map)}, the output clamped ({@code FusedConv} with Relu or
     * Clip), a residual added before the clamp ({@code FusedConv} over a Conv, an Add and the
     * activation): the run's input {@code residual} (an index past the Conv's own inputs, a tensor of
     * the output's shape; -1 for none). Both in the store of the GEMM's last K block, of the
     * pixel-major and direct forms' transposes and of each depthwise plane; after the other forms,
     * over their output while it is in cache.
     */
    static CpuOp conv2d(OpSpec spec, Conv2d c, Map<Integer, MemorySegment> constants, Clamp clamp, int residual) {
        return conv2d(spec, c, constants, Winograd.Mode.fromProperty(), clamp, residual);
    }

    /** As {@link #conv2d(OpSpec, Conv2d, Map, Winograd.Mode, Clamp, int)}, unclamped. */
    static CpuOp conv2d(OpSpec spec, Conv2d c, Map<Integer, MemorySegment> constants, Winograd.Mode mode) {
        return conv2d(spec, c, constants, mode, Clamp.NONE, -1);
    }

    /** As {@link #conv2d(OpSpec, Conv2d, Map, Winograd.Mode, Clamp, int)}, without a residual. */
    static CpuOp conv2d(OpSpec spec, Conv2d c, Map<Integer, MemorySegment> constants, Winograd.Mode mode, Clamp clamp) {
        return conv2d(spec, c, constants, mode, clamp, -1);
    }

    /**
     * As {@link #conv2d(OpSpec, Conv2d, Map)}, with the formulation of 3x3 stride-1 convolutions given
     * ({@link Winograd.Mode}) instead of read from the system property {@value Winograd#PROPERTY}.
     */
    static CpuOp conv2d(OpSpec spec, Conv2d c, Map<Integer, MemorySegment> constants, Winograd.Mode mode, Clamp clamp,
            int residual) {
        ConvGeom g = geom(spec, c);
        boolean hasBias = spec.inputs().size() == 3;
        if (StridedPointwise.applies(g)) {
            // A 1x1 convolution with a stride: the stride-1 one over the subsampled input.
            List<TensorType> inputs = new ArrayList<>(spec.inputs());
            inputs.set(0, TensorType.of(DType.F32, g.n(), g.c(), g.oh(), g.ow()));
            Conv2d unit = new Conv2d(1, 1, 0, 0, 0, 0, 1, 1, c.groups());
            CpuOp pointwise = conv2d(OpSpec.of(unit, inputs), unit, constants, mode, clamp, residual);
            return (in, out) -> {
                MemorySegment sub = NativeScratch.get(NativeScratch.Slot.SUBSAMPLED, 4L * g.n() * g.c() * g.ohw());
                StridedPointwise.subsample(g, in[0], sub);
                MemorySegment[] args = in.clone();
                args[0] = sub;
                pointwise.run(args, out);
            };
        }
        float[] constBias = hasBias && constants.containsKey(2) ? constants.get(2).toArray(FLOAT) : null;
        // The direct form clamps in its transpose; with a residual, it and the others clamp afterwards.
        boolean planar = PlanarConv.chosen(g, mode);
        boolean after = planar || residual >= 0;
        DirectForm direct = planar ? new PlanarConv(g) : DirectConv.chosen(g, mode) ? new DirectConv(g, after ? Clamp.NONE : clamp)
                : null;
        if (direct != null) {
            float[] constWeights = constants.containsKey(1) ? direct.pack(constants.get(1)) : null;
            long image = (long) g.m() * g.ohw();
            return (in, out) -> {
                float[] w = constWeights != null ? constWeights : direct.pack(in[1]);
                float[] bias = floatBias(constBias, hasBias, in);
                for (int ni = 0; ni < g.n(); ni++) {
                    direct.run(in[0], ni, w, bias, out[0]);
                    if (after) {
                        clamp.inPlace(out[0], ni * image, image, residual >= 0 ? in[residual] : null);
                    }
                }
            };
        }
        if (Winograd.chosen(g, mode)) {
            Winograd wg = Winograd.of(g, constants.get(1));
            long all = (long) g.n() * g.m() * g.ohw();
            return (in, out) -> {
                wg.run(in[0], in[1], floatBias(constBias, hasBias, in), out[0]);
                clamp.inPlace(out[0], 0, all, residual >= 0 ? in[residual] : null);
            };
        }
        Depthwise dw = g.depthwise() ? new Depthwise(g) : null;
        int[] taps = taps(g, dw);
        String pm = System.getProperty(PIXEL_MAJOR_PROPERTY, "auto");
        boolean pixelMajor = !g.depthwise() && g.ohw() > 0 && switch (pm) {
            case "off" -> false;
            case "on" -> true;
            default -> pixelMajor(g);
        };
        Prepared prepared = constants.containsKey(1) ? prepare(g, dw, constants.get(1), false, false, 0, null, pixelMajor)
                : Prepared.NONE;
        return (in, out) -> {
            float[] bias = floatBias(constBias, hasBias, in);
            MemorySegment z = residual >= 0 ? in[residual] : null;
            Operands op = new Operands(in[0], in[1], out[0], false, false, false, 0, 0, null, bias, prepared, pixelMajor, clamp, z);
            run(g, dw, taps, op);
        };
    }

    /** A float Conv's bias: the one read at compile time, else input 2 read now, else none. */
    private static float[] floatBias(float[] constBias, boolean hasBias, MemorySegment[] in) {
        return constBias != null ? constBias : hasBias ? in[2].toArray(FLOAT) : null;
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
                    z == null ? null : Quant.zeroPoints(z, wt.dtype(), wZpCount), false);
        }
        Prepared p = prepared;
        return (in, out) -> {
            int xzp = nIn > 2 ? Quant.zeroPoint(in[2], xt.dtype()) : 0;
            int wzp = nIn > 3 ? Quant.zeroPoint(in[3], wt.dtype()) : 0;
            int[] wzpc = nIn > 3 ? Quant.zeroPoints(in[3], wt.dtype(), wZpCount) : null;
            run(g, dw, taps, new Operands(in[0], in[1], out[0], true, xt.dtype() == DType.U8, wu, xzp, wzp, wzpc, null, p, false, Clamp.NONE, null));
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
            p = prepare(g, dw, constants.get(3), true, wu, Quant.zeroPoint(z, wt.dtype()), Quant.zeroPoints(z, wt.dtype(), wZpCount),
                    false);
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
            run(g, dw, taps, new Operands(in[0], in[3], acc, true, xt.dtype() == DType.U8, wu, xzp, wzp, wzpc, null, prepared, false, Clamp.NONE, null));
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
        if (op.pixelMajor()) {
            PanelSource x = g.pointwise() ? MatrixView.f32(op.x(), xBase, 1, ohw)
                    : new Im2colSource(paddedInput(g, op, xBase, parallel), taps, g, g.ow());
            MemorySegment yt = NativeScratch.get(NativeScratch.Slot.PIXEL_MAJOR, 4L * ohw * mg);
            GemmCore.multiply(ohw, mg, kg, x, a, GemmCore.Target.floats(yt, 0, mg, 1f, false), parallel);
            if (parallel && (long) mg * ohw >= PARALLEL_PAD) {
                CpuParallel.forRange((mg + L - 1) / L, 1, (b0, b1) ->
                        transposeOut(yt, ohw, mg, op.y(), yBase, op.bias(), gi * mg, b0 * L, Math.min(mg, b1 * L), op.clamp(),
                                op.residual()));
            } else {
                transposeOut(yt, ohw, mg, op.y(), yBase, op.bias(), gi * mg, 0, mg, op.clamp(), op.residual());
            }
            return;
        }
        if (g.pointwise()) {
            MatrixView bt = op.integer() ? MatrixView.int8(op.x(), op.xu(), xBase, 1, ohw, op.xzp(), null)
                    : MatrixView.f32(op.x(), xBase, 1, ohw);
            GemmCore.multiply(mg, ohw, kg, a, bt, target(op, yBase, ohw, gi * mg), parallel);
            return;
        }
        float[] pad = paddedInput(g, op, xBase, parallel);
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
                : (op.bias() == null ? GemmCore.Target.floats(wideOut, 0, n, 1f, false)
                : GemmCore.Target.floatsWithBias(wideOut, 0, n, op.bias(), gi * mg))
                .clamped(op.residual() == null ? op.clamp() : Clamp.NONE);
        GemmCore.multiply(mg, n, kg, a, new Im2colSource(pad, taps, g, wide), t, parallel);
        int rows = n;
        if (parallel && (long) mg * ohw >= PARALLEL_PAD) {
            CpuParallel.forRange(mg, 1, (r0, r1) -> keepFirstColumns(g, wideOut, rows, wide, op.y(), yBase, r0, r1));
        } else {
            keepFirstColumns(g, wideOut, rows, wide, op.y(), yBase, 0, mg);
        }
        if (op.residual() != null) {
            // The wide product's rows are not laid out as the residual's: added, and clamped, here (on
            // this thread alone when the item already runs inside a parallel loop).
            op.clamp().inPlace(op.y(), yBase, (long) mg * ohw, op.residual());
        }
    }

    /** This thread's zero-padded copy of one group's input planes ({@link PaddedImage}), filled from X. */
    private static float[] paddedInput(ConvGeom g, Operands op, long xBase, boolean parallel) {
        float[][] scratch = padScratch(g);
        float[] pad = scratch[0];
        int planeFloats = PaddedImage.planeSize(g);
        if (parallel && (long) g.cg() * planeFloats >= PARALLEL_PAD) {
            // By padded rows, not planes: a first layer's three planes split evenly between two cores.
            int rows = PaddedImage.rows(g);
            int rowGrain = Math.max(1, PARALLEL_PAD / 4 / Math.max(1, PaddedImage.rowLen(g)));
            CpuParallel.forRange(g.cg() * rows, rowGrain, (r0, r1) ->
                    PaddedImage.fillRows(pad, new float[PaddedImage.rowScratch(g)], g, op.x(), xBase, op.integer(), op.xu(),
                            op.xzp(), r0, r1));
        } else {
            PaddedImage.fill(pad, scratch[1], g, op.x(), xBase, op.integer(), op.xu(), op.xzp(), 0, g.cg());
        }
        return pad;
    }

    /**
     * The transpose of a pixel-major product into NCHW, per output element, in multiply-adds of the
     * GEMM on the same cores: about 0.18-0.21 ns per element on one core with {@link Transpose16}
     * ({@code TransposeMain}, 49 x 2048 in 18.1-21.5 us; 0.37 ns through the small-array fallback)
     * against 0.0077 ns per multiply-add at 260 GFLOP/s.
     */
    private static final int TRANSPOSE_MACS = 24;

    /**
     * Packing one element of a GEMM operand, in multiply-adds: about 0.27 ns on one core
     * ({@code PixelMajorMain}, a 49 x 4608 A panel by panel) against 0.0077 ns per multiply-add.
     * Counted only where the channel-major form packs nothing (a 1x1 convolution whose input
     * GemmCore reads in place); otherwise both forms pack the lowered input once.
     */
    private static final int PACK_MACS = 32;

    /**
     * Whether a float convolution runs pixel-major: {@code Y^T = X^T W^T}, output positions as the
     * GEMM's rows (A, {@link GemmCore#MR}-high panels of the lowered input) and output channels as its
     * columns (B, the weights, packed as {@link GemmCore#NR}-wide panels), into scratch, then
     * transposed into NCHW with the bias. Taken when its register tiles' cost ({@link #rowCost} by
     * {@link #columnCost} by K) plus the transpose ({@link #TRANSPOSE_MACS} per output element, and
     * {@link #PACK_MACS} per lowered element where the other form would read its input in place)
     * comes to at most 97% of the channel-major product's: small planes with deep K, whose positions
     * fill B's vector lanes badly (a 7x7 plane's 49 positions, computed as 63 over padded rows, fill
     * two 32-float panels: 77% of the lanes; as rows of A, eight full panels and a one-row edge).
     * Shallow first layers (K = 27) stay channel-major: there the transpose would cost more than the
     * lanes save. {@code Experiments pixel-major} (benchmarks module, interleaved in one JVM, two
     * cores), channel-major against pixel-major, GFLOP/s: ResNet-50 res5 3x3 330.2 / 355.9, res5 1x1
     * 512-2048 360.2 / 410.3, 2048-512 331.7 / 386.0, MobileNetV2 320-1280 at 7x7 344.9 / 392.0, res4
     * 1x1 1024-256 at 14x14 377.3 / 412.7, SqueezeNet fire9 3x3 at 13x13 350.6 / 373.9 (all taken);
     * SqueezeNet conv10 431.9 / 439.4 (left channel-major: within noise), MobileNetV2 576-96 at 14x14
     * 366.5 / 361.3, res3 1x1 512-128 at 28x28 435.4 / 397.8 (left channel-major), SqueezeNet fire9
     * 1x1 512-64 299.2 / 322.0 (left channel-major by the packing term: a miss of the rule).
     */
    static boolean pixelMajor(ConvGeom g) {
        if (g.depthwise() || g.ohw() == 0) {
            return false;
        }
        int wide = wideRow(g);
        int columns = wide == 0 ? g.ohw() : g.oh() * wide;
        double k = g.kg();
        double channelMajor = rowCost(g.mg()) * columnCost(columns) * k;
        double positionMajor = rowCost(g.ohw()) * columnCost(g.mg()) * k + (double) g.ohw() * g.mg() * TRANSPOSE_MACS;
        boolean inPlace = g.pointwise() && g.mg() <= GemmCore.DIRECT_MAX_ROWS && g.kg() >= GemmCore.DIRECT_MIN_K
                && g.kg() <= GemmCore.DIRECT_MAX_K;
        if (inPlace) {
            positionMajor += (double) g.ohw() * k * PACK_MACS;
        }
        return positionMajor <= 0.97 * channelMajor;
    }

    /**
     * Rows of register tiles a GEMM with m rows costs: full panels of {@link GemmCore#MR}, a last
     * panel of one row at about one and a half ({@link MicroKernel#multiplyOne}), of two to four at
     * four ({@link MicroKernel#multiplyFour}), of five at a full panel.
     */
    private static double rowCost(int m) {
        int mr = GemmCore.MR;
        int rest = m % mr;
        return m / mr * mr + (rest == 0 ? 0 : rest == 1 ? 1.5 : rest <= 4 ? 4 : mr);
    }

    /**
     * Columns of register tiles a GEMM with n columns costs: full panels of {@link GemmCore#NR}, a last
     * panel of at most a vector at one and a half vectors ({@link MicroKernel#multiplyNarrow}: half the
     * FMAs at about three quarters of the rate), a wider one at a full panel.
     */
    private static double columnCost(int n) {
        int nr = GemmCore.NR;
        int full = n / nr * nr;
        int rest = n - full;
        return full + (rest == 0 ? 0 : rest <= L ? 1.5 * L : nr);
    }

    /**
     * Output channels {@code [c0, c1)} of a pixel-major product ({@code positions x channels} floats,
     * row-major) into the NCHW output at {@code yBase}, channel co's bias ({@code bias[biasBase + co]},
     * when there is one) added. On 16-lane vectors, 16 x 16 blocks in registers ({@link Transpose16});
     * otherwise a vector of channels at a time: each position's vector loaded (bias added) into a
     * small array, then each channel's row written from it. ({@code TransposeMain}, test classes, one
     * thread, 49 x 2048 as ResNet-50's res5 1x1 512-2048 layer: 169-181 us element by element with
     * the product read a row of channels apart, 37 through the small array, 18-22 with Transpose16.)
     */
    static void transposeOut(MemorySegment src, int positions, int channels, MemorySegment y, long yBase, float[] bias,
            int biasBase, int c0, int c1, Clamp clamp, MemorySegment z) {
        transposeOut(src, positions, channels, y, yBase, bias, biasBase, c0, c1, 0, positions, clamp, z);
    }

    /**
     * As above, for positions {@code [p0, p1)} only; {@code z} (or null) is a residual laid out as Y,
     * added before the clamp.
     */
    static void transposeOut(MemorySegment src, int positions, int channels, MemorySegment y, long yBase, float[] bias,
            int biasBase, int c0, int c1, int p0, int p1, Clamp clamp, MemorySegment z) {
        float[] block = null;
        for (int co = c0; co < c1; co += L) {
            int w = Math.min(L, c1 - co);
            int q0 = p0;
            if (w == L && Transpose16.APPLIES) {
                // Whole 16 x 16 blocks in registers; the last positions (49 = 3 x 16 + 1) as below.
                for (; q0 + L <= p1; q0 += L) {
                    long to = (yBase + (long) co * positions + q0) * 4;
                    Transpose16.block(src, ((long) q0 * channels + co) * 4, channels * 4L, bias, biasBase + co, y, to,
                            positions * 4L);
                    if (z != null || !clamp.none()) {
                        Transpose16.finish(y, to, positions * 4L, z, clamp);
                    }
                }
                for (int j = 0; j < w; j++) {
                    float b = bias == null ? 0f : bias[biasBase + co + j];
                    long to = yBase + (long) (co + j) * positions;
                    for (int q = q0; q < p1; q++) {
                        float v = src.getAtIndex(FLOAT, (long) q * channels + co + j) + b;
                        y.setAtIndex(FLOAT, to + q, clamp.apply(z == null ? v : v + z.getAtIndex(FLOAT, to + q)));
                    }
                }
                continue;
            }
            if (block == null) {
                block = new float[(p1 - p0) * L];
            }
            if (w == L) {
                FloatVector b = bias == null ? FloatVector.zero(F) : FloatVector.fromArray(F, bias, biasBase + co);
                for (int q = p0; q < p1; q++) {
                    FloatVector.fromMemorySegment(F, src, ((long) q * channels + co) * 4, java.nio.ByteOrder.LITTLE_ENDIAN).add(b)
                            .intoArray(block, (q - p0) * L);
                }
            } else {
                for (int q = p0; q < p1; q++) {
                    for (int j = 0; j < w; j++) {
                        float b = bias == null ? 0f : bias[biasBase + co + j];
                        block[(q - p0) * L + j] = src.getAtIndex(FLOAT, (long) q * channels + co + j) + b;
                    }
                }
            }
            for (int j = 0; j < w; j++) {
                long to = yBase + (long) (co + j) * positions;
                for (int q = p0; q < p1; q++) {
                    float v = block[(q - p0) * L + j];
                    y.setAtIndex(FLOAT, to + q, clamp.apply(z == null ? v : v + z.getAtIndex(FLOAT, to + q)));
                }
            }
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
        return (op.bias() == null ? GemmCore.Target.floats(op.y(), base, ldc, 1f, false)
                : GemmCore.Target.floatsWithBias(op.y(), base, ldc, op.bias(), firstChannel)).clamped(op.clamp())
                .withResidual(op.residual());
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
                    op.clamp().serial(op.y(), (long) p * ohw, 2L * ohw, op.residual());
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
                op.clamp().serial(op.y(), (long) p * ohw, ohw, op.residual());
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
