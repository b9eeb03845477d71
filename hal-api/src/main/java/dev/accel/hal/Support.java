package dev.accel.hal;

/**
 * How a device supports an op spec, with the reason. NATIVE: run by the device's own kernels.
 * EMULATED: run, but through a slower route (for example F16 stored as half and computed in float
 * where the device lacks half arithmetic), so the cost model may prefer another device.
 * UNSUPPORTED: cannot run here; the reason says why.
 */
public record Support(Level level, String reason) {
    /** The three levels of support. */
    public enum Level { NATIVE, EMULATED, UNSUPPORTED }

    public Support {
        if (level == null || reason == null) {
            throw new InvalidArgumentException("Support: level and reason must be non-null");
        }
    }

    public static Support nativeSupport() {
        return new Support(Level.NATIVE, "");
    }

    public static Support emulated(String reason) {
        return new Support(Level.EMULATED, reason);
    }

    public static Support unsupported(String reason) {
        return new Support(Level.UNSUPPORTED, reason);
    }

    /** True unless UNSUPPORTED. */
    public boolean runnable() {
        return level != Level.UNSUPPORTED;
    }

    @Override
    public String toString() {
        return reason.isEmpty() ? level.name() : level + " (" + reason + ")";
    }
}
