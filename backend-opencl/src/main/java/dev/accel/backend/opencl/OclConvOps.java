package dev.accel.backend.opencl;

import dev.accel.hal.DType;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.op.Conv2d;
import java.util.List;
import org.jocl.cl_mem;

/**
 * Conv2d, ConvInteger and QLinearConv. Depthwise-style float convolution (one input channel per
 * group) runs a direct kernel; every other convolution is im2col into per-dispatch scratch
 * followed by the tiled GEMM, batched over images and groups: W of group g ({@code M/g x C/g*kh*kw})
 * times the group's column rows ({@code C/g*kh*kw x oH*oW}). Images go in chunks so the column
 * scratch stays within a bounded size.
 */
final class OclConvOps {
    /** Upper bound on the column scratch of one chunk of images. */
    private static final long SCRATCH_LIMIT = 256L << 20;

    private OclConvOps() {
    }

    /** Sizes of one convolution, from X, W and the output. */
    record Dims(int n, int c, int h, int w, int m, int kh, int kw, int oh, int ow, int groups) {
        static Dims of(TensorType x, TensorType wt, TensorType y, int groups) {
            Shape xs = x.shape();
            Shape ws = wt.shape();
            Shape ys = y.shape();
            return new Dims(xs.dim(0), xs.dim(1), xs.dim(2), xs.dim(3), ws.dim(0), ws.dim(2), ws.dim(3), ys.dim(2),
                    ys.dim(3), groups);
        }

        long p() {
            return (long) oh * ow;
        }

        long ckk() {
            return (long) (c / groups) * kh * kw;
        }

        /** Column elements of one image: all groups. */
        long colPerImage() {
            return (long) c * kh * kw * p();
        }
    }

    private static Object[] geometryArgs(Dims d, Conv2d g) {
        return new Object[] {d.c(), d.h(), d.w(), d.oh(), d.ow(), d.kh(), d.kw(), g.strideH(), g.strideW(), g.padTop(),
                g.padLeft(), g.dilationH(), g.dilationW()};
    }

    private static int imagesPerChunk(OclPrep p, Dims d, long elementBytes) {
        long limit = Math.min(SCRATCH_LIMIT, p.device.cl().maxAllocBytes());
        long per = Math.max(1, d.colPerImage() * elementBytes);
        return (int) Math.max(1, Math.min(d.n(), limit / per));
    }

    /** GEMM geometry over a chunk of {@code imgs} images: batch (img, g), offsets relative to the chunk. */
    private static OclLinalgOps.Geometry chunkGeometry(OclPrep p, Dims d, int imgs) {
        int mg = d.m() / d.groups();
        long ckk = d.ckk();
        long pp = d.p();
        long[] offs = new long[4 * imgs * d.groups()];
        for (int i = 0; i < imgs; i++) {
            for (int g = 0; g < d.groups(); g++) {
                int b = i * d.groups() + g;
                offs[4 * b] = g * mg * ckk;
                offs[4 * b + 1] = (long) i * d.colPerImage() + g * ckk * pp;
                offs[4 * b + 2] = ((long) i * d.m() + (long) g * mg) * pp;
                offs[4 * b + 3] = (long) g * mg;
            }
        }
        return new OclLinalgOps.Geometry(mg, Math.toIntExact(pp), Math.toIntExact(ckk), ckk, 1, pp, 1, pp,
                (long) imgs * d.groups(), p.longs(offs));
    }

    static OclOp conv(OclPrep p, Conv2d g) {
        List<TensorType> ins = p.spec.inputs();
        TensorType x = ins.get(0);
        Dims d = Dims.of(x, ins.get(1), p.spec.outputs().getFirst(), g.groups());
        boolean hasBias = ins.size() == 3;
        String t = "-DT=" + x.dtype().name();
        cl_mem zeros = p.device.zeros();
        if (d.c() / d.groups() == 1) {
            OclFunction f = p.fn("conv_direct", t, "conv.cl");
            long n = p.spec.outputs().getFirst().numel();
            return p.done((in, out, plan) -> plan.run(f, n, in[0], in[1], hasBias ? in[2] : zeros, out[0], p.ix(n), d.c(),
                    d.h(), d.w(), d.m(), d.oh(), d.ow(), d.kh(), d.kw(), g.strideH(), g.strideW(), g.padTop(), g.padLeft(),
                    g.dilationH(), g.dilationW(), d.groups(), hasBias ? 1 : 0));
        }
        int imgs = imagesPerChunk(p, d, 4);
        OclPrep wide = new OclPrep(p.device, p.spec, (long) imgs * d.colPerImage() >= OclPrep.INT_INDEX_LIMIT);
        OclFunction im2col = wideFn(p, wide, "im2col", t);
        DType dt = x.dtype();
        OclLinalgOps.Geometry geo = chunkGeometry(p, d, imgs);
        OclLinalgOps.GemmFn gemm = OclLinalgOps.gemmFn(p, geo.m(), geo.n(),
                OclLinalgOps.floatTypes(dt, DType.F32, dt, dt));
        Object[] geomArgs = geometryArgs(d, g);
        return p.done((in, out, plan) -> {
            cl_mem col = plan.scratch(4L * Math.min(imgs, d.n()) * d.colPerImage());
            for (int n0 = 0; n0 < d.n(); n0 += imgs) {
                int chunk = Math.min(imgs, d.n() - n0);
                long cnt = chunk * d.colPerImage();
                plan.run(im2col, cnt, concat(new Object[] {in[0], col, wide.ix(cnt), wide.ix(n0)}, geomArgs));
                OclLinalgOps.Geometry cg = chunk == imgs ? geo : withBatches(geo, (long) chunk * d.groups());
                OclLinalgOps.runFloat(plan, gemm, cg, in[1], col, out[0], hasBias ? in[2] : null, zeros, 1, 0, 1f, 1f,
                        new long[] {0, 0, (long) n0 * d.m() * d.p(), 0});
            }
        });
    }

