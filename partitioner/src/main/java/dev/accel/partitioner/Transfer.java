package dev.accel.partitioner;

/**
 * A value crossing between a device and host memory, or between two devices: one per value, form
 * and destination, however many readers it has there. Between two devices the crossing is direct
 * (one copy, a {@link Step.Kind#COPY} step) when either device's buffers are host-addressable
 * ({@link Target#hostAddressable()}), else it goes through host memory (a READ and a WRITE).
 *
 * @param value the value name in {@link Plan#graph()}
 * @param from the device it leaves, or {@link Target#HOST} for a graph input
 * @param to the device it reaches, or {@link Target#HOST} for a graph output
 * @param bytes its size
 * @param seconds estimated time of the copy (direct), or of the read and the write
 * @param direct true when it is one copy between two devices, false when host memory is one end or in between
 */
public record Transfer(String value, String from, String to, long bytes, double seconds, boolean direct) {
    /** A crossing through or to host memory (not direct). */
    public Transfer(String value, String from, String to, long bytes, double seconds) {
        this(value, from, to, bytes, seconds, false);
    }

    /** "direct", "via host" (device to device through host memory), or "host" (one end is host memory). */
    public String path() {
        if (direct) {
            return "direct";
        }
        return from.equals(Target.HOST) || to.equals(Target.HOST) ? "host" : "via host";
    }
}
