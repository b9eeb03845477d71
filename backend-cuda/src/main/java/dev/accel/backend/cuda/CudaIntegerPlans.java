package dev.accel.backend.cuda;

import static dev.accel.backend.cuda.CudaOps.in;
import static dev.accel.backend.cuda.CudaOps.out;

import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.OpSpec;

/**
 * Plans of the 8-bit GEMM kernel (igemm.cu, dp4a) for MatMulInteger, QLinearMatMul,
 * ConvInteger and QLinearConv. In convolution the weights are operand A (zero point and scale
 * per output channel, so per row) and the im2col input is operand B (per tensor).
 */
final class CudaIntegerPlans {
    static final String MODULE = "igemm";

    private CudaIntegerPlans() {
    }

    private static String function(DType a, DType b) {
        return "igemm_" + (a == DType.I8 ? "s" : "u") + (b == DType.I8 ? "s" : "u");
    }

    private static void requireDp4a(CudaArch arch, String op) {
        if (!arch.dp4a()) {
            throw new UnsupportedOpException(op + " needs dp4a (compute capability 6.1), this GPU has " + arch);
        }
    }

    /** MatMulInteger (inputs a, b, [a_zp], [b_zp]) or QLinearMatMul (a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp). */
    static void matMul(CudaPlan p, OpSpec spec, CudaArch arch, boolean qlinear) {
        requireDp4a(arch, spec.op().name());
        int ib = qlinear ? 3 : 1;
        TensorType a = in(spec, 0);
        TensorType b = in(spec, ib);
        CudaGemmPlans.Problem pr = CudaGemmPlans.matmulProblem(a.shape(), b.shape());
        CudaArgs.Builder args = CudaStructs.IGEMM.pack().ptr("a", CudaRef.input(0)).ptr("b", CudaRef.input(ib))
                .ptr("y", CudaRef.output(0)).i64("sam", pr.sam()).i64("sak", pr.sak()).i64("sbk", pr.sbk()).i64("sbn", pr.sbn())
                .i64("sym", pr.sym()).i64("batch", pr.batch()).i32("M", pr.m()).i32("N", pr.n()).i32("K", pr.k())
                .i32("batchRank", pr.bdims().length).i64s("bdims", pr.bdims()).i64s("bsa", pr.bsa()).i64s("bsb", pr.bsb())
                .i64s("bsy", pr.bsy());
        int za = 2;
        int zb = qlinear ? 5 : 3;
        if (spec.inputs().size() > za) {
            args.ptr("za", CudaRef.input(za)).bool("hasZa", true).bool("zaPerRow", false);
        }
        if (spec.inputs().size() > zb) {
            args.ptr("zb", CudaRef.input(zb)).bool("hasZb", true).bool("zbPerCol", in(spec, zb).numel() > 1);
        }
        if (qlinear) {
            args.bool("requant", true).ptr("sa", CudaRef.input(1)).bool("saPerRow", false).ptr("sb", CudaRef.input(4))
                    .bool("sbPerCol", in(spec, 4).numel() > 1).ptr("sy", CudaRef.input(6)).ptr("zy", CudaRef.input(7));
        }
        args.i32("outType", out(spec, 0).dtype().ordinal());
        int gy = (pr.m() + 63) / 64;
        if (gy > CudaGemmPlans.MAX_GRID_Y) {
            throw new UnsupportedOpException(spec.op().name() + ": M = " + pr.m() + " needs " + gy + " row tiles, the grid allows "
                    + CudaGemmPlans.MAX_GRID_Y);
        }
        if ((long) pr.m() * pr.n() > 0 && pr.batch() > 0) {
            p.grid(MODULE, function(a.dtype(), b.dtype()), (pr.n() + 63) / 64, gy, (int) Math.min(pr.batch(), 65535), 256,
                    args.build());
        }
    }

    /** ConvInteger (x, w, [x_zp], [w_zp]) or QLinearConv (x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, [bias]). */
    static void conv(CudaPlan p, OpSpec spec, Conv2d c, CudaArch arch, boolean qlinear) {
        requireDp4a(arch, spec.op().name());
        int iw = qlinear ? 3 : 1;
        TensorType x = in(spec, 0);
        TensorType w = in(spec, iw);
        TensorType y = out(spec, 0);
        if (y.numel() == 0) {
            return;
        }
        int mOut = w.shape().dim(0);
        int mg = mOut / c.groups();
        int kg = CudaStrides.toInt((long) (x.shape().dim(1) / c.groups()) * w.shape().dim(2) * w.shape().dim(3),
                spec.op().name() + ": C / groups * kH * kW");
        int pixels = CudaStrides.toInt((long) x.shape().dim(0) * y.shape().dim(2) * y.shape().dim(3), spec.op().name() + ": N * oH * oW");
        CudaArgs.Builder args = CudaStructs.IGEMM.pack().ptr("a", CudaRef.input(iw)).ptr("b", CudaRef.input(0))
                .ptr("y", CudaRef.output(0)).i64("sam", kg).i64("sak", 1).i64("batch", c.groups()).i32("M", mg).i32("N", pixels)
                .i32("K", kg).i32("batchRank", 1).i64s("bdims", new long[] {c.groups()}).i64s("bsa", new long[] {(long) mg * kg})
                .bool("conv", true);
        CudaGemmPlans.geometry(args, c, x, w, y);
        int xzp = 2;
        int wzp = qlinear ? 5 : 3;
        if (spec.inputs().size() > xzp) {
            args.ptr("zb", CudaRef.input(xzp)).bool("hasZb", true).bool("zbPerCol", false);
        }
        if (spec.inputs().size() > wzp) {
            args.ptr("za", CudaRef.input(wzp)).bool("hasZa", true).bool("zaPerRow", in(spec, wzp).numel() > 1);
        }
        if (qlinear) {
            args.bool("requant", true).ptr("sa", CudaRef.input(4)).bool("saPerRow", in(spec, 4).numel() > 1)
                    .ptr("sb", CudaRef.input(1)).bool("sbPerCol", false).ptr("sy", CudaRef.input(6)).ptr("zy", CudaRef.input(7));
            if (spec.inputs().size() == 9) {
                args.ptr("bias", CudaRef.input(8)).bool("hasBias", true);
            }
        }
        args.i32("outType", y.dtype().ordinal());
        int gy = (mg + 63) / 64;
        p.grid(MODULE, function(w.dtype(), x.dtype()), (pixels + 63) / 64, gy, Math.min(c.groups(), 65535), 256, args.build());
    }
}
