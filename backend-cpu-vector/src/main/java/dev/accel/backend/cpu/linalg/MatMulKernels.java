package dev.accel.backend.cpu.linalg;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.backend.cpu.CpuParallel;
import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.OpSpec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

/**
 * Vector API kernels for MatMul, Gemm, MatMulInteger and QLinearMatMul, all on {@link GemmCore}.
 *
 * <p>Batches: when every batch shares one B and A's batches are consecutive (the common
 * {@code [batch, s, k] x [k, n]} case) they fold into one GEMM of {@code batch * m} rows; otherwise
 * small batches run in parallel, one GEMM each, and large ones one after another, each GEMM
 * splitting across cores itself.
 */
final class MatMulKernels {
    /** Multiply-adds per batch below which batches, rather than one GEMM, are split across cores. */
    private static final long SMALL_BATCH_WORK = 1L << 21;

    private MatMulKernels() {
    }

    /** Runs one batch; {@code parallel} says whether its GEMM may split across cores. */
    @FunctionalInterface
    private interface BatchBody {
        void run(int t, boolean parallel);
    }

    /** MatMul with numpy broadcasting; a constant B (input 1) is packed here, once. */
    static CpuOp matMul(OpSpec spec, Map<Integer, MemorySegment> constants) {
        MatMulShape s = folded(MatMulShape.of(spec.inputs().get(0).shape(), spec.inputs().get(1).shape()));
        int m = s.m();
        int k = s.k();
        int n = s.n();
        PreparedB prepared = constants.containsKey(1)
                ? prepareB(s, MatrixView.f32(constants.get(1), s.bOffsets()[0], 1, n), GemmCore.KC) : PreparedB.NONE;
        return (in, out) -> forBatches(s, (t, par) -> product(m, n, k,
                MatrixView.f32(in[0], s.aOffsets()[t], k, 1),
                prepared.panels() != null ? prepared.panels() : MatrixView.f32(in[1], s.bOffsets()[t], 1, n), prepared.skinny(),
                GemmCore.Target.floats(out[0], (long) t * m * n, n, 1f, false), par));
    }

    /** A constant B packed ahead of time: GEMM panels, or skinny strips for few rows of A, or neither. */
    private record PreparedB(PackedPanels panels, SkinnyPanels skinny) {
        static final PreparedB NONE = new PreparedB(null, null);
    }

    /**
     * B (as its transpose {@code bt}) packed ahead of time: as skinny strips for at most
     * {@link SkinnyGemm#MAX_ROWS} rows of A, else as GEMM panels; {@link PreparedB#NONE} for batches
     * with different B matrices or an empty product.
     */
    private static PreparedB prepareB(MatMulShape s, MatrixView bt, int limit) {
        for (long o : s.bOffsets()) {
            if (o != s.bOffsets()[0]) {
                return PreparedB.NONE;
            }
        }
        if (s.k() <= 0 || s.m() <= 0 || s.n() <= 0) {
            return PreparedB.NONE;
        }
        if (SkinnyPanels.applies(s.m(), s.n(), s.k(), bt)) {
            return new PreparedB(null, SkinnyPanels.of(bt, s.m(), s.n(), s.k()));
        }
        return new PreparedB(PackedPanels.asB(bt, s.n(), s.k(), limit), null);
    }

    /**
     * Gemm: {@code Y = alpha * op(A) op(B) + beta * C}. As ONNX Runtime does, C is not read when
     * beta is 0 (so a NaN or infinite C does not leak into the result).
     */
    static CpuOp gemm(OpSpec spec, Gemm g, Map<Integer, MemorySegment> constants) {
        Shape as = spec.inputs().get(0).shape();
        Shape bs = spec.inputs().get(1).shape();
        int m = g.transA() ? as.dim(1) : as.dim(0);
        int k = g.transA() ? as.dim(0) : as.dim(1);
        int n = g.transB() ? bs.dim(0) : bs.dim(1);
        boolean useC = spec.inputs().size() == 3 && g.beta() != 0f;
        long[] cs = useC ? spec.inputs().get(2).shape().broadcastStrides(Shape.of(m, n)) : null;
        MatMulShape one = new MatMulShape(m, k, n, 1, new long[] {0}, new long[] {0});
        PreparedB prepared = constants.containsKey(1) ? prepareB(one, bView(constants.get(1), g, k, n), GemmCore.KC) : PreparedB.NONE;
        return (in, out) -> {
            MatrixView a = g.transA() ? MatrixView.f32(in[0], 0, 1, m) : MatrixView.f32(in[0], 0, k, 1);
            PanelSource bt = prepared.panels() != null ? prepared.panels() : bView(in[1], g, k, n);
            if (useC) {
                Fills.scaled(out[0], m, n, in[2], cs[0], cs[1], g.beta());
            }
            product(m, n, k, a, bt, prepared.skinny(), GemmCore.Target.floats(out[0], 0, n, g.alpha(), useC), true);
        };
    }

