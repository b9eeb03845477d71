package dev.accel.partitioner;

import dev.accel.hal.Support;
import dev.accel.hal.op.OpSpec;

/**
 * The estimates placement minimises: seconds per kernel on a target, seconds per transfer
 * between a target and host memory, and seconds per direct crossing between two targets. {@link RooflineCostModel} computes them from each target's
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

    /**
     * Seconds of a direct crossing of {@code bytes} from a buffer of {@code from} to a buffer of
     * {@code to}: one copy instead of a read into host memory and a write out of it. The partitioner
     * asks only where one side is {@link Target#hostAddressable()}. The copy is a read by
     * {@code from}'s queue into {@code to}'s memory when {@code to} is addressable, else a write by
     * {@code to}'s queue from {@code from}'s memory, so the default prices it as that one read (or
     * write) over the host link.
     */
    default double directSeconds(Target from, Target to, long bytes) {
        return to.hostAddressable() ? readSeconds(from, bytes) : writeSeconds(to, bytes);
    }

    /** The default model: the roofline over each target's profile. */
    static CostModel roofline() {
        return RooflineCostModel.INSTANCE;
    }
}
