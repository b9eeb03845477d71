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
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels for Conv2d, ConvInteger and QLinearConv.
 *
 * <p>Three paths: a 1x1, stride-1, unpadded convolution is one GEMM per image and group straight
 * over the NCHW plane ({@code Y[m, q] = W[m, c] X[c, q]}); a depthwise convolution runs
 * {@link Depthwise}, vectors along the output width; everything else lowers each group's input
 * with {@link Im2col}, in chunks of output positions so that the lowered matrix stays near 4 MiB,
 * and multiplies with {@link GemmCore}. Integer convolutions take the same paths with 8-bit views
 * and an int32 GEMM; QLinearConv accumulates into int32 scratch, adds its bias and requantizes per
 * output channel. Images and groups run in parallel when there are enough of them; otherwise each
 * GEMM (and the im2col feeding it) splits across cores itself.
 */
final class ConvKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Floats of lowered input per chunk (4 MiB). */
    private static final int COL_LIMIT = 1 << 20;
    private static final ThreadLocal<float[][]> COL = ThreadLocal.withInitial(() -> new float[1][0]);

    private ConvKernels() {
    }

    /**
     * One run's operands. 8-bit X and W read as {@code x - xzp} and {@code w - wzp} (wzpc per
     * output channel, or null); {@code bias} (float32 outputs only) is preset before accumulating.
     */
    private record Operands(MemorySegment x, MemorySegment w, MemorySegment y, boolean integer, boolean xu, boolean wu,
                            int xzp, int wzp, int[] wzpc, float[] bias) {
        int wZeroPoint(int channel) {
            return wzpc == null ? wzp : wzpc[channel];
        }
    }

    /** Conv2d over float32. */
    static CpuOp conv2d(OpSpec spec, Conv2d c) {
        ConvGeom g = geom(spec, c);
        boolean hasBias = spec.inputs().size() == 3;
        Depthwise dw = g.depthwise() ? new Depthwise(g) : null;
        return (in, out) -> {
            float[] bias = hasBias ? in[2].toArray(FLOAT) : null;
            Operands op = new Operands(in[0], in[1], out[0], false, false, false, 0, 0, null, bias);
            run(g, dw, op);
        };
    }

    /** ConvInteger: int32 output. */
    static CpuOp convInteger(OpSpec spec, Conv2d c) {
        ConvGeom g = geom(spec, c);
        TensorType xt = spec.inputs().get(0);
        TensorType wt = spec.inputs().get(1);
        int nIn = spec.inputs().size();
        long wZpCount = nIn > 3 ? spec.inputs().get(3).numel() : 0;
        Depthwise dw = g.depthwise() && g.kh() * g.kw() <= Depthwise.MAX_EXACT_TAPS ? new Depthwise(g) : null;
        return (in, out) -> {
            int xzp = nIn > 2 ? Quant.zeroPoint(in[2], xt.dtype()) : 0;
            int wzp = nIn > 3 ? Quant.zeroPoint(in[3], wt.dtype()) : 0;
            int[] wzpc = nIn > 3 ? Quant.zeroPoints(in[3], wt.dtype(), wZpCount) : null;
            run(g, dw, new Operands(in[0], in[1], out[0], true, xt.dtype() == DType.U8, wt.dtype() == DType.U8, xzp, wzp,
                    wzpc, null));
        };
    }

    /** QLinearConv: int32 accumulation into scratch, bias, then requantization per output channel. */
    static CpuOp qlinearConv(OpSpec spec, Conv2d c) {
        ConvGeom g = geom(spec, c);
        TensorType xt = spec.inputs().get(0);
        TensorType wt = spec.inputs().get(3);
        DType yt = spec.outputs().get(0).dtype();
        boolean hasBias = spec.inputs().size() == 9;
        long wScaleCount = spec.inputs().get(4).numel();
        long wZpCount = spec.inputs().get(5).numel();
        Depthwise dw = g.depthwise() && g.kh() * g.kw() <= Depthwise.MAX_EXACT_TAPS ? new Depthwise(g) : null;
        return (in, out) -> {
            int xzp = Quant.zeroPoint(in[2], xt.dtype());
            int wzp = Quant.zeroPoint(in[5], wt.dtype());
            int[] wzpc = Quant.zeroPoints(in[5], wt.dtype(), wZpCount);
            double[] mult = Quant.multipliers(in[1].get(FLOAT, 0), Quant.scales(in[4], wScaleCount, g.m()), in[6].get(FLOAT, 0));
            int[] bias = hasBias ? in[8].toArray(INT) : null;
            int yzp = Quant.zeroPoint(in[7], yt);
            long planes = (long) g.n() * g.m();
            MemorySegment acc = MemorySegment.ofArray(new int[(int) Math.max(1, planes * g.ohw())]);
            run(g, dw, new Operands(in[0], in[3], acc, true, xt.dtype() == DType.U8, wt.dtype() == DType.U8, xzp, wzp, wzpc,
                    null));
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
                for (int q = 0; q < ohw; q++) {
                    int v = acc.getAtIndex(INT, base + q) + b;
                    y.set(ValueLayout.JAVA_BYTE, base + q, (byte) Quant.requantize(v, mu, yzp, lo, hi));
                }
            }
        });
    }

    private static ConvGeom geom(OpSpec spec, Conv2d c) {
        int wIndex = spec.op() instanceof QLinearConv ? 3 : 1;
        return ConvGeom.of(c, spec.inputs().get(0).shape(), spec.inputs().get(wIndex).shape(), spec.outputs().get(0).shape());
    }

    private static void run(ConvGeom g, Depthwise dw, Operands op) {
        if (dw != null) {
            depthwise(g, dw, op);
            return;
        }
        int items = g.n() * g.groups();
        if (items >= 4 * CpuParallel.THREADS) {
            CpuParallel.forRange(items, 1, (from, to) -> {
                for (int it = from; it < to; it++) {
                    item(g, op, it / g.groups(), it % g.groups(), false);
                }
            });
        } else {
            for (int it = 0; it < items; it++) {
                item(g, op, it / g.groups(), it % g.groups(), true);
            }
        }
    }

    /** One image {@code ni}, one group {@code gi}: a GEMM of {@code mg x kg} weights by the lowered input. */
    private static void item(ConvGeom g, Operands op, int ni, int gi, boolean parallel) {
        int mg = g.mg();
        int kg = g.kg();
        int ohw = g.ohw();
        long yBase = ((long) ni * g.m() + (long) gi * mg) * ohw;
        boolean preset = op.bias() != null;
        if (preset) {
            for (int r = 0; r < mg; r++) {
                Fills.constant(op.y(), yBase + (long) r * ohw, ohw, op.bias()[gi * mg + r]);
            }
        }
        MatrixView a = op.integer()
                ? MatrixView.int8(op.w(), op.wu(), (long) gi * mg * kg, kg, 1, op.wzp(),
                        op.wzpc() == null ? null : Arrays.copyOfRange(op.wzpc(), gi * mg, gi * mg + mg))
                : MatrixView.f32(op.w(), (long) gi * mg * kg, kg, 1);
        long xBase = ((long) ni * g.c() + (long) gi * g.cg()) * g.hw();
        if (g.pointwise()) {
            MatrixView bt = op.integer() ? MatrixView.int8(op.x(), op.xu(), xBase, 1, ohw, op.xzp(), null)
                    : MatrixView.f32(op.x(), xBase, 1, ohw);
            GemmCore.multiply(mg, ohw, kg, a, bt, target(op, yBase, ohw, preset), parallel);
            return;
        }
        int chunk = kg * (long) ohw <= COL_LIMIT ? ohw : Math.max(GemmCore.NR, COL_LIMIT / kg / GemmCore.NR * GemmCore.NR);
        float[] col = colScratch(kg * chunk);
        MemorySegment colSeg = MemorySegment.ofArray(col);
        Im2col.Source src = new Im2col.Source(op.x(), xBase, op.integer(), op.xu(), op.xzp());
        for (int start = 0; start < ohw; start += chunk) {
            int q0 = start;
            int q1 = Math.min(ohw, q0 + chunk);
            int cols = q1 - q0;
            if (parallel) {
                CpuParallel.forRange(kg, Math.max(1, (1 << 15) / cols), (r0, r1) -> Im2col.fill(col, src, g, q0, q1, r0, r1));
            } else {
                Im2col.fill(col, src, g, q0, q1, 0, kg);
            }
            GemmCore.multiply(mg, cols, kg, a, MatrixView.f32(colSeg, 0, 1, cols), target(op, yBase + q0, ohw, preset),
                    parallel);
        }
    }

    private static GemmCore.Target target(Operands op, long base, long ldc, boolean accumulate) {
        return op.integer() ? GemmCore.Target.ints(op.y(), base, ldc, accumulate)
                : GemmCore.Target.floats(op.y(), base, ldc, 1f, accumulate);
    }

    private static float[] colScratch(int size) {
        float[][] holder = COL.get();
        if (holder[0].length < size) {
            holder[0] = new float[size];
        }
        return holder[0];
    }

    /** Depthwise: one plane per task, vectors along the output width. */
    private static void depthwise(ConvGeom g, Depthwise dw, Operands op) {
        int taps = g.kh() * g.kw();
        int ohw = g.ohw();
        int planes = g.n() * g.c();
        int grain = (int) Math.max(1, (1 << 16) / Math.max(1L, (long) ohw * taps));
        CpuParallel.forRange(planes, grain, (from, to) -> {
            float[] pad = new float[dw.scratchSize()];
            float[] row = new float[g.w()];
            float[] plane = new float[dw.planeSize()];
            float[] wk = new float[taps];
            for (int p = from; p < to; p++) {
                int ch = p % g.c();
                dw.load(pad, row, op.x(), p * g.hw(), op.integer(), op.xu(), op.xzp());
                long wBase = (long) ch * taps;
                if (op.integer()) {
                    int mask = op.wu() ? 0xFF : -1;
                    int z = op.wZeroPoint(ch);
                    for (int t = 0; t < taps; t++) {
                        wk[t] = (op.w().get(ValueLayout.JAVA_BYTE, wBase + t) & mask) - z;
                    }
                } else {
                    MemorySegment.copy(op.w(), FLOAT, wBase * 4, wk, 0, taps);
                }
                dw.compute(pad, wk, plane);
                long yBase = (long) p * ohw;
                if (op.integer()) {
                    storeInts(plane, op.y(), yBase, ohw);
                } else {
                    storeFloats(plane, op.y(), yBase, ohw, op.bias() == null ? 0f : op.bias()[ch]);
                }
            }
        });
    }

    private static void storeFloats(float[] plane, MemorySegment y, long base, int count, float bias) {
        int q = 0;
        for (int end = F.loopBound(count); q < end; q += L) {
            FloatVector.fromArray(F, plane, q).add(bias).intoMemorySegment(y, (base + q) * 4, LE);
        }
        for (; q < count; q++) {
            y.setAtIndex(FLOAT, base + q, plane[q] + bias);
        }
    }

    private static void storeInts(float[] plane, MemorySegment y, long base, int count) {
        int q = 0;
        for (int end = F.loopBound(count); q < end; q += L) {
            ((IntVector) FloatVector.fromArray(F, plane, q).convert(VectorOperators.F2I, 0)).intoMemorySegment(y, (base + q) * 4, LE);
        }
        for (; q < count; q++) {
            y.setAtIndex(INT, base + q, (int) plane[q]);
        }
    }
}
