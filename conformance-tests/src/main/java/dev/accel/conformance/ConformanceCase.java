package dev.accel.conformance;

import dev.accel.hal.Device;
import dev.accel.hal.Queue;

/**
 * One case of the suite: an op on generated inputs checked against the float64 reference, or a
 * check of buffers, transfers and queues. Cases are immutable and deterministic: inputs come from a
 * random generator seeded by the case id, so a failure reproduces.
 */
public interface ConformanceCase {
    /** Stable identifier, {@code <op>/<dtype>/<family>}, e.g. {@code Conv/f32/depthwise-3x3-17x17}; no spaces. */
    String id();

    /** The op (or "Buffer", "Queue") the case exercises, as reports group it. */
    String op();

    /** The dtype under test, or a pair such as {@code f32->i8} or {@code u8xi8}. */
    String dtype();

    /** A short description of the shapes. */
    String shape();

    /**
     * Runs the case on {@code device}, using {@code queue} (of that device) for its work, and says
     * PASSED, FAILED or UNSUPPORTED. Expected failures are applied by the caller.
     *
     * @throws QueueStuckException when the device did not finish the case's work in time; the queue
     *     must then be abandoned
     */
    CaseResult run(Device device, Queue queue);
}
