package dev.accel.hal;

import java.time.Duration;
import java.util.OptionalLong;

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

    /**
     * When the device started the work, as a {@link System#nanoTime()} reading it took then; empty
     * when the device does not stamp its work (a GPU whose clock is its own, say) or the work has not
     * started. For traces: a thread that notices completion later than it happened would stretch
     * the spans.
     */
    default OptionalLong startedAt() {
        return OptionalLong.empty();
    }

    /**
     * When the device finished the work, as a {@link System#nanoTime()} reading; empty when the
     * device does not stamp its work or the work is not done. See {@link #startedAt()}.
     */
    default OptionalLong completedAt() {
        return OptionalLong.empty();
    }

    /**
     * Whether this fence stamps {@link #completedAt()} itself (and {@link #startedAt()} where it can).
     * A tracer then reads the times once the run is done instead of watching each fence complete: a
     * watcher awaiting fences one by one takes CPU time from the work it times (on the CPU device
     * it shares the cores with the kernels, and the CPU queue's fences spin before they block).
     */
    default boolean stampsCompletion() {
        return false;
    }

    /** A fence that is already done, for work that completed synchronously. */
    static Fence done() {
        return Fences.DONE;
    }
}
