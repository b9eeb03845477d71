package dev.accel.hal;

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

    /** True once this buffer (or, for a view, its owner) was closed. */
    boolean isClosed();

    /** Frees the memory. Idempotent. Work still queued on the buffer must have completed. */
    @Override
    void close();
}
