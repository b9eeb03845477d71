package dev.accel.backend.cuda;

import static dev.accel.backend.cuda.CudaOps.in;
import static dev.accel.backend.cuda.CudaOps.out;
import static dev.accel.backend.cuda.CudaOps.suffix;

import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.Conv2d;
import dev.accel.hal.op.Gemm;
import dev.accel.hal.op.OpSpec;
import java.util.Arrays;

/**
 * Plans of the float GEMM kernels: MatMul (batched, broadcasting), Gemm and Conv2d (implicit
 * GEMM, or direct convolution for groups of fewer than {@link #DIRECT_BELOW} output channels).
 * F32 runs {@code sgemm} (CUDA cores); F16 and BF16 run {@code hgemm} (tensor cores) from
 * compute capability 8.0, else {@code sgemm} in float.
 */
final class CudaGemmPlans {
    static final int DIRECT_BELOW = 16;
    static final int MAX_GRID_Y = 65535;

    private CudaGemmPlans() {
    }

    /** A batched problem: sizes, strides and batch dims (the output's batch strides, row-major). */
    record Problem(int m, int n, int k, long sam, long sak, long sbk, long sbn, long sym, long[] bdims, long[] bsa,
                   long[] bsb, long[] bsc, long[] bsy) {
        long batch() {
            return CudaStrides.product(bdims);
        }
    }

    /**
     * The batch geometry of a numpy matmul of A {@code [..., M, K]} by B {@code [..., K, N]}, both
     * dense: batch dims broadcast, each operand's batch strides in elements (0 where broadcast).
     */
    static Problem matmulProblem(Shape a, Shape b) {
        int[] ad = a.rank() == 1 ? new int[] {1, a.dim(0)} : a.dims();
        int[] bd = b.rank() == 1 ? new int[] {b.dim(0), 1} : b.dims();
        int m = ad[ad.length - 2];
        int k = ad[ad.length - 1];
        int n = bd[bd.length - 1];
        Shape batchA = Shape.of(Arrays.copyOf(ad, ad.length - 2));
        Shape batchB = Shape.of(Arrays.copyOf(bd, bd.length - 2));
        Shape batch = Shape.broadcast(batchA, batchB);
        long[] dims = CudaStrides.dims(batch);
        long[] sa = scaled(batchA.broadcastStrides(batch), (long) m * k);
        long[] sb = scaled(batchB.broadcastStrides(batch), (long) k * n);
        long[] sy = scaled(CudaStrides.rowMajor(dims), (long) m * n);
        CudaStrides.Merged g = CudaStrides.mergeWithin(6, "MatMul batch", dims, sa, sb, sy);
        return new Problem(m, n, k, k, 1, n, 1, n, g.dims(), g.strides(0), g.strides(1), new long[g.rank()], g.strides(2));
    }

