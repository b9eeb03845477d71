package dev.accel.backend.cpu.kernels;

import static dev.accel.backend.cpu.kernels.Vec.F;
import static dev.accel.backend.cpu.kernels.Vec.L;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.Shape;
import dev.accel.hal.TensorType;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.BatchNorm;
import dev.accel.hal.op.LayerNorm;
import dev.accel.hal.op.Lrn;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.ReduceMean;
import dev.accel.hal.op.Softmax;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * CPU kernels for BatchNorm, LayerNorm, Lrn, Softmax and ReduceMean, float32 (CpuOps widens half
 * types first). BatchNorm and LayerNorm live here; the others have their own classes.
 */
public final class NormKernels {
    private NormKernels() {
    }

    /**
     * Compiles a spec of one of the ops above; {@code scalar} selects the scalar reference twin.
     *
     * @throws UnsupportedOpException for another op, or an input that is not float32
     */
    public static CpuOp compile(OpSpec spec, boolean scalar) {
        for (int i = 0; i < spec.inputs().size(); i++) {
            Vec.requireF32(spec, spec.inputs().get(i), "input " + i);
        }
        TensorType x = spec.inputs().get(0);
        return switch (spec.op()) {
            case BatchNorm b -> batchNorm(x.shape(), b.epsilon(), scalar);
            case LayerNorm l -> layerNorm(spec, l, scalar);
            case Lrn l -> LrnKernel.compile(l, x.shape(), scalar);
            case Softmax s -> SoftmaxKernel.compile(x.shape(), x.shape().normalizeAxis(s.axis()), scalar);
            case ReduceMean r -> ReduceMeanKernel.compile(x.shape(), r.resolvedAxes(x.rank()), scalar);
            default -> throw new UnsupportedOpException("cpu: " + spec + " is not a normalization op");
        };
    }

    /** {@code y = (x - mean) * a + B} with {@code a = scale / sqrt(var + epsilon)} per channel. */
    private static CpuOp batchNorm(Shape x, float eps, boolean scalar) {
        long n = x.numel();
        int channels = x.dim(1);
        long inner = Math.max(1, x.product(2, x.rank()));
        return (in, out) -> {
            float[] a = new float[channels];
            float[] b = new float[channels];
            float[] m = new float[channels];
            for (int c = 0; c < channels; c++) {
                a[c] = Vec.get(in[1], c) / (float) Math.sqrt(Vec.get(in[4], c) + eps);
                b[c] = Vec.get(in[2], c);
                m[c] = Vec.get(in[3], c);
            }
            MemorySegment xs = in[0];
            MemorySegment ys = out[0];
            if (scalar) {
                for (long i = 0; i < n; i++) {
                    int c = (int) ((i / inner) % channels);
                    Vec.set(ys, i, (Vec.get(xs, i) - m[c]) * a[c] + b[c]);
                }
                return;
            }
            Vec.forBlocks(n, (from, to) -> Vec.forChannelRuns(inner, channels, from, to, (off, c, len) -> {
                FloatVector va = FloatVector.broadcast(F, a[c]);
                FloatVector vb = FloatVector.broadcast(F, b[c]);
                FloatVector vm = FloatVector.broadcast(F, m[c]);
                long ub = F.loopBound(len);
                for (long i = 0; i < ub; i += L) {
                    Vec.store(Vec.load(xs, off + i).sub(vm).mul(va).add(vb), ys, off + i);
                }
                for (long i = ub; i < len; i++) {
                    Vec.set(ys, off + i, (Vec.get(xs, off + i) - m[c]) * a[c] + b[c]);
                }
            }));
        };
    }

