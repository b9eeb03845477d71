package dev.accel.backend.cuda;

import static dev.accel.backend.cuda.CudaPlanEmulator.offset;

import dev.accel.backend.cuda.CudaPlanEmulator.Ptr;
import dev.accel.hal.DType;

/**
 * Models of the GEMM-shaped kernels for {@link CudaPlanEmulator}: what gemm.cuh, sgemm.cu,
 * hgemm.cu, igemm.cu and attention.cu compute per output element.
 */
final class CudaGemmModel {
    private CudaGemmModel() {
    }

    private static long[] batchOffsets(CudaArgs a, long z, String... strideFields) {
        int rank = a.getInt("batchRank");
        long[] dims = a.getLongs("bdims", rank);
        long[] r = new long[strideFields.length];
        for (int f = 0; f < strideFields.length; f++) {
            r[f] = offset(z, rank, dims, a.getLongs(strideFields[f], rank));
        }
        return r;
    }

    /** conv_b_offset of gemm.cuh (and the same gather in igemm.cu): -1 in the padding. */
    static long convB(CudaArgs a, int g, long k, long n) {
        int taps = a.getInt("cKH") * a.getInt("cKW");
        long c = k / taps;
        long r = k - c * taps;
        long kh = r / a.getInt("cKW");
        long kw = r - kh * a.getInt("cKW");
        long plane = (long) a.getInt("cOH") * a.getInt("cOW");
        long img = n / plane;
        long pix = n - img * plane;
        long oh = pix / a.getInt("cOW");
        long ow = pix - oh * a.getInt("cOW");
        long h = oh * a.getInt("cSH") - a.getInt("cPT") + kh * a.getInt("cDH");
        long w = ow * a.getInt("cSW") - a.getInt("cPL") + kw * a.getInt("cDW");
        if (h < 0 || h >= a.getInt("cH") || w < 0 || w >= a.getInt("cW")) {
            return -1;
        }
        return ((img * a.getInt("cC") + (long) g * a.getInt("cCg") + c) * a.getInt("cH") + h) * a.getInt("cW") + w;
    }

    /** Output offset of (m, n) in conv mode, for group g. */
    static long convY(CudaArgs a, int g, long m, long n) {
        long plane = (long) a.getInt("cOH") * a.getInt("cOW");
        long img = n / plane;
        return (img * a.getInt("cM") + (long) g * a.getInt("cMg") + m) * plane + (n - img * plane);
    }

