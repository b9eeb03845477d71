package dev.accel.backend.cuda;

import jcuda.driver.CUdeviceptr;

/** A JCuda device pointer whose numeric address this backend can read, to pack it into kernel arguments. */
final class CudaDevicePtr extends CUdeviceptr {
    /** The device address, 0 before allocation. */
    long address() {
        return getNativePointer() + getByteOffset();
    }
}