    /**
     * Rows of the normalised size D: mean, then the population variance from the deviations (two
     * passes, so large means do not cancel), then {@code (x - mean) / sqrt(var + eps) * scale + B}.
     */
    private static CpuOp layerNorm(OpSpec spec, LayerNorm op, boolean scalar) {
        Shape x = spec.inputs().get(0).shape();
        int axis = x.normalizeAxis(op.axis());
        Shape norm = Shape.of(Arrays.copyOfRange(x.dims(), axis, x.rank()));
        long d = norm.numel();
        long rows = x.product(0, axis);
        if (d > Integer.MAX_VALUE - 8) {
            throw new UnsupportedOpException("cpu: LayerNormalization over " + d + " elements per row; at most "
                    + (Integer.MAX_VALUE - 8) + " are supported");
        }
        Shape scaleShape = spec.inputs().get(1).shape();
        Shape biasShape = spec.inputs().size() > 2 ? spec.inputs().get(2).shape() : null;
        float eps = op.epsilon();
        return (in, out) -> {
            if (rows == 0 || d == 0) {
                return;
            }
            float[] g = expand(in[1], scaleShape, norm);
            float[] b = biasShape == null ? new float[(int) d] : expand(in[2], biasShape, norm);
            MemorySegment xs = in[0];
            MemorySegment ys = out[0];
            if (scalar) {
                for (long r = 0; r < rows; r++) {
                    layerNormRowScalar(xs, ys, r * d, (int) d, g, b, eps);
                }
                return;
            }
            Vec.forItems(rows, d * 4, (from, to) -> {
                for (long r = from; r < to; r++) {
                    layerNormRow(xs, ys, r * d, (int) d, g, b, eps);
                }
            });
        };
    }

    private static void layerNormRowScalar(MemorySegment xs, MemorySegment ys, long off, int d, float[] g, float[] b,
            float eps) {
        float mean = Vec.sumScalar(xs, off, d) / d;
        float ss = 0;
        for (int i = 0; i < d; i++) {
            float t = Vec.get(xs, off + i) - mean;
            ss += t * t;
        }
        float std = (float) Math.sqrt(ss / d + eps);
        for (int i = 0; i < d; i++) {
            Vec.set(ys, off + i, (Vec.get(xs, off + i) - mean) / std * g[i] + b[i]);
        }
    }

    private static void layerNormRow(MemorySegment xs, MemorySegment ys, long off, int d, float[] g, float[] b, float eps) {
        float mean = Vec.sum(xs, off, d) / d;
        FloatVector vm = FloatVector.broadcast(F, mean);
        FloatVector acc = FloatVector.zero(F);
        int ub = F.loopBound(d);
        for (int i = 0; i < ub; i += L) {
            FloatVector t = Vec.load(xs, off + i).sub(vm);
            acc = t.fma(t, acc);
        }
        float ss = acc.reduceLanes(VectorOperators.ADD);
        for (int i = ub; i < d; i++) {
            float t = Vec.get(xs, off + i) - mean;
            ss += t * t;
        }
        float std = (float) Math.sqrt(ss / d + eps);
        FloatVector vs = FloatVector.broadcast(F, std);
        for (int i = 0; i < ub; i += L) {
            FloatVector y = Vec.load(xs, off + i).sub(vm).div(vs).mul(FloatVector.fromArray(F, g, i))
                    .add(FloatVector.fromArray(F, b, i));
            Vec.store(y, ys, off + i);
        }
        for (int i = ub; i < d; i++) {
            Vec.set(ys, off + i, (Vec.get(xs, off + i) - mean) / std * g[i] + b[i]);
        }
    }

    /** A parameter tensor broadcast to the full normalised shape, as a dense array. */
    static float[] expand(MemorySegment p, Shape from, Shape to) {
        long[] st = from.broadcastStrides(to);
        int[] dims = to.dims();
        float[] r = new float[(int) to.numel()];
        int[] idx = new int[dims.length];
        for (int i = 0; i < r.length; i++) {
            long o = 0;
            for (int k = 0; k < dims.length; k++) {
                o += idx[k] * st[k];
            }
            r[i] = Vec.get(p, o);
            for (int k = dims.length - 1; k >= 0; k--) {
                if (++idx[k] < dims[k]) {
                    break;
                }
                idx[k] = 0;
            }
        }
        return r;
    }
}
