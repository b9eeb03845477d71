package dev.accel.runtime;

import dev.accel.partitioner.Plan;

/**
 * A device failed during a run, so its work was re-placed on the devices left and the run repeated.
 *
 * @param device the device that failed
 * @param cause what failed, as the device reported it
 * @param nodesMoved how many nodes of the graph the failed device had been running
 * @param plan the plan the run was repeated with
 */
public record FallbackEvent(String device, Exception cause, int nodesMoved, Plan plan) {
    /** One line for logs and the CLI. */
    public String describe() {
        return device + " failed (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + "); its " + nodesMoved
                + " nodes were re-placed on " + plan.usedTargets().stream().map(t -> t.id()).toList() + " and the run repeated";
    }
}