    /** ConvInteger (int32 out) or QLinearConv (requantized 8-bit out). */
    static OclOp convInteger(OclPrep p, Conv2d g, boolean qlinear) {
        List<TensorType> ins = p.spec.inputs();
        TensorType x = ins.get(0);
        TensorType w = qlinear ? ins.get(3) : ins.get(1);
        DType outT = p.spec.outputs().getFirst().dtype();
        Dims d = Dims.of(x, w, p.spec.outputs().getFirst(), g.groups());
        int imgs = imagesPerChunk(p, d, 4);
        OclPrep wide = new OclPrep(p.device, p.spec, (long) imgs * d.colPerImage() >= OclPrep.INT_INDEX_LIMIT);
        OclFunction im2col = wideFn(p, wide, "im2col_q", "-DTX=" + x.dtype().name());
        OclLinalgOps.Geometry geo = chunkGeometry(p, d, imgs);
        String types = "-DTA=" + w.dtype().name() + " -DTB=I32 -DQOUT=" + outT.name() + " -DQOUT_I32="
                + (outT == DType.I32 ? 1 : 0);
        OclLinalgOps.GemmFn gemm = OclLinalgOps.gemmFn(p, geo.m(), geo.n(), types);
        cl_mem z = p.device.zeros();
        int count = ins.size();
        long azs = qlinear ? OclLinalgOps.paramStride(ins.get(5)) : (count > 3 ? OclLinalgOps.paramStride(ins.get(3)) : 0);
        long ssm = qlinear ? OclLinalgOps.paramStride(ins.get(4)) : 0;
        boolean hasBias = qlinear && count == 9;
        Object[] geomArgs = geometryArgs(d, g);
        return p.done((in, out, plan) -> {
            cl_mem xzp = qlinear ? in[2] : (count > 2 ? in[2] : z);
            cl_mem wt = qlinear ? in[3] : in[1];
            OclLinalgOps.IntParams q = qlinear
                    ? new OclLinalgOps.IntParams(in[5], azs, z, 0, hasBias ? in[8] : z, hasBias ? 1 : 0, in[1], in[4], ssm,
                            0, in[6], in[7])
                    : new OclLinalgOps.IntParams(count > 3 ? in[3] : z, azs, z, 0, z, 0, z, z, 0, 0, z, z);
            cl_mem col = plan.scratch(4L * Math.min(imgs, d.n()) * d.colPerImage());
            for (int n0 = 0; n0 < d.n(); n0 += imgs) {
                int chunk = Math.min(imgs, d.n() - n0);
                long cnt = chunk * d.colPerImage();
                plan.run(im2col, cnt, concat(new Object[] {in[0], xzp, col, wide.ix(cnt), wide.ix(n0)}, geomArgs));
                OclLinalgOps.Geometry cg = chunk == imgs ? geo : withBatches(geo, (long) chunk * d.groups());
                OclLinalgOps.runInt(plan, gemm, cg, wt, col, out[0], q, new long[] {0, 0, (long) n0 * d.m() * d.p(), 0});
            }
        });
    }

    /** A function built with the index width of {@code wide}, owned by {@code p}. */
    private static OclFunction wideFn(OclPrep p, OclPrep wide, String kernel, String options) {
        OclFunction f = p.device.programs().resources(List.of("conv.cl"), wide.idx() + " " + options)
                .function(kernel, p.device);
        p.own(f);
        return f;
    }

    private static OclLinalgOps.Geometry withBatches(OclLinalgOps.Geometry g, long batches) {
        return new OclLinalgOps.Geometry(g.m(), g.n(), g.k(), g.sam(), g.sak(), g.sbk(), g.sbn(), g.ldc(), batches,
                g.offsets());
    }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] r = new Object[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
