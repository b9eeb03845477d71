package dev.accel.backend.cuda;

import java.lang.foreign.MemorySegment;

/**
 * Page-locked (pinned) host memory known to a CUDA device: either allocated by the driver
 * ({@link CudaDevice#allocateHost}) or an existing native segment registered with it
 * ({@link CudaDevice#registerHost}). Queue writes from and reads into such memory are true
 * asynchronous DMA transfers at full link speed; other host memory is staged (see
 * {@link CudaQueue}).
 *
 * <p>The caller owns it and closes it, after the transfers that use it are done; closing frees
 * allocated memory or unregisters a registered segment (which stays the caller's). Idempotent.
 */
public final class CudaHostMemory implements AutoCloseable {
    private final CudaDevice device;
    private final MemorySegment segment;
    private final CudaHostPtr pointer;
    private final boolean registered;
    private boolean closed;

    CudaHostMemory(CudaDevice device, MemorySegment segment, CudaHostPtr pointer, boolean registered) {
        this.device = device;
        this.segment = segment;
        this.pointer = pointer;
        this.registered = registered;
    }

    /** The memory; valid until {@link #close()} (for a registered segment, as long as its arena). */
    public MemorySegment segment() {
        return segment;
    }

    /** True for a registered caller segment, false for memory the driver allocated. */
    public boolean isRegistered() {
        return registered;
    }

    CudaHostPtr pointer() {
        return pointer;
    }

    /** True once closed. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /** Frees or unregisters the memory. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            device.freeHost(this);
        }
    }

    @Override
    public String toString() {
        return "CudaHostMemory(" + segment.byteSize() + " bytes, " + (registered ? "registered" : "allocated") + ")";
    }
}
