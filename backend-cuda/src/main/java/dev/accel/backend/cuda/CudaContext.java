package dev.accel.backend.cuda;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

/**
 * One GPU's primary context (the one the CUDA runtime, and so cuBLAS, also use), retained while
 * the device is open. The driver API acts on the calling thread's current context, so every
 * entry point of this backend calls {@link #bind()} first; a thread-local remembers what is
 * current, so that costs a lookup once the thread is bound.
 */
final class CudaContext {
    private static final ThreadLocal<CUcontext> CURRENT = new ThreadLocal<>();

    private final CUdevice device;
    private final CUcontext context;
    private final String id;
    private boolean released;

    CudaContext(int ordinal, String id) {
        this.id = id;
        this.device = new CUdevice();
        CudaErrors.check(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
        this.context = new CUcontext();
        CudaErrors.check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain for " + id);
    }

    CUdevice device() {
        return device;
    }

    /** Makes this context current on the calling thread. */
    void bind() {
        if (CURRENT.get() != context) {
            CudaErrors.check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent for " + id);
            CURRENT.set(context);
        }
    }

    /** An integer attribute of the GPU, or {@code fallback} when the driver does not know it. */
    int attribute(int attribute, int fallback) {
        int[] v = new int[1];
        return JCudaDriver.cuDeviceGetAttribute(v, attribute, device) == 0 ? v[0] : fallback;
    }

    /** Releases the primary context (the driver destroys it with its last user). Idempotent. */
    synchronized void release() {
        if (!released) {
            released = true;
            if (CURRENT.get() == context) {
                JCudaDriver.cuCtxSetCurrent(new CUcontext());
                CURRENT.remove();
            }
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
        }
    }
}
