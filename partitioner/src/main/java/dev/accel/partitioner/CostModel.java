package dev.accel.partitioner;

import dev.accel.hal.Support;
import dev.accel.hal.op.OpSpec;

/**
 * The estimates placement minimises: seconds per kernel on a target, and seconds per transfer
 * between a target and host memory. {@link RooflineCostModel} computes them from each target's
 * {@link dev.accel.hal.DeviceProfile}; {@link MeasuredCostModel} replaces kernel estimates by
 * timings where it has them. Implementations are immutable and thread-safe.
 */
public interface CostModel {
    /**
     * Seconds from dispatch to completion of one kernel.
     *
     * @param spec the spec as the target would run it (in its dtype)
     * @param flops arithmetic operations of the node (dtype-independent)
     * @param target where it runs
     * @param support how the target supports the spec (never UNSUPPORTED here)
     */
    double kernelSeconds(OpSpec spec, long flops, Target target, Support support);

    /** Seconds to copy {@code bytes} from a buffer of the target into host memory. */
    double readSeconds(Target target, long bytes);

    /** Seconds to copy {@code bytes} from host memory into a buffer of the target. */
    double writeSeconds(Target target, long bytes);

    /** The default model: the roofline over each target's profile. */
    static CostModel roofline() {
        return RooflineCostModel.INSTANCE;
    }
}
