package dev.accel.backend.cuda;

import static dev.accel.backend.cuda.CudaPlanEmulator.offset;

import dev.accel.backend.cuda.CudaPlanEmulator.Ptr;
import dev.accel.hal.DType;
import dev.accel.hal.op.Binary;
import dev.accel.hal.op.Unary;

/** The per-element model of each kernel that {@link CudaPlanEmulator} runs; see the .cu file named in each case. */
final class CudaKernelModel {
    private CudaKernelModel() {
    }

    private static DType floatType(String fn) {
        return fn.endsWith("_bf16") || fn.contains("_bf16_") ? DType.BF16 : fn.endsWith("_f16") || fn.contains("_f16_") ? DType.F16 : DType.F32;
    }

    static void run(CudaPlanEmulator e, CudaPlan.Launch l) {
        CudaArgs a = l.args();
        String fn = l.function();
        DType t = floatType(fn);
        if (fn.startsWith("copy_")) {
            copy(e, a, Integer.parseInt(fn.substring(5)));
        } else if (fn.startsWith("pad_")) {
            pad(e, a, Integer.parseInt(fn.substring(4)));
        } else if (fn.startsWith("unary_")) {
            Unary u = new Unary(Unary.Kind.values()[a.getInt("kind")], a.getFloat("alpha"), a.getFloat("beta"));
            Ptr x = e.ptr(a.pointer("x"));
            Ptr y = e.ptr(a.pointer("y"));
            for (long i = 0; i < a.getLong("n"); i++) {
                y.set(t, i, CudaReference.unary(u, x.get(t, i)));
            }
        } else if (fn.startsWith("binary_")) {
            binary(e, a, t);
        } else if (fn.startsWith("accumulate_")) {
            Ptr x = e.ptr(a.pointer("x"));
            Ptr acc = e.ptr(a.pointer("acc"));
            int rank = a.getInt("rank");
            for (long i = 0; i < a.getLong("n"); i++) {
                double v = x.get(t, offset(i, rank, a.getLongs("dims", rank), a.getLongs("sx", rank)));
                acc.set(DType.F32, i, a.getInt("first") != 0 ? v : acc.get(DType.F32, i) + v);
            }
        } else if (fn.equals("cast_any")) {
            Ptr x = e.ptr(a.pointer("x"));
            Ptr y = e.ptr(a.pointer("y"));
            DType from = DType.values()[a.getInt("from")];
            DType to = DType.values()[a.getInt("to")];
            for (long i = 0; i < a.getLong("n"); i++) {
                double v = x.get(from, i);
                if (from.isFloat() && !to.isFloat() && to != DType.BOOL) {
                    v = Double.isNaN(v) ? 0 : v < 0 ? Math.ceil(v) : Math.floor(v);
                } else if (!from.isFloat() && to.isFloat()) {
                    v = CudaQuantCases.roundBits((long) v, to == DType.F32 ? 24 : to == DType.F16 ? 11 : 8);
                }
                y.set(to, i, v);
            }
        } else if (fn.startsWith("reduce_mean_")) {
            reduceMean(e, a, t);
        } else if (fn.startsWith("softmax_")) {
            softmax(e, a, t);
        } else if (fn.startsWith("layernorm_")) {
            layerNorm(e, a, t);
        } else if (fn.startsWith("sgemm_") || fn.startsWith("hgemm_") || fn.startsWith("hgemm90_")) {
            CudaGemmModel.gemm(e, a, t);
        } else if (fn.startsWith("conv_direct_")) {
            CudaGemmModel.convDirect(e, a, t);
        } else if (fn.startsWith("igemm_")) {
            CudaGemmModel.igemm(e, a, fn.charAt(6) == 's', fn.charAt(7) == 's');
        } else if (fn.startsWith("quantize_")) {
            quantize(e, a, t);
        } else if (fn.equals("dequantize")) {
            dequantize(e, a);
        } else if (fn.startsWith("attention_")) {
            CudaGemmModel.attention(e, a, t);
        } else if (fn.startsWith("pool_")) {
            pool(e, a, t);
        } else if (fn.startsWith("batchnorm_")) {
            Ptr x = e.ptr(a.pointer("x"));
            Ptr y = e.ptr(a.pointer("y"));
            for (long i = 0; i < a.getLong("n"); i++) {
                long c = (i / a.getLong("inner")) % a.getLong("channels");
                double inv = 1 / Math.sqrt(e.ptr(a.pointer("var")).get(t, c) + a.getFloat("epsilon"));
                double v = (x.get(t, i) - e.ptr(a.pointer("mean")).get(t, c)) * inv;
                y.set(t, i, v * e.ptr(a.pointer("scale")).get(t, c) + e.ptr(a.pointer("bias")).get(t, c));
            }
        } else if (fn.startsWith("lrn_")) {
            lrn(e, a, t);
        } else {
            throw new UnsupportedOperationException("no model of kernel " + fn);
        }
    }