    /** Gemm's B as the GEMM's transposed operand, {@code n x k}. */
    private static MatrixView bView(MemorySegment b, Gemm g, int k, int n) {
        return g.transB() ? MatrixView.f32(b, 0, k, 1) : MatrixView.f32(b, 0, 1, n);
    }

    /**
     * MatMulInteger: int32 {@code (A - a_zp)(B - b_zp)}, b_zp per tensor or per column. A constant B
     * with a constant (or absent) zero point is packed here, widened and the zero point subtracted.
     */
    static CpuOp matMulInteger(OpSpec spec, Map<Integer, MemorySegment> constants) {
        TensorType at = spec.inputs().get(0);
        TensorType bt = spec.inputs().get(1);
        MatMulShape s = folded(MatMulShape.of(at.shape(), bt.shape()));
        int nIn = spec.inputs().size();
        long bZpCount = nIn > 3 ? spec.inputs().get(3).numel() : 0;
        PreparedB packed = PreparedB.NONE;
        if (constants.containsKey(1) && (nIn <= 3 || constants.containsKey(3))) {
            MemorySegment z = nIn > 3 ? constants.get(3) : null;
            packed = prepareB(s, MatrixView.int8(constants.get(1), bt.dtype() == DType.U8, s.bOffsets()[0], 1, s.n(),
                    z == null ? 0 : Quant.zeroPoint(z, bt.dtype()), z == null ? null : Quant.zeroPoints(z, bt.dtype(), bZpCount)),
                    GemmCore.KC_INT);
        }
        PreparedB pb = packed;
        return (in, out) -> {
            int za = nIn > 2 ? Quant.zeroPoint(in[2], at.dtype()) : 0;
            int zb = nIn > 3 ? Quant.zeroPoint(in[3], bt.dtype()) : 0;
            int[] zbc = nIn > 3 ? Quant.zeroPoints(in[3], bt.dtype(), bZpCount) : null;
            integerProduct(s, in[0], at.dtype(), za, in[1], bt.dtype(), zb, zbc, pb, out[0]);
        };
    }

    /**
     * QLinearMatMul: the integer product requantized per output column. A constant B with a constant
     * zero point is packed here; constant scales give the multipliers here.
     */
    static CpuOp qlinearMatMul(OpSpec spec, Map<Integer, MemorySegment> constants) {
        TensorType at = spec.inputs().get(0);
        TensorType bt = spec.inputs().get(3);
        DType yt = spec.outputs().get(0).dtype();
        MatMulShape s = folded(MatMulShape.of(at.shape(), bt.shape()));
        int n = s.n();
        long bScaleCount = spec.inputs().get(4).numel();
        long bZpCount = spec.inputs().get(5).numel();
        PreparedB pb = PreparedB.NONE;
        if (constants.containsKey(3) && constants.containsKey(5)) {
            MemorySegment z = constants.get(5);
            pb = prepareB(s, MatrixView.int8(constants.get(3), bt.dtype() == DType.U8, s.bOffsets()[0], 1, n,
                    Quant.zeroPoint(z, bt.dtype()), Quant.zeroPoints(z, bt.dtype(), bZpCount)), GemmCore.KC_INT);
        }
        PreparedB packed = pb;
        double[] constMult = constants.containsKey(1) && constants.containsKey(4) && constants.containsKey(6)
                ? multipliers(constants.get(1), constants.get(4), bScaleCount, n, constants.get(6)) : null;
        return (in, out) -> {
            int za = Quant.zeroPoint(in[2], at.dtype());
            int zb = Quant.zeroPoint(in[5], bt.dtype());
            int[] zbc = Quant.zeroPoints(in[5], bt.dtype(), bZpCount);
            double[] mult = constMult != null ? constMult : multipliers(in[1], in[4], bScaleCount, n, in[6]);
            int yzp = Quant.zeroPoint(in[7], yt);
            int rows = s.batch() * s.m();
            MemorySegment acc = NativeScratch.zeroed(NativeScratch.Slot.INT_ACCUMULATORS, 4L * Math.max(1, rows * n));
            integerProduct(s, in[0], at.dtype(), za, in[3], bt.dtype(), zb, zbc, packed, acc);
            requantizeRows(acc, rows, n, mult, yzp, yt, out[0]);
        };
    }

