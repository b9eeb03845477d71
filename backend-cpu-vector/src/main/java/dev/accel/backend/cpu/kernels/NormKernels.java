package dev.accel.backend.cpu.kernels;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.OpSpec;

/** CPU kernels for BatchNorm, LayerNorm, Lrn, Softmax and ReduceMean. */
public final class NormKernels {
    private NormKernels() {
    }

    /** Compiles a spec of one of the ops above; {@code scalar} selects the scalar reference twin. */
    public static CpuOp compile(OpSpec spec, boolean scalar) {
        throw new UnsupportedOpException("cpu: " + spec + " has no kernel yet");
    }
}
