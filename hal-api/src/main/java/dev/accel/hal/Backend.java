package dev.accel.hal;

import java.util.List;

/**
 * The service-provider interface a backend implements, found through {@link java.util.ServiceLoader}
 * (see {@link Backends}). Implementations have a public no-argument constructor that does nothing
 * costly.
 *
 * <p>Thread safety: {@link #probe()} and {@link #open()} may be called from any thread.
 */
public interface Backend {
    /** A short stable identifier: "cpu", "opencl", "vulkan", "cuda", "npu". Device ids start with it. */
    String id();

    /**
     * Says whether this backend can run here, cheaply: it loads no native library beyond what a
     * file-existence check needs and opens no device. When unavailable, the result names what is
     * missing and the fix.
     */
    Availability probe();

    /**
     * Opens every device this backend finds. The caller owns the returned devices and closes each.
     *
     * @throws BackendUnavailableException when the backend cannot run here, with the reason and fix
     */
    List<Device> open();
}
