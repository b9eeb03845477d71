package dev.accel.backend.cuda;

import jcuda.Pointer;

/**
 * A JCuda pointer to host memory at a known address: JCuda has no public way to make one from a
 * number, and the copies need one for the address of a {@link java.lang.foreign.MemorySegment}.
 */
final class CudaHostPtr extends Pointer {
    /** Points at {@code address}; 0 for a pointer the driver will fill in (cuMemHostAlloc). */
    CudaHostPtr(long address) {
        super(address);
    }

    long address() {
        return getNativePointer() + getByteOffset();
    }
}
