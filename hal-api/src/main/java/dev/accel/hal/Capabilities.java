package dev.accel.hal;

import dev.accel.hal.op.OpSpec;

/**
 * What a device can run. Callers ask here instead of testing a device's class. Answers are cheap
 * (no compilation) and stable for the device's lifetime.
 */
public interface Capabilities {
    /** NATIVE, EMULATED or UNSUPPORTED for this spec, always with a reason unless NATIVE. */
    Support support(OpSpec spec);
}