    /**
     * Writes {@code out[r * n + j] = requantize(acc[r * n + j], mult[j])} for {@code rows} rows, as
     * bytes of {@code yt}.
     */
    static void requantizeRows(MemorySegment acc, int rows, int n, double[] mult, int yzp, DType yt, MemorySegment out) {
        int lo = Quant.lo(yt);
        int hi = Quant.hi(yt);
        CpuParallel.forRange(rows, Math.max(1, (1 << 14) / Math.max(1, n)), (from, to) -> {
            for (int r = from; r < to; r++) {
                long row = (long) r * n;
                Requantizer.row(acc, row, n, mult, 0, 0, 0, yzp, lo, hi, out, row);
            }
        });
    }

    private static double[] multipliers(MemorySegment aScale, MemorySegment bScale, long bScaleCount, int n, MemorySegment yScale) {
        return Quant.multipliers(aScale.get(ValueLayout.JAVA_FLOAT_UNALIGNED, 0), Quant.scales(bScale, bScaleCount, n),
                yScale.get(ValueLayout.JAVA_FLOAT_UNALIGNED, 0));
    }

    /** The int32 product; {@code packed}, unless NONE, is B packed ahead of time (and b, zb, zbc are not read). */
    private static void integerProduct(MatMulShape s, MemorySegment a, DType aType, int za, MemorySegment b, DType bType,
            int zb, int[] zbc, PreparedB packed, MemorySegment c) {
        int m = s.m();
        int k = s.k();
        int n = s.n();
        boolean au = aType == DType.U8;
        boolean bu = bType == DType.U8;
        forBatches(s, (t, par) -> product(m, n, k,
                MatrixView.int8(a, au, s.aOffsets()[t], k, 1, za, null),
                packed.panels() != null ? packed.panels() : MatrixView.int8(b, bu, s.bOffsets()[t], 1, n, zb, zbc), packed.skinny(),
                GemmCore.Target.ints(c, (long) t * m * n, n, false), par));
    }

    /**
     * One product: a constant B packed for few rows ({@code skinny}, else null), the skinny kernel for
     * a few rows times a row-major B, else the packed GEMM.
     */
    private static void product(int m, int n, int k, MatrixView a, PanelSource bt, SkinnyPanels skinny, GemmCore.Target c,
            boolean parallel) {
        if (skinny != null) {
            skinny.multiply(m, a, c, parallel);
        } else if (k > 0 && bt instanceof MatrixView v && SkinnyGemm.applies(m, n, v)) {
            SkinnyGemm.multiply(m, n, k, a, v, c, parallel);
        } else {
            GemmCore.multiply(m, n, k, a, bt, c, parallel);
        }
    }

    /** The geometry with foldable batches folded into rows. */
    private static MatMulShape folded(MatMulShape s) {
        if (s.batch() > 1 && s.foldsIntoRows()) {
            return new MatMulShape(s.batch() * s.m(), s.k(), s.n(), 1, new long[] {0}, new long[] {s.bOffsets()[0]});
        }
        return s;
    }

    private static void forBatches(MatMulShape s, BatchBody body) {
        if (s.batch() > 1 && s.workPerBatch() < SMALL_BATCH_WORK) {
            int grain = (int) Math.max(1, GemmCore.MIN_TASK_WORK / Math.max(1, s.workPerBatch()));
            CpuParallel.forRange(s.batch(), grain, (from, to) -> {
                for (int t = from; t < to; t++) {
                    body.run(t, false);
                }
            });
        } else {
            for (int t = 0; t < s.batch(); t++) {
                body.run(t, true);
            }
        }
    }
}
