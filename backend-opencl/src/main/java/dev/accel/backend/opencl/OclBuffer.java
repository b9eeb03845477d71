package dev.accel.backend.opencl;

import dev.accel.hal.Checks;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.TensorType;
import org.jocl.CL;
import org.jocl.cl_mem;

/**
 * A {@code cl_mem} holding one tensor. A view shares its owner's handle under another type of the
 * same byte size and releases nothing. Empty tensors still hold a one-byte allocation, since OpenCL
 * has no zero-sized buffers.
 *
 * <p>No {@link #hostSegment()} (it stays empty), even on host-unified devices where the buffer is
 * CL_MEM_ALLOC_HOST_PTR memory, or CL_MEM_USE_HOST_PTR over a host tensor: OpenCL defines host
 * access to a buffer's memory only between clEnqueueMapBuffer and the matching
 * clEnqueueUnmapMemObject. Even with CL_MEM_USE_HOST_PTR the implementation may cache the contents
 * in device memory, and host_ptr is guaranteed to hold the latest bits of a region only once a map
 * of that region has completed. A segment valid only while mapped would need a map and an unmap
 * around each use, which the hal contract ("once the fences of prior work completed, no call
 * needed") cannot express; and a buffer left mapped for writing must not be used by enqueued
 * commands. A crossing to or from this device therefore takes the queue's read and write.
 */
final class OclBuffer implements DeviceBuffer {
    private final OclDevice device;
    private final TensorType type;
    private final cl_mem mem;
    private final OclBuffer owner;
    private volatile boolean closed;

    OclBuffer(OclDevice device, TensorType type, cl_mem mem) {
        this.device = device;
        this.type = type;
        this.mem = mem;
        this.owner = null;
    }

    private OclBuffer(OclBuffer owner, TensorType type) {
        this.device = owner.device;
        this.type = type;
        this.mem = owner.mem;
        this.owner = owner;
    }

    /** The handle; valid while open. */
    cl_mem mem() {
        return mem;
    }

    @Override
    public TensorType type() {
        return type;
    }

    @Override
    public OclDevice device() {
        return device;
    }

    @Override
    public DeviceBuffer view(TensorType t) {
        Checks.view(this, t);
        return new OclBuffer(owner != null ? owner : this, t);
    }

    @Override
    public boolean isClosed() {
        return owner != null ? owner.isClosed() : closed;
    }

    @Override
    public void close() {
        if (owner != null || closed) {
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        // OpenCL keeps the memory alive until commands already queued on it have finished.
        CL.clReleaseMemObject(mem);
        device.release(this);
    }

    @Override
    public String toString() {
        return "OclBuffer(" + type + (owner != null ? ", view" : "") + ")";
    }
}
