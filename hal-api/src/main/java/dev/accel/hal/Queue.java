package dev.accel.hal;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * An ordered stream of asynchronous work on one device: each operation starts after the previous
 * one on the same queue has completed, and returns a {@link Fence} for its completion. Order
 * across queues (and devices) comes from {@link #waitFor}.
 *
 * <p>Host memory passed to {@link #write} and {@link #read} must stay alive, and must not be
 * touched by the caller, until the returned fence is done. All checks of arguments happen at the
 * call, before anything is queued, and throw {@link InvalidArgumentException} (or
 * {@link IllegalStateException} for a closed queue); failures of the work itself surface from
 * {@link Fence#await}.
 *
 * <p>Failure: once a piece of work fails, a queue may refuse everything queued after it (each later
 * fence then fails with a message naming the first failure), so that nothing computed from a
 * half-failed sequence looks complete. A {@link #marker()} fence fails when any earlier work on
 * the queue failed. Callers recover by closing the queue and making a new one.
 *
 * <p>Thread safety: a queue may be used from several threads; calls are ordered as they arrive.
 * The caller owns a queue and closes it.
 */
public interface Queue extends AutoCloseable {
    /** The device this queue runs on. */
    Device device();

    /** Copies {@code src.byteSize()} bytes from host memory into {@code dst} at {@code dstOffset}. */
    Fence write(MemorySegment src, DeviceBuffer dst, long dstOffset);

    /** Copies {@code dst.byteSize()} bytes from {@code src} at {@code srcOffset} into host memory. */
    Fence read(DeviceBuffer src, long srcOffset, MemorySegment dst);

    /** Copies {@code bytes} bytes between two buffers of this queue's device. */
    Fence copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes);

    /**
     * Runs a kernel of this device. Buffers must be of this device, open, and of the kernel spec's
     * input and output types (in order); outputs must not alias inputs.
     */
    Fence dispatch(Kernel kernel, List<DeviceBuffer> inputs, List<DeviceBuffer> outputs);

    /** Makes all work queued after this call wait until {@code fence} is done, even a fence of another device. */
    void waitFor(Fence fence);

    /** A fence that is done when all work queued so far has completed. */
    Fence marker();

    /**
     * Blocks until all queued work has completed.
     *
     * @throws AccelException the first failure among that work, if any
     */
    default void finish() {
        marker().await();
    }

    /** Writes a whole host tensor into a buffer of the same type. */
    default Fence write(HostTensor src, DeviceBuffer dst) {
        Checks.sameType("write", src.type(), dst.type());
        return write(src.segment(), dst, 0);
    }

    /** Reads a whole buffer into a host tensor of the same type. */
    default Fence read(DeviceBuffer src, HostTensor dst) {
        Checks.sameType("read", src.type(), dst.type());
        return read(src, 0, dst.segment());
    }

    /** Copies a whole buffer into another of the same byte size on this device. */
    default Fence copy(DeviceBuffer src, DeviceBuffer dst) {
        if (src.byteSize() != dst.byteSize()) {
            throw new InvalidArgumentException("copy: source " + src.type() + " has " + src.byteSize()
                    + " bytes, destination " + dst.type() + " has " + dst.byteSize());
        }
        return copy(src, 0, dst, 0, src.byteSize());
    }

    /** True once closed. */
    boolean isClosed();

    /** Waits for queued work to complete, then releases the queue. Idempotent. Failures of that work are not rethrown. */
    @Override
    void close();
}
