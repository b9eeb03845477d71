package dev.accel.backend.cpu.linalg;

import dev.accel.backend.cpu.CpuOp;
import dev.accel.hal.UnsupportedOpException;
import dev.accel.hal.op.OpSpec;

/** CPU kernels for MatMul, Gemm, Conv2d and the integer and quantized matmul and convolution. */
public final class LinalgKernels {
    private LinalgKernels() {
    }

    /** Compiles a spec of one of the ops above; {@code scalar} selects the scalar reference twin. */
    public static CpuOp compile(OpSpec spec, boolean scalar) {
        throw new UnsupportedOpException("cpu: " + spec + " has no kernel yet");
    }
}