    static void gemm(CudaPlanEmulator e, CudaArgs a, DType t) {
        Ptr pa = e.ptr(a.pointer("a"));
        Ptr pb = e.ptr(a.pointer("b"));
        Ptr pc = e.ptr(a.pointer("c"));
        Ptr bias = e.ptr(a.pointer("bias"));
        Ptr y = e.ptr(a.pointer("y"));
        boolean conv = a.getInt("conv") != 0;
        int m = a.getInt("M");
        int n = a.getInt("N");
        int k = a.getInt("K");
        long sam = a.getLong("sam");
        long sak = a.getLong("sak");
        long sbk = a.getLong("sbk");
        long sbn = a.getLong("sbn");
        for (long z = 0; z < a.getLong("batch"); z++) {
            long[] o = batchOffsets(a, z, "bsa", "bsb", "bsc", "bsy");
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int q = 0; q < k; q++) {
                        double av = pa.get(t, o[0] + i * sam + q * sak);
                        double bv;
                        if (conv) {
                            long off = convB(a, (int) z, q, j);
                            bv = off < 0 ? 0 : pb.get(t, off);
                        } else {
                            bv = pb.get(t, o[1] + q * sbk + j * sbn);
                        }
                        s += av * bv;
                    }
                    if (conv) {
                        if (a.getInt("hasBias") != 0) {
                            s += bias.get(t, z * a.getInt("cMg") + i);
                        }
                        y.set(t, convY(a, (int) z, i, j), s);
                    } else {
                        s *= a.getFloat("alpha");
                        if (a.getInt("hasC") != 0) {
                            s += a.getFloat("beta") * pc.get(t, o[2] + i * a.getLong("scm") + j * a.getLong("scn"));
                        }
                        y.set(t, o[3] + i * a.getLong("sym") + j, s);
                    }
                }
            }
        }
    }

    static void convDirect(CudaPlanEmulator e, CudaArgs a, DType t) {
        Ptr x = e.ptr(a.pointer("x"));
        Ptr w = e.ptr(a.pointer("w"));
        Ptr bias = e.ptr(a.pointer("bias"));
        Ptr y = e.ptr(a.pointer("y"));
        int ow = a.getInt("OW");
        int oh = a.getInt("OH");
        for (long i = 0; i < a.getLong("n"); i++) {
            long ox = i % ow;
            long tt = i / ow;
            long oy = tt % oh;
            tt /= oh;
            long m = tt % a.getInt("M");
            long img = tt / a.getInt("M");
            long g = m / a.getInt("Mg");
            double acc = a.getInt("hasBias") != 0 ? bias.get(t, m) : 0;
            for (int c = 0; c < a.getInt("Cg"); c++) {
                for (int kh = 0; kh < a.getInt("KH"); kh++) {
                    long h = oy * a.getInt("SH") - a.getInt("PT") + (long) kh * a.getInt("DH");
                    for (int kw = 0; kw < a.getInt("KW"); kw++) {
                        long ww = ox * a.getInt("SW") - a.getInt("PL") + (long) kw * a.getInt("DW");
                        if (h >= 0 && h < a.getInt("H") && ww >= 0 && ww < a.getInt("W")) {
                            long xo = ((img * a.getInt("C") + g * a.getInt("Cg") + c) * a.getInt("H") + h) * a.getInt("W") + ww;
                            long wo = ((m * a.getInt("Cg") + c) * a.getInt("KH") + kh) * a.getInt("KW") + kw;
                            acc += x.get(t, xo) * w.get(t, wo);
                        }
                    }
                }
            }
            y.set(t, i, acc);
        }
    }

    /** igemm.cu: raw byte products, then the zero-point correction and the int32 or requantized epilogue. */
    static void igemm(CudaPlanEmulator e, CudaArgs a, boolean aSigned, boolean bSigned) {
        DType at = aSigned ? DType.I8 : DType.U8;
        DType bt = bSigned ? DType.I8 : DType.U8;
        Ptr pa = e.ptr(a.pointer("a"));
        Ptr pb = e.ptr(a.pointer("b"));
        Ptr y = e.ptr(a.pointer("y"));
        boolean conv = a.getInt("conv") != 0;
        int k = a.getInt("K");
        double bPad = conv && a.getInt("hasZb") != 0 ? e.ptr(a.pointer("zb")).get(bt, 0) : 0;
        for (long z = 0; z < a.getLong("batch"); z++) {
            long[] o = batchOffsets(a, z, "bsa", "bsb", "bsy");
            for (int i = 0; i < a.getInt("M"); i++) {
                int row = conv ? (int) z * a.getInt("cMg") + i : i;
                double za = a.getInt("hasZa") != 0 ? e.ptr(a.pointer("za")).get(at, a.getInt("zaPerRow") != 0 ? row : 0) : 0;
                for (int j = 0; j < a.getInt("N"); j++) {
                    double zb = a.getInt("hasZb") != 0 ? e.ptr(a.pointer("zb")).get(bt, a.getInt("zbPerCol") != 0 ? j : 0) : 0;
                    long acc = 0;
                    long rs = 0;
                    long cs = 0;
                    for (int q = 0; q < k; q++) {
                        long av = (long) pa.get(at, o[0] + i * a.getLong("sam") + q * a.getLong("sak"));
                        long bv;
                        if (conv) {
                            long off = convB(a, (int) z, q, j);
                            bv = (long) (off < 0 ? bPad : pb.get(bt, off));
                        } else {
                            bv = (long) pb.get(bt, o[1] + q * a.getLong("sbk") + j * a.getLong("sbn"));
                        }
                        acc += av * bv;
                        rs += av;
                        cs += bv;
                    }
                    int v = (int) (acc - (long) zb * rs - (long) za * cs + (long) k * (long) za * (long) zb);
                    long out = conv ? convY(a, (int) z, i, j) : o[2] + i * a.getLong("sym") + j;
                    if (a.getInt("requant") == 0) {
                        y.set(DType.I32, out, v);
                        continue;
                    }
                    int total = v + (a.getInt("hasBias") != 0 ? (int) e.ptr(a.pointer("bias")).get(DType.I32, row) : 0);
                    double sa = e.ptr(a.pointer("sa")).get(DType.F32, a.getInt("saPerRow") != 0 ? row : 0);
                    double sb = e.ptr(a.pointer("sb")).get(DType.F32, a.getInt("sbPerCol") != 0 ? j : 0);
                    DType outType = DType.values()[a.getInt("outType")];
                    double zy = e.ptr(a.pointer("zy")).get(outType, 0);
                    double real = conv ? total * sb * sa : total * sa * sb;
                    y.set(outType, out, Math.rint(real / e.ptr(a.pointer("sy")).get(DType.F32, 0)) + zy);
                }
            }
        }
    }

    static void attention(CudaPlanEmulator e, CudaArgs a, DType t) {
        int b = a.getInt("B");
        int h = a.getInt("H");
        int sq = a.getInt("Sq");
        int sk = a.getInt("Sk");
        int d = a.getInt("D");
        int dv = a.getInt("Dv");
        Ptr q = e.ptr(a.pointer("q"));
        Ptr k = e.ptr(a.pointer("k"));
        Ptr v = e.ptr(a.pointer("v"));
        Ptr mask = e.ptr(a.pointer("mask"));
        Ptr y = e.ptr(a.pointer("y"));
        int kind = a.getInt("maskKind");
        double[] s = new double[sk];
        for (int bi = 0; bi < b; bi++) {
            for (int hi = 0; hi < h; hi++) {
                long bh = (long) bi * h + hi;
                for (int i = 0; i < sq; i++) {
                    long mrow = bi * a.getLong("ms", 0) + hi * a.getLong("ms", 1) + i * a.getLong("ms", 2);
                    double mx = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < sk; j++) {
                        double dot = 0;
                        for (int x = 0; x < d; x++) {
                            dot += q.get(t, (bh * sq + i) * d + x) * k.get(t, (bh * sk + j) * d + x);
                        }
                        double sc = dot * a.getFloat("scale");
                        if (kind == 1) {
                            sc += mask.get(t, mrow + j * a.getLong("ms", 3));
                        } else if (kind == 2 && mask.get(DType.BOOL, mrow + j * a.getLong("ms", 3)) == 0) {
                            sc = Double.NEGATIVE_INFINITY;
                        }
                        if (a.getInt("causal") != 0 && j > i) {
                            sc = Double.NEGATIVE_INFINITY;
                        }
                        s[j] = sc;
                        mx = Math.max(mx, sc);
                    }
                    double sum = 0;
                    for (int j = 0; j < sk; j++) {
                        s[j] = Math.exp(s[j] - mx);
                        sum += s[j];
                    }
                    for (int x = 0; x < dv; x++) {
                        double o = 0;
                        for (int j = 0; j < sk; j++) {
                            o += s[j] * v.get(t, (bh * sk + j) * dv + x);
                        }
                        y.set(t, (bh * sq + i) * dv + x, o / sum);
                    }
                }
            }
        }
    }
}
