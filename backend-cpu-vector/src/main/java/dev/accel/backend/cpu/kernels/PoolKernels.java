package dev.accel.backend.cpu.kernels;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.OpSpec;

/** CPU kernels for Pool2d and GlobalAveragePool. */
public final class PoolKernels {
    private PoolKernels() {
    }

    /** Compiles a spec of one of the ops above; {@code scalar} selects the scalar reference twin. */
    public static CpuOp compile(OpSpec spec, boolean scalar) {
        throw new UnsupportedOpException("cpu: " + spec + " has no kernel yet");
    }
}