    private static void copy(CudaPlanEmulator e, CudaArgs a, int size) {
        int rank = a.getInt("rank");
        long[] dims = a.getLongs("dims", rank);
        long[] ss = a.getLongs("ss", rank);
        long[] ds = a.getLongs("ds", rank);
        Ptr src = e.ptr(a.pointer("src"));
        Ptr dst = e.ptr(a.pointer("dst"));
        for (long i = 0; i < a.getLong("n"); i++) {
            dst.setBits(size, a.getLong("dstOff") + offset(i, rank, dims, ds), src.getBits(size, a.getLong("srcOff") + offset(i, rank, dims, ss)));
        }
    }

    private static void pad(CudaPlanEmulator e, CudaArgs a, int size) {
        int rank = a.getInt("rank");
        int mode = a.getInt("mode");
        Ptr src = e.ptr(a.pointer("src"));
        Ptr dst = e.ptr(a.pointer("dst"));
        for (long i = 0; i < a.getLong("n"); i++) {
            long rest = i;
            long off = 0;
            boolean outside = false;
            for (int d = rank - 1; d >= 0; d--) {
                long od = a.getLong("outDims", d);
                long q = rest / od;
                long c = rest - q * od - a.getLong("begin", d);
                rest = q;
                long len = a.getLong("inDims", d);
                if (c < 0 || c >= len) {
                    if (mode == 0) {
                        outside = true;
                    } else if (mode == 1) {
                        c = c < 0 ? 0 : len - 1;
                    } else {
                        c = c < 0 ? -c : 2 * (len - 1) - c;
                    }
                }
                off += c * a.getLong("inStrides", d);
            }
            dst.setBits(size, i, outside ? a.getLong("value") : src.getBits(size, off));
        }
    }

    private static void binary(CudaPlanEmulator e, CudaArgs a, DType t) {
        int rank = a.getInt("rank");
        Binary.Kind kind = Binary.Kind.values()[a.getInt("kind")];
        Ptr x1 = e.ptr(a.pointer("a"));
        Ptr x2 = e.ptr(a.pointer("b"));
        Ptr y = e.ptr(a.pointer("y"));
        for (long i = 0; i < a.getLong("n"); i++) {
            long oa = i;
            long ob = i;
            if (a.getInt("contiguous") == 0) {
                oa = offset(i, rank, a.getLongs("dims", rank), a.getLongs("sa", rank));
                ob = offset(i, rank, a.getLongs("dims", rank), a.getLongs("sb", rank));
            }
            y.set(t, i, CudaReference.binary(kind, x1.get(t, oa), x2.get(t, ob)));
        }
    }

    private static void reduceMean(CudaPlanEmulator e, CudaArgs a, DType t) {
        int or = a.getInt("outRank");
        int rr = a.getInt("redRank");
        Ptr x = e.ptr(a.pointer("x"));
        Ptr y = e.ptr(a.pointer("y"));
        long nRed = a.getLong("nRed");
        for (long o = 0; o < a.getLong("nOut"); o++) {
            long base = offset(o, or, a.getLongs("outDims", or), a.getLongs("outStrides", or));
            double s = 0;
            for (long r = 0; r < nRed; r++) {
                s += x.get(t, base + offset(r, rr, a.getLongs("redDims", rr), a.getLongs("redStrides", rr)));
            }
            y.set(t, o, s / nRed);
        }
    }

    private static void softmax(CudaPlanEmulator e, CudaArgs a, DType t) {
        long len = a.getLong("len");
        long inner = a.getLong("inner");
        Ptr x = e.ptr(a.pointer("x"));
        Ptr y = e.ptr(a.pointer("y"));
        for (long c = 0; c < a.getLong("outer") * inner; c++) {
            long o = c / inner;
            long base = o * len * inner + (c - o * inner);
            double m = Double.NEGATIVE_INFINITY;
            for (long j = 0; j < len; j++) {
                m = Math.max(m, x.get(t, base + j * inner));
            }
            double s = 0;
            for (long j = 0; j < len; j++) {
                s += Math.exp(x.get(t, base + j * inner) - m);
            }
            for (long j = 0; j < len; j++) {
                y.set(t, base + j * inner, Math.exp(x.get(t, base + j * inner) - m) / s);
            }
        }
    }

