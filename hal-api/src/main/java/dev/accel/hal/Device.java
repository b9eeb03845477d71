package dev.accel.hal;

import dev.accel.hal.op.OpSpec;

/**
 * One device of a backend. Obtained from {@link Backend#open()}; the caller owns it and must close
 * it, which frees every buffer, queue and kernel made from it that is still open.
 *
 * <p>Thread safety: all methods may be called from any thread.
 */
public interface Device extends AutoCloseable {
    DeviceInfo info();

    /** What this device can run, per op spec. */
    Capabilities capabilities();

    /** Performance figures for the cost model: declared until calibrated. */
    DeviceProfile profile();

    /**
     * Allocates an uninitialised buffer for a tensor of this type; the caller owns it.
     *
     * @throws OutOfDeviceMemoryException with the requested bytes when the device has too little
     * @throws IllegalStateException when the device is closed
     */
    DeviceBuffer allocate(TensorType type);

    /** A new queue of ordered work on this device; the caller owns it. */
    Queue newQueue();

    /**
     * Compiles or selects the kernel for an op spec; the caller owns it. Preparing is the costly
     * step (program builds, pipeline creation); dispatching a prepared kernel is cheap.
     *
     * @throws UnsupportedOpException with the reason when {@link Capabilities#support} says
     *     UNSUPPORTED
     */
    Kernel prepare(OpSpec spec);

    /** True once {@link #close()} ran. */
    boolean isClosed();

    /** Frees everything this device holds. Idempotent. */
    @Override
    void close();
}
