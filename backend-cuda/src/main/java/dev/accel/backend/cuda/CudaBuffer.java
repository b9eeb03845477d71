package dev.accel.backend.cuda;

import dev.accel.hal.Checks;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.TensorType;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/**
 * Device memory of one GPU holding one tensor ({@code cuMemAlloc}, 256-byte aligned). An empty
 * tensor allocates nothing and has address 0. A view shares its owner's memory and frees nothing.
 */
final class CudaBuffer implements DeviceBuffer {
    private final CudaDevice device;
    private final TensorType type;
    private final CudaDevicePtr pointer;
    private final CudaBuffer owner;
    private volatile boolean closed;

    /** Takes ownership of {@code pointer} (null for an empty tensor). */
    CudaBuffer(CudaDevice device, TensorType type, CudaDevicePtr pointer) {
        this.device = device;
        this.type = type;
        this.pointer = pointer;
        this.owner = null;
    }

    private CudaBuffer(CudaBuffer owner, TensorType type) {
        this.device = owner.device;
        this.type = type;
        this.pointer = owner.pointer;
        this.owner = owner;
    }

    /** The device address of the first byte (0 for an empty tensor). */
    long address() {
        return pointer == null ? 0 : pointer.address();
    }

    /** A JCuda pointer {@code offset} bytes into the buffer. */
    CUdeviceptr at(long offset) {
        return pointer.withByteOffset(offset);
    }

    @Override
    public TensorType type() {
        return type;
    }

    @Override
    public CudaDevice device() {
        return device;
    }

    @Override
    public DeviceBuffer view(TensorType t) {
        Checks.view(this, t);
        return new CudaBuffer(owner != null ? owner : this, t);
    }

    @Override
    public boolean isClosed() {
        return owner != null ? owner.isClosed() : closed;
    }

    @Override
    public void close() {
        if (owner != null) {
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (pointer != null && device.contextAlive()) {
            device.context().bind();
            JCudaDriver.cuMemFree(pointer);
        }
        device.release(this);
    }

    @Override
    public String toString() {
        return "CudaBuffer(" + type + ", " + device.info().id() + (owner != null ? ", view" : "") + ")";
    }
}
