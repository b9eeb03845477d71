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

/**
 * Scalar twins of the convolution kernels: the direct seven-deep loop nest over output planes,
 * positions, input channels of the group and taps, skipping taps that fall in the padding. Float
 * accumulates in float; the integer forms accumulate exactly in int. Output planes are split across
 * cores.
 */
final class ScalarConv {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    private ScalarConv() {
    }

    static CpuOp conv2d(OpSpec spec, Conv2d c) {
        ConvGeom g = geom(spec, c);
        boolean hasBias = spec.inputs().size() == 3;
        return (in, out) -> CpuParallel.forRange(g.n() * g.m(), 1, (from, to) -> {
            for (int p = from; p < to; p++) {
                int ni = p / g.m();
                int mo = p % g.m();
                float bias = hasBias ? in[2].getAtIndex(FLOAT, mo) : 0f;
                for (int oy = 0; oy < g.oh(); oy++) {
                    for (int ox = 0; ox < g.ow(); ox++) {
                        float acc = 0f;
                        for (int ci = 0; ci < g.cg(); ci++) {
                            long xPlane = ((long) ni * g.c() + (long) (mo / g.mg()) * g.cg() + ci) * g.hw();
                            long wBase = ((long) mo * g.cg() + ci) * g.kh() * g.kw();
                            for (int i = 0; i < g.kh(); i++) {
                                int iy = oy * g.sh() - g.pt() + i * g.dh();
                                if (iy < 0 || iy >= g.h()) {
                                    continue;
                                }
                                for (int j = 0; j < g.kw(); j++) {
                                    int ix = ox * g.sw() - g.pl() + j * g.dw();
                                    if (ix >= 0 && ix < g.w()) {
                                        acc += in[0].getAtIndex(FLOAT, xPlane + (long) iy * g.w() + ix)
                                                * in[1].getAtIndex(FLOAT, wBase + (long) i * g.kw() + j);
                                    }
                                }
                            }
                        }
                        out[0].setAtIndex(FLOAT, (long) p * g.ohw() + (long) oy * g.ow() + ox, acc + bias);
                    }
                }
            }
        });
    }

    static CpuOp convInteger(OpSpec spec, Conv2d c) {
        ConvGeom g = geom(spec, c);
        DType xt = spec.inputs().get(0).dtype();
        DType wt = spec.inputs().get(1).dtype();
        int nIn = spec.inputs().size();
        long wZpCount = nIn > 3 ? spec.inputs().get(3).numel() : 0;
        return (in, out) -> {
            int xzp = nIn > 2 ? Quant.zeroPoint(in[2], xt) : 0;
            int[] wzp = nIn > 3 ? ScalarMatMul.expand(in[3], wt, wZpCount, g.m()) : new int[g.m()];
            integer(g, in[0], xt, xzp, in[1], wt, wzp, out[0]);
        };
    }

    static CpuOp qlinearConv(OpSpec spec, Conv2d c) {
        ConvGeom g = geom(spec, c);
        TensorType xt = spec.inputs().get(0);
        TensorType wt = spec.inputs().get(3);
        DType yt = spec.outputs().get(0).dtype();
        boolean hasBias = spec.inputs().size() == 9;
        long wScaleCount = spec.inputs().get(4).numel();
        long wZpCount = spec.inputs().get(5).numel();
        return (in, out) -> {
            int xzp = Quant.zeroPoint(in[2], xt.dtype());
            int[] wzp = ScalarMatMul.expand(in[5], wt.dtype(), wZpCount, g.m());
            double[] mult = Quant.multipliers(in[1].get(FLOAT, 0), Quant.scales(in[4], wScaleCount, g.m()), in[6].get(FLOAT, 0));
            int yzp = Quant.zeroPoint(in[7], yt);
            long total = (long) g.n() * g.m() * g.ohw();
            MemorySegment acc = MemorySegment.ofArray(new int[(int) Math.max(1, total)]);
            integer(g, in[0], xt.dtype(), xzp, in[3], wt.dtype(), wzp, acc);
            int lo = Quant.lo(yt);
            int hi = Quant.hi(yt);
            for (long e = 0; e < total; e++) {
                int ch = (int) (e / g.ohw() % g.m());
                int v = acc.getAtIndex(INT, e) + (hasBias ? in[8].getAtIndex(INT, ch) : 0);
                out[0].set(ValueLayout.JAVA_BYTE, e, (byte) Quant.requantize(v, mult[ch], yzp, lo, hi));
            }
        };
    }

    private static void integer(ConvGeom g, MemorySegment x, DType xt, int xzp, MemorySegment w, DType wt, int[] wzp,
            MemorySegment y) {
        CpuParallel.forRange(g.n() * g.m(), 1, (from, to) -> {
            for (int p = from; p < to; p++) {
                int ni = p / g.m();
                int mo = p % g.m();
                for (int oy = 0; oy < g.oh(); oy++) {
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int acc = 0;
                        for (int ci = 0; ci < g.cg(); ci++) {
                            long xPlane = ((long) ni * g.c() + (long) (mo / g.mg()) * g.cg() + ci) * g.hw();
                            long wBase = ((long) mo * g.cg() + ci) * g.kh() * g.kw();
                            for (int i = 0; i < g.kh(); i++) {
                                int iy = oy * g.sh() - g.pt() + i * g.dh();
                                if (iy < 0 || iy >= g.h()) {
                                    continue;
                                }
                                for (int j = 0; j < g.kw(); j++) {
                                    int ix = ox * g.sw() - g.pl() + j * g.dw();
                                    if (ix >= 0 && ix < g.w()) {
                                        int xv = ScalarMatMul.byteAt(x, xt, xPlane + (long) iy * g.w() + ix) - xzp;
                                        int wv = ScalarMatMul.byteAt(w, wt, wBase + (long) i * g.kw() + j) - wzp[mo];
                                        acc += xv * wv;
                                    }
                                }
                            }
                        }
                        y.setAtIndex(INT, (long) p * g.ohw() + (long) oy * g.ow() + ox, acc);
                    }
                }
            }
        });
    }

    private static ConvGeom geom(OpSpec spec, Conv2d c) {
        int wIndex = spec.op() instanceof QLinearConv ? 3 : 1;
        return ConvGeom.of(c, spec.inputs().get(0).shape(), spec.inputs().get(wIndex).shape(), spec.outputs().get(0).shape());
    }
}
