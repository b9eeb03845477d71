package dev.accel.hal;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * Memory on a device holding one dense tensor. Created by {@link Device#allocate}; the caller owns
 * it. Contents are undefined until written.
 *
 * <p>Thread safety: the handle may be shared; ordering of reads and writes of the contents is the
 * job of {@link Queue}s and {@link Fence}s.
 */
public interface DeviceBuffer extends AutoCloseable {
    /** The tensor type this buffer holds. */
    TensorType type();

    /** The device that owns this buffer's memory. */
    Device device();

    /** Size in bytes: {@code type().byteSize()}. */
    default long byteSize() {
        return type().byteSize();
    }

    /**
     * A buffer over the same memory with another type of the same byte size, for Reshape without a
     * copy. The view is valid while this buffer is open; closing the view frees nothing.
     *
     * @throws InvalidArgumentException when the byte sizes differ
     */
    DeviceBuffer view(TensorType type);

    /**
     * This buffer's memory as host memory, when the device keeps it where the host can address it
     * (the CPU, the NPU simulator's host-side memory, a persistently mapped host-coherent
     * allocation); empty otherwise. It lets a tensor cross from one device to another with one copy
     * instead of two through a staging tensor. Accesses through the segment are ordered like any
     * other: only once the fence of the last work on this buffer has completed, and not while queued
     * work may still touch it. Valid while the buffer is open: the segment cannot be accessed after
     * {@link #close()}.
     *
     * @throws IllegalStateException when the buffer is closed
     */
    default Optional<MemorySegment> hostSegment() {
        return Optional.empty();
    }

    /** True once this buffer (or, for a view, its owner) was closed. */
    boolean isClosed();

    /** Frees the memory. Idempotent. Work still queued on the buffer must have completed. */
    @Override
    void close();
}
