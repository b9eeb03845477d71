package dev.accel.backend.cuda;

import java.util.concurrent.ConcurrentLinkedQueue;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.JCudaDriver;

/**
 * A pool of CUDA events (timing disabled, the cheapest kind) for one device's fences. An event
 * returns to the pool once its fence is known to be done and nobody waits on it, or once the
 * fence is garbage; {@link #release} makes no driver call, so a {@link java.lang.ref.Cleaner}
 * thread may call it.
 */
final class CudaEvents {
    private final CudaContext context;
    private final String id;
    private final ConcurrentLinkedQueue<CUevent> free = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    CudaEvents(CudaContext context, String id) {
        this.context = context;
        this.id = id;
    }

    /** An event from the pool, or a new one. The calling thread must have the context bound. */
    CUevent acquire() {
        CUevent e = free.poll();
        if (e != null) {
            return e;
        }
        e = new CUevent();
        CudaErrors.check(JCudaDriver.cuEventCreate(e, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate on " + id);
        return e;
    }

    /** Returns an event to the pool; it must not be used by its fence any more. */
    void release(CUevent e) {
        if (!closed) {
            free.add(e);
        }
    }

    /** Destroys the pooled events; events still held by fences die with the context. */
    void close() {
        closed = true;
        context.bind();
        for (CUevent e = free.poll(); e != null; e = free.poll()) {
            JCudaDriver.cuEventDestroy(e);
        }
    }
}