    private static long[] scaled(long[] s, long f) {
        long[] r = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            r[i] = s[i] * f;
        }
        return r;
    }

    static void matMul(CudaPlan p, OpSpec spec, CudaArch arch) {
        Problem pr = matmulProblem(in(spec, 0).shape(), in(spec, 1).shape());
        CudaArgs.Builder b = args(pr).f32("alpha", 1f).f32("beta", 0f);
        launch(p, in(spec, 0).dtype(), pr, b, arch);
    }

    static void gemm(CudaPlan p, OpSpec spec, Gemm g, CudaArch arch) {
        TensorType a = in(spec, 0);
        TensorType bt = in(spec, 1);
        int m = g.transA() ? a.shape().dim(1) : a.shape().dim(0);
        int k = g.transA() ? a.shape().dim(0) : a.shape().dim(1);
        int n = g.transB() ? bt.shape().dim(0) : bt.shape().dim(1);
        long sam = g.transA() ? 1 : k;
        long sak = g.transA() ? m : 1;
        long sbk = g.transB() ? 1 : n;
        long sbn = g.transB() ? k : 1;
        Problem pr = new Problem(m, n, k, sam, sak, sbk, sbn, n, new long[0], new long[0], new long[0], new long[0], new long[0]);
        CudaArgs.Builder b = args(pr).f32("alpha", g.alpha()).f32("beta", g.beta());
        if (spec.inputs().size() == 3) {
            long[] cs = in(spec, 2).shape().broadcastStrides(Shape.of(m, n));
            b.ptr("c", CudaRef.input(2)).bool("hasC", true).i64("scm", cs[0]).i64("scn", cs[1]);
        }
        launch(p, a.dtype(), pr, b, arch);
    }

    private static CudaArgs.Builder args(Problem pr) {
        return CudaStructs.GEMM.pack().ptr("a", CudaRef.input(0)).ptr("b", CudaRef.input(1)).ptr("y", CudaRef.output(0))
                .i64("sam", pr.sam()).i64("sak", pr.sak()).i64("sbk", pr.sbk()).i64("sbn", pr.sbn()).i64("sym", pr.sym())
                .i64("batch", pr.batch()).i32("M", pr.m()).i32("N", pr.n()).i32("K", pr.k()).i32("batchRank", pr.bdims().length)
                .i64s("bdims", pr.bdims()).i64s("bsa", pr.bsa()).i64s("bsb", pr.bsb()).i64s("bsc", pr.bsc()).i64s("bsy", pr.bsy());
    }

    /** True when every value is a multiple of {@code q}. */
    static boolean multiples(long q, long... values) {
        for (long v : values) {
            if (v % q != 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether the tensor-core kernel's A and B may be copied 16 bytes at a time, and its layout flags. */
    static boolean[] tensorCoreLayout(Problem pr, boolean conv) {
        boolean ta = pr.sam() == 1 && pr.sak() != 1;
        boolean tb = !conv && pr.sbk() == 1 && pr.sbn() != 1;
        boolean vecA = ta ? multiples(8, pr.sak(), pr.m()) && multiples(8, pr.bsa())
                : pr.sak() == 1 && multiples(8, pr.sam(), pr.k()) && multiples(8, pr.bsa());
        boolean vecB = !conv && (tb ? multiples(8, pr.sbn(), pr.k()) && multiples(8, pr.bsb())
                : pr.sbn() == 1 && multiples(8, pr.sbk(), pr.n()) && multiples(8, pr.bsb()));
        return new boolean[] {ta, tb, vecA, vecB};
    }

    /**
     * Dynamic shared memory of the tensor-core kernels: four stages of a 128 x 32 tile of A and a
     * 32 x 128 tile of B, each stored padded in either layout, as hgemm.cu lays them out.
     */
    static int hgemmSharedBytes() {
        int bk = 32;
        int pad = 8;
        int tile = Math.max(128 * (bk + pad), bk * (128 + pad));
        return 4 * 2 * tile * 2;
    }

    /**
     * Dynamic shared memory of the Hopper kernels (hgemm90.cu): five stages of a 128 x 64 tile of
     * A and a 64 x 128 tile of B, plus 1024 bytes to align the swizzled stages.
     */
    static int hgemm90SharedBytes() {
        return 5 * (128 * 64 + 64 * 128) * 2 + 1024;
    }

    /** Adds the launch of GEMM kernel {@code k} (module, function) over an M x N problem and {@code gz} batches. */
    private static void gemmGrid(CudaPlan p, String[] k, int m, int n, int gz, CudaArgs args) {
        if (k[0].equals("hgemm90")) {
            p.grid(k[0], k[1], (n + 127) / 128, (m + 127) / 128, gz, 256, hgemm90SharedBytes(), args);
        } else if (k[0].equals("hgemm")) {
            p.grid(k[0], k[1], (n + 127) / 128, (m + 127) / 128, gz, 256, hgemmSharedBytes(), args);
        } else {
            p.grid(k[0], k[1], (n + 127) / 128, (m + 127) / 128, gz, 256, args);
        }
    }

    /** The kernel for a problem of {@code dtype}: module and function, and the vector flags set on {@code b}. */
    static String[] kernel(DType dtype, Problem pr, CudaArgs.Builder b, CudaArch arch, boolean conv) {
        if (dtype == DType.F32 || !arch.tensorCores()) {
            boolean vecA = dtype == DType.F32 && (pr.sak() == 1 ? multiples(4, pr.sam()) : pr.sam() == 1 && multiples(4, pr.sak()))
                    && multiples(4, pr.bsa());
            boolean vecB = dtype == DType.F32 && !conv
                    && (pr.sbn() == 1 ? multiples(4, pr.sbk()) : pr.sbk() == 1 && multiples(4, pr.sbn())) && multiples(4, pr.bsb());
            b.bool("vecA", vecA).bool("vecB", vecB);
            return new String[] {"sgemm", "sgemm" + suffix(dtype)};
        }
        boolean[] l = tensorCoreLayout(pr, conv);
        b.bool("vecA", l[2]).bool("vecB", l[3]);
        String layout = (l[0] ? "t" : "n") + (l[1] ? "t" : "n");
        // Hopper (9.0), row-major A and B copied 16 bytes at a time: warpgroup MMA (wgmma).
        if (arch.equals(CudaArch.SM90) && !l[0] && !l[1] && l[2] && l[3]) {
            return new String[] {"hgemm90", "hgemm90" + suffix(dtype) + "_nn"};
        }
        // Both operands copied 16 bytes at a time: the kernel without the element path.
        String vector = l[2] && l[3] ? "_v" : "";
        return new String[] {"hgemm", "hgemm" + suffix(dtype) + "_" + layout + vector};
    }

    private static void launch(CudaPlan p, DType dtype, Problem pr, CudaArgs.Builder b, CudaArch arch) {
        String[] k = kernel(dtype, pr, b, arch, false);
        int gy = (pr.m() + 127) / 128;
        if (gy > MAX_GRID_Y) {
            throw new UnsupportedOpException("MatMul: M = " + pr.m() + " needs " + gy + " row tiles, the grid allows " + MAX_GRID_Y);
        }
        if ((long) pr.m() * pr.n() > 0 && pr.batch() > 0) {
            gemmGrid(p, k, pr.m(), pr.n(), (int) Math.min(pr.batch(), 65535), b.build());
        }
    }

    static void conv(CudaPlan p, OpSpec spec, Conv2d c, CudaArch arch) {
        TensorType x = in(spec, 0);
        TensorType w = in(spec, 1);
        TensorType y = out(spec, 0);
        boolean hasBias = spec.inputs().size() == 3;
        int batch = x.shape().dim(0);
        int cIn = x.shape().dim(1);
        int mOut = w.shape().dim(0);
        int kh = w.shape().dim(2);
        int kw = w.shape().dim(3);
        int oh = y.shape().dim(2);
        int ow = y.shape().dim(3);
        int mg = mOut / c.groups();
        int cg = cIn / c.groups();
        if (y.numel() == 0) {
            return;
        }
        if (mg < DIRECT_BELOW) {
            CudaArgs a = CudaStructs.CONV.pack().ptr("x", CudaRef.input(0)).ptr("w", CudaRef.input(1))
                    .ptr("bias", hasBias ? CudaRef.input(2) : CudaRef.NULL).ptr("y", CudaRef.output(0)).i64("n", y.numel())
                    .i32("C", cIn).i32("H", x.shape().dim(2)).i32("W", x.shape().dim(3)).i32("M", mOut).i32("KH", kh).i32("KW", kw)
                    .i32("SH", c.strideH()).i32("SW", c.strideW()).i32("PT", c.padTop()).i32("PL", c.padLeft())
                    .i32("DH", c.dilationH()).i32("DW", c.dilationW()).i32("OH", oh).i32("OW", ow).i32("Cg", cg).i32("Mg", mg)
                    .bool("hasBias", hasBias).build();
            p.elementwise("sgemm", "conv_direct" + suffix(x.dtype()), y.numel(), a);
            return;
        }
        int kg = CudaStrides.toInt((long) cg * kh * kw, "Conv: C / groups * kH * kW");
        int pixels = CudaStrides.toInt((long) batch * oh * ow, "Conv: N * oH * oW");
        Problem pr = new Problem(mg, pixels, kg, kg, 1, 0, 0, 0, new long[] {c.groups()}, new long[] {(long) mg * kg},
                new long[] {0}, new long[] {0}, new long[] {0});
        // The weights are operand A, the (implicitly unfolded) image operand B.
        CudaArgs.Builder b = args(pr).ptr("a", CudaRef.input(1)).ptr("b", CudaRef.input(0)).f32("alpha", 1f).f32("beta", 0f).bool("conv", true)
                .ptr("bias", hasBias ? CudaRef.input(2) : CudaRef.NULL).bool("hasBias", hasBias);
        geometry(b, c, x, w, y);
        String[] k = kernel(x.dtype(), pr, b, arch, true);
        gemmGrid(p, k, mg, pixels, Math.min(c.groups(), 65535), b.build());
    }

    /** Sets the conv geometry fields (cC .. cM) shared by GemmArgs and IgemmArgs. */
    static void geometry(CudaArgs.Builder b, Conv2d c, TensorType x, TensorType w, TensorType y) {
        b.i32("cC", x.shape().dim(1)).i32("cH", x.shape().dim(2)).i32("cW", x.shape().dim(3)).i32("cKH", w.shape().dim(2))
                .i32("cKW", w.shape().dim(3)).i32("cSH", c.strideH()).i32("cSW", c.strideW()).i32("cPT", c.padTop())
                .i32("cPL", c.padLeft()).i32("cDH", c.dilationH()).i32("cDW", c.dilationW()).i32("cOH", y.shape().dim(2))
                .i32("cOW", y.shape().dim(3)).i32("cCg", x.shape().dim(1) / c.groups()).i32("cMg", w.shape().dim(0) / c.groups())
                .i32("cM", w.shape().dim(0));
    }
}
