package dev.accel.backend.cpu.kernels;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.Shape;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.GlobalAveragePool;
import dev.accel.hal.op.OpSpec;
import dev.accel.hal.op.Pool2d;

/** CPU kernels for Pool2d (MaxPool, AveragePool) and GlobalAveragePool, float32 NCHW. */
public final class PoolKernels {
    private PoolKernels() {
    }

    /**
     * Compiles a spec of one of the ops above; {@code scalar} selects the scalar reference twin.
     *
     * @throws UnsupportedOpException for another op, or an input that is not float32
     */
    public static CpuOp compile(OpSpec spec, boolean scalar) {
        Vec.requireF32(spec, spec.inputs().get(0), "X");
        Shape x = spec.inputs().get(0).shape();
        return switch (spec.op()) {
            case Pool2d p -> !scalar && PoolStride2.applies(p) ? new PoolStride2(p, x, spec.outputs().get(0).shape()).compile()
                    : new Pool2dKernel(p, x, spec.outputs().get(0).shape()).compile(scalar);
            case GlobalAveragePool g -> globalAverage(x, scalar);
            default -> throw new UnsupportedOpException("cpu: " + spec + " is not a pooling op");
        };
    }

    /** The mean of each {@code H x W} plane; an empty plane gives NaN (0 / 0). */
    private static CpuOp globalAverage(Shape x, boolean scalar) {
        long planes = (long) x.dim(0) * x.dim(1);
        long hw = (long) x.dim(2) * x.dim(3);
        float count = hw;
        if (scalar) {
            return (in, out) -> {
                for (long p = 0; p < planes; p++) {
                    Vec.set(out[0], p, Vec.sumScalar(in[0], p * hw, hw) / count);
                }
            };
        }
        return (in, out) -> Vec.forItems(planes, hw, (from, to) -> {
            for (long p = from; p < to; p++) {
                Vec.set(out[0], p, Vec.sum(in[0], p * hw, hw) / count);
            }
        });
    }
}