    private static void layerNorm(CudaPlanEmulator e, CudaArgs a, DType t) {
        long cols = a.getLong("cols");
        int rank = a.getInt("rank");
        Ptr x = e.ptr(a.pointer("x"));
        Ptr y = e.ptr(a.pointer("y"));
        Ptr scale = e.ptr(a.pointer("scale"));
        Ptr bias = e.ptr(a.pointer("bias"));
        for (long row = 0; row < a.getLong("rows"); row++) {
            double mean = 0;
            for (long j = 0; j < cols; j++) {
                mean += x.get(t, row * cols + j);
            }
            mean /= cols;
            double var = 0;
            for (long j = 0; j < cols; j++) {
                double d = x.get(t, row * cols + j) - mean;
                var += d * d;
            }
            var /= cols;
            for (long j = 0; j < cols; j++) {
                long si = a.getInt("scaleDense") != 0 ? j : offset(j, rank, a.getLongs("dims", rank), a.getLongs("scaleStrides", rank));
                double v = (x.get(t, row * cols + j) - mean) / Math.sqrt(var + a.getFloat("epsilon")) * scale.get(t, si);
                if (a.getInt("hasBias") != 0) {
                    long bi = a.getInt("biasDense") != 0 ? j : offset(j, rank, a.getLongs("dims", rank), a.getLongs("biasStrides", rank));
                    v += bias.get(t, bi);
                }
                y.set(t, row * cols + j, v);
            }
        }
    }

    private static void quantize(CudaPlanEmulator e, CudaArgs a, DType t) {
        Ptr x = e.ptr(a.pointer("x"));
        Ptr scale = e.ptr(a.pointer("scale"));
        Ptr zp = e.ptr(a.pointer("zp"));
        Ptr y = e.ptr(a.pointer("y"));
        DType out = DType.values()[a.getInt("outType")];
        for (long i = 0; i < a.getLong("n"); i++) {
            long c = (i / a.getLong("inner")) % a.getLong("channels");
            double z = a.getInt("zpType") < 0 ? 0 : zp.get(DType.values()[a.getInt("zpType")], c * a.getInt("zpStep"));
            y.set(out, i, Math.rint(x.get(t, i) / scale.get(DType.F32, c * a.getInt("scaleStep"))) + z);
        }
    }

    private static void dequantize(CudaPlanEmulator e, CudaArgs a) {
        Ptr x = e.ptr(a.pointer("x"));
        Ptr scale = e.ptr(a.pointer("scale"));
        Ptr zp = e.ptr(a.pointer("zp"));
        Ptr y = e.ptr(a.pointer("y"));
        DType xt = DType.values()[a.getInt("xType")];
        for (long i = 0; i < a.getLong("n"); i++) {
            long c = (i / a.getLong("inner")) % a.getLong("channels");
            double z = a.getInt("hasZp") != 0 ? zp.get(xt, c * a.getInt("zpStep")) : 0;
            y.set(DType.F32, i, (x.get(xt, i) - z) * scale.get(DType.F32, c * a.getInt("scaleStep")));
        }
    }

    private static void pool(CudaPlanEmulator e, CudaArgs a, DType t) {
        Ptr x = e.ptr(a.pointer("x"));
        Ptr y = e.ptr(a.pointer("y"));
        int hh = a.getInt("H");
        int ww = a.getInt("W");
        for (long i = 0; i < a.getLong("n"); i++) {
            long ow = i % a.getInt("OW");
            long tt = i / a.getInt("OW");
            long oh = tt % a.getInt("OH");
            long plane = tt / a.getInt("OH");
            double best = Double.NEGATIVE_INFINITY;
            double sum = 0;
            int real = 0;
            int padded = 0;
            for (int kh = 0; kh < a.getInt("kH"); kh++) {
                long h = oh * a.getInt("sH") - a.getInt("pT") + (long) kh * a.getInt("dH");
                for (int kw = 0; kw < a.getInt("kW"); kw++) {
                    long w = ow * a.getInt("sW") - a.getInt("pL") + (long) kw * a.getInt("dW");
                    if (h >= -a.getInt("pT") && h < hh + a.getInt("pB") && w >= -a.getInt("pL") && w < ww + a.getInt("pR")) {
                        padded++;
                    }
                    if (h >= 0 && h < hh && w >= 0 && w < ww) {
                        double v = x.get(t, plane * hh * ww + h * ww + w);
                        best = Math.max(best, v);
                        sum += v;
                        real++;
                    }
                }
            }
            y.set(t, i, a.getInt("kind") == 0 ? best : sum / (a.getInt("countIncludePad") != 0 ? padded : real));
        }
    }

    private static void lrn(CudaPlanEmulator e, CudaArgs a, DType t) {
        Ptr x = e.ptr(a.pointer("x"));
        Ptr y = e.ptr(a.pointer("y"));
        int size = a.getInt("size");
        long ch = a.getLong("channels");
        long plane = a.getLong("plane");
        for (long i = 0; i < a.getLong("n"); i++) {
            long c = (i / plane) % ch;
            long base = i - c * plane;
            double sq = 0;
            for (long k = Math.max(0, c - (size - 1) / 2); k <= Math.min(ch - 1, c + size - 1 - (size - 1) / 2); k++) {
                double v = x.get(t, base + k * plane);
                sq += v * v;
            }
            y.set(t, i, x.get(t, i) / Math.pow(a.getFloat("bias") + a.getFloat("alpha") / size * sq, a.getFloat("beta")));
        }
    }
}
