package dev.accel.backend.cpu.kernels;

import static dev.accel.backend.cpu.kernels.Vec.F;
import static dev.accel.backend.cpu.kernels.Vec.L;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.DType;
import dev.accel.hal.TensorType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * QuantizeLinear and DequantizeLinear, per tensor or per axis. The tensor is walked as
 * {@code [outer, C, inner]} with C the quantized axis (C = 1 per tensor), so each run of
 * {@code inner} elements shares one scale and zero point.
 *
 * <p>QuantizeLinear computes {@code x / scale} in float32, rounds half to even, adds the zero point
 * and saturates; NaN gives 0 (the saturation rule of {@link dev.accel.hal.HostTensor}). The vector
 * form clamps {@code x / scale} to just past the representable range first, so that adding and
 * subtracting 1.5 * 2^23 rounds it to an integer (the Vector API has no rint). DequantizeLinear is
 * {@code (float(x) - float(zero_point)) * scale}, as the ONNX reference computes it.
 */
final class QuantKernels {
    /** 1.5 * 2^23: adding and subtracting it rounds a float of magnitude below 2^22 to an integer, half to even. */
    private static final float MAGIC = 12582912f;

    private QuantKernels() {
    }

    /** Layout of a (de)quantized tensor: runs of {@code inner} elements per channel, {@code channels} channels. */
    private record Axis(long n, long channels, long inner) {
        static Axis of(TensorType x, TensorType scale, int axis) {
            long n = x.numel();
            if (scale.numel() == 1 || x.rank() == 0) {
                return new Axis(n, 1, Math.max(1, n));
            }
            int a = x.shape().normalizeAxis(axis);
            return new Axis(n, x.shape().dim(a), Math.max(1, x.shape().product(a + 1, x.rank())));
        }
    }

    private static void forRuns(Axis ax, long from, long to, Vec.ChannelRun body) {
        Vec.forChannelRuns(ax.inner, ax.channels, from, to, body);
    }

    static CpuOp compileQuantize(TensorType x, TensorType scale, DType out, boolean hasZeroPoint, int axis,
            boolean scalar) {
        Axis ax = Axis.of(x, scale, axis);
        boolean signed = out == DType.I8;
        int qmin = signed ? -128 : 0;
        int qmax = signed ? 127 : 255;
        return (in, o) -> {
            float[] s = readScale(in[1], ax.channels);
            int[] zp = hasZeroPoint ? readZeroPoint(in[2], out, ax.channels) : new int[(int) ax.channels];
            if (scalar) {
                forRuns(ax, 0, ax.n, (off, c, len) -> {
                    for (long i = off; i < off + len; i++) {
                        o[0].set(Vec.BYTE, i, (byte) quantize(Vec.get(in[0], i), s[c], zp[c], qmin, qmax));
                    }
                });
                return;
            }
            Vec.forBlocks(ax.n, (from, to) -> forRuns(ax, from, to,
                    (off, c, len) -> quantizeRun(in[0], o[0], off, len, s[c], zp[c], qmin, qmax)));
        };
    }

    /** One element: round half to even, add the zero point, saturate; NaN gives 0. */
    static int quantize(float x, float scale, int zp, int qmin, int qmax) {
        float v = x / scale;
        if (Float.isNaN(v)) {
            return 0;
        }
        float r = (float) Math.rint(v) + zp;
        return (int) Math.min(Math.max(r, qmin), qmax);
    }

    private static void quantizeRun(MemorySegment x, MemorySegment y, long off, long len, float s, int zp, int qmin,
            int qmax) {
        float lo = qmin - zp - 1;
        float hi = qmax - zp + 1;
        long ub = F.loopBound(len);
        for (long i = 0; i < ub; i += L) {
            FloatVector v = Vec.load(x, off + i).div(s).max(lo).min(hi).add(MAGIC).sub(MAGIC).add((float) zp)
                    .max((float) qmin).min((float) qmax);
            Vec.storeBytes((ByteVector) v.convertShape(VectorOperators.F2B, Vec.B, 0), y, off + i);
        }
        for (long i = ub; i < len; i++) {
            y.set(Vec.BYTE, off + i, (byte) quantize(Vec.get(x, off + i), s, zp, qmin, qmax));
        }
    }

    static CpuOp compileDequantize(TensorType x, TensorType scale, boolean hasZeroPoint, int axis, boolean scalar) {
        Axis ax = Axis.of(x, scale, axis);
        DType dt = x.dtype();
        return (in, o) -> {
            float[] s = readScale(in[1], ax.channels);
            int[] zp = hasZeroPoint ? readZeroPoint(in[2], dt, ax.channels) : new int[(int) ax.channels];
            if (scalar) {
                forRuns(ax, 0, ax.n, (off, c, len) -> {
                    for (long i = off; i < off + len; i++) {
                        Vec.set(o[0], i, ((float) readInt(dt, in[0], i) - (float) zp[c]) * s[c]);
                    }
                });
                return;
            }
            Vec.forBlocks(ax.n, (from, to) -> forRuns(ax, from, to,
                    (off, c, len) -> dequantizeRun(dt, in[0], o[0], off, len, s[c], zp[c])));
        };
    }

    private static void dequantizeRun(DType dt, MemorySegment x, MemorySegment y, long off, long len, float s, int zp) {
        float z = zp;
        long ub = F.loopBound(len);
        if (dt == DType.I32) {
            for (long i = 0; i < ub; i += L) {
                FloatVector v = (FloatVector) IntVector.fromMemorySegment(Vec.I, x, (off + i) * 4, Vec.LE)
                        .convert(VectorOperators.I2F, 0);
                Vec.store(v.sub(z).mul(s), y, off + i);
            }
        } else {
            boolean unsigned = dt == DType.U8;
            for (long i = 0; i < ub; i += L) {
                Vec.store(CastKernels.bytesToFloats(Vec.loadBytes(x, off + i), unsigned).sub(z).mul(s), y, off + i);
            }
        }
        for (long i = ub; i < len; i++) {
            Vec.set(y, off + i, ((float) readInt(dt, x, off + i) - z) * s);
        }
    }

    private static int readInt(DType t, MemorySegment s, long i) {
        return switch (t) {
            case I8 -> s.get(Vec.BYTE, i);
            case U8 -> s.get(Vec.BYTE, i) & 0xff;
            case I32 -> s.getAtIndex(Vec.INT, i);
            default -> throw new IllegalArgumentException(t + " is not a quantized type");
        };
    }

    private static float[] readScale(MemorySegment s, long channels) {
        float[] r = new float[(int) channels];
        for (int c = 0; c < channels; c++) {
            r[c] = Vec.get(s, c);
        }
        return r;
    }

    private static int[] readZeroPoint(MemorySegment s, DType t, long channels) {
        int[] r = new int[(int) channels];
        for (int c = 0; c < channels; c++) {
            r[c] = readInt(t, s, c);
        }
        return r;
    }
}
