package dev.accel.hal;

import dev.accel.hal.op.OpSpec;

/**
 * A prepared op for one device, ready to dispatch on that device's queues any number of times.
 * Obtained from {@link Device#prepare}; the caller owns it.
 */
public interface Kernel extends AutoCloseable {
    /** The spec this kernel runs. */
    OpSpec spec();

    /** The device it belongs to. */
    Device device();

    /** Frees compiled code and any kernel-private memory. Idempotent. */
    @Override
    void close();
}
