package dev.accel.backend.opencl;

import dev.accel.hal.Kernel;
import dev.accel.hal.op.OpSpec;

/** A prepared op spec on one OpenCL device: its compiled kernels and constant metadata. */
final class OclKernel implements Kernel {
    private final OclDevice device;
    private final OpSpec spec;
    private final OclOp op;
    private volatile boolean closed;

    OclKernel(OclDevice device, OpSpec spec, OclOp op) {
        this.device = device;
        this.spec = spec;
        this.op = op;
    }

    @Override
    public OpSpec spec() {
        return spec;
    }

    @Override
    public OclDevice device() {
        return device;
    }

    OclOp op() {
        return op;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        op.close();
        device.release(this);
    }

    @Override
    public String toString() {
        return "OclKernel(" + spec + ")";
    }
}
