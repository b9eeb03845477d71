package dev.accel.runtime;

import dev.accel.partitioner.Step;

/**
 * A step of a traced run with its measured times (seconds from the start of the run's
 * submission). Measured from completion times: a step on a queue starts when the step before it
 * on that queue, the work it waits for, and its submission are all done.
 *
 * @param step the plan's step, with the estimate
 * @param start measured start, seconds
 * @param end measured end, seconds
 */
public record StepTiming(Step step, double start, double end) {
    public double seconds() {
        return end - start;
    }
}
