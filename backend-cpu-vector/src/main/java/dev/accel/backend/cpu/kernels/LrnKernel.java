package dev.accel.backend.cpu.kernels;

import static dev.accel.backend.cpu.kernels.Vec.F;
import static dev.accel.backend.cpu.kernels.Vec.L;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.Shape;
import dev.accel.hal.op.Lrn;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * LRN across channels: {@code y = x / (bias + alpha / size * sum(x^2))^beta}, the sum over channels
 * {@code [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)]} clipped to {@code [0, C)}. One work
 * item is one output plane; the vector loops run along the plane.
 */
final class LrnKernel {
    private LrnKernel() {
    }

    static CpuOp compile(Lrn op, Shape x, boolean scalar) {
        int n = x.dim(0);
        int channels = x.dim(1);
        long plane = (long) x.dim(2) * x.dim(3);
        int before = (op.size() - 1) / 2;
        int after = op.size() - 1 - before;
        float k = op.alpha() / op.size();
        float bias = op.bias();
        float beta = op.beta();
        return (in, out) -> {
            if (plane == 0) {
                return;
            }
            long planes = (long) n * channels;
            if (scalar) {
                for (long p = 0; p < planes; p++) {
                    planeScalar(in[0], out[0], p, channels, plane, before, after, k, bias, beta);
                }
                return;
            }
            Vec.forItems(planes, plane * op.size(), (from, to) -> {
                for (long p = from; p < to; p++) {
                    planeVector(in[0], out[0], p, channels, plane, before, after, k, bias, beta);
                }
            });
        };
    }

    private static void planeScalar(MemorySegment x, MemorySegment y, long p, int channels, long plane, int before,
            int after, float k, float bias, float beta) {
        int c = (int) (p % channels);
        long batch = p - c;
        int c0 = Math.max(0, c - before);
        int c1 = Math.min(channels - 1, c + after);
        for (long i = 0; i < plane; i++) {
            float sum = 0;
            for (int cc = c0; cc <= c1; cc++) {
                float v = Vec.get(x, (batch + cc) * plane + i);
                sum += v * v;
            }
            float d = (float) Math.pow(bias + k * sum, beta);
            Vec.set(y, p * plane + i, Vec.get(x, p * plane + i) / d);
        }
    }

    private static void planeVector(MemorySegment x, MemorySegment y, long p, int channels, long plane, int before,
            int after, float k, float bias, float beta) {
        int c = (int) (p % channels);
        long batch = p - c;
        int c0 = Math.max(0, c - before);
        int c1 = Math.min(channels - 1, c + after);
        long ub = F.loopBound(plane);
        FloatVector vb = FloatVector.broadcast(F, bias);
        for (long i = 0; i < ub; i += L) {
            FloatVector sum = FloatVector.zero(F);
            for (int cc = c0; cc <= c1; cc++) {
                FloatVector v = Vec.load(x, (batch + cc) * plane + i);
                sum = sum.add(v.mul(v));
            }
            FloatVector d = sum.mul(k).add(vb).lanewise(VectorOperators.POW, beta);
            Vec.store(Vec.load(x, p * plane + i).div(d), y, p * plane + i);
        }
        for (long i = ub; i < plane; i++) {
            float sum = 0;
            for (int cc = c0; cc <= c1; cc++) {
                float v = Vec.get(x, (batch + cc) * plane + i);
                sum += v * v;
            }
            Vec.set(y, p * plane + i, Vec.get(x, p * plane + i) / (float) Math.pow(bias + k * sum, beta));
        }
    }
}
