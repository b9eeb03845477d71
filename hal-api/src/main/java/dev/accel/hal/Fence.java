package dev.accel.hal;

import java.time.Duration;

/**
 * Completion of one piece of queued work (and, by queue order, of all work queued before it on the
 * same queue). Fences may be awaited from any thread and passed to {@link Queue#waitFor} of another
 * queue, also on another device.
 */
public interface Fence {
    /** True once the work has completed, successfully or not. Never blocks. */
    boolean isDone();

    /**
     * Blocks until the work has completed.
     *
     * @throws AccelException the failure of the work (device lost, kernel error), if it failed
     */
    void await();

    /**
     * Blocks at most {@code timeout}.
     *
     * @return true if the work completed (successfully) in time, false on time-out
     * @throws AccelException the failure of the work, if it failed
     */
    boolean await(Duration timeout);

    /** A fence that is already done, for work that completed synchronously. */
    static Fence done() {
        return Fences.DONE;
    }
}
