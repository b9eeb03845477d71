package dev.accel.backend.cuda;

import jcuda.driver.CUstream;

/** A JCuda stream whose raw handle this backend can read, to hand it to libraries bound through FFM (cuBLAS). */
final class CudaStreamHandle extends CUstream {
    /** The {@code CUstream} handle value. */
    long handle() {
        return getNativePointer();
    }
}
