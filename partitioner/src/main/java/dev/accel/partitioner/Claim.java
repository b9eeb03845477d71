package dev.accel.partitioner;

import dev.accel.hal.Support;
import dev.accel.hal.op.OpSpec;

/**
 * What one target says about one node in one precision: whether it runs it (and how), with what
 * spec, and at what estimated cost.
 *
 * @param target the target id
 * @param precision the precision asked about
 * @param spec the node's spec in that precision, or null when the node has no form in it (an
 *     integer op has no float16 form; int8 needs quantization parameters)
 * @param support NATIVE, EMULATED or UNSUPPORTED, with the reason (for a missing form, UNSUPPORTED
 *     with why there is no form)
 * @param seconds the estimated kernel time, or NaN when not runnable
 * @param allowed false when the preferences rule this out (a forbidden device, a pin elsewhere, a
 *     fusion group that cannot run there together); {@code note} says which. Precisions the policy
 *     does not allow are not claimed at all
 * @param note why a runnable claim is not allowed, or empty
 */
public record Claim(String target, Precision precision, OpSpec spec, Support support, double seconds, boolean allowed,
                    String note) {
    /** True when the target can run the node in this precision. */
    public boolean runnable() {
        return spec != null && support.runnable();
    }

    /** True when placement may choose this claim. */
    public boolean usable() {
        return runnable() && allowed;
    }
}
