package dev.accel.backend.cpu;

import dev.accel.hal.Kernel;
import dev.accel.hal.op.OpSpec;

/** A prepared CPU op: the spec and its compiled body. */
final class CpuKernel implements Kernel {
    private final CpuDevice device;
    private final OpSpec spec;
    private final CpuOp body;
    private volatile boolean closed;

    CpuKernel(CpuDevice device, OpSpec spec, CpuOp body) {
        this.device = device;
        this.spec = spec;
        this.body = body;
    }

    @Override
    public OpSpec spec() {
        return spec;
    }

    @Override
    public CpuDevice device() {
        return device;
    }

    CpuOp body() {
        return body;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            device.release(this);
        }
    }
}
