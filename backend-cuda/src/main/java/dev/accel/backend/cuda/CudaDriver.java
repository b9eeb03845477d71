package dev.accel.backend.cuda;

import dev.accel.hal.BackendUnavailableException;
import jcuda.driver.JCudaDriver;

/**
 * Loads JCuda's driver binding and initialises the CUDA driver, once per JVM. Loading is where a
 * missing or broken driver shows: JCuda's JNI library links against {@code libcuda.so.1}, so any
 * {@link LinkageError} here (or JCuda's own loader exception) becomes a
 * {@link BackendUnavailableException} that says what to install.
 */
final class CudaDriver {
    private static boolean initialised;
    private static BackendUnavailableException failure;

    private CudaDriver() {
    }

    /**
     * Loads JCuda and runs {@code cuInit}; later calls return at once (or rethrow the first failure).
     *
     * @throws BackendUnavailableException when JCuda's native library or the driver cannot be loaded or started
     */
    static synchronized void init() {
        if (failure != null) {
            throw failure;
        }
        if (initialised) {
            return;
        }
        try {
            JCudaDriver.setExceptionsEnabled(false);
        } catch (LinkageError | RuntimeException e) {
            failure = new BackendUnavailableException("cuda backend: JCuda could not load its driver binding"
                    + " (libJCudaDriver-12.6.0-linux-x86_64.so, which needs libcuda.so.1): " + e
                    + "; fix: " + CudaBackend.DRIVER_FIX + ", and start java with --enable-native-access=ALL-UNNAMED", e);
            throw failure;
        }
        int r = JCudaDriver.cuInit(0);
        if (r != 0) {
            failure = new BackendUnavailableException("cuda backend: " + CudaErrors.exception(r, "cuInit").getMessage());
            throw failure;
        }
        initialised = true;
    }

    /** Number of GPUs the driver sees. */
    static int deviceCount() {
        int[] n = new int[1];
        CudaErrors.check(JCudaDriver.cuDeviceGetCount(n), "cuDeviceGetCount");
        return n[0];
    }

    /** The driver's CUDA version as "12.8", or "unknown". */
    static String driverVersion() {
        int[] v = new int[1];
        if (JCudaDriver.cuDriverGetVersion(v) != 0) {
            return "unknown";
        }
        return (v[0] / 1000) + "." + (v[0] % 1000 / 10);
    }
}
