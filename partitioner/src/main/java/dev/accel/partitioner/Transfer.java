package dev.accel.partitioner;

/**
 * A value crossing between a device and host memory, or between two devices through host memory:
 * one per value, form and destination, however many readers it has there.
 *
 * @param value the value name in {@link Plan#graph()}
 * @param from the device it leaves, or {@link Target#HOST} for a graph input
 * @param to the device it reaches, or {@link Target#HOST} for a graph output
 * @param bytes its size
 * @param seconds estimated time of the read and the write
 */
public record Transfer(String value, String from, String to, long bytes, double seconds) {
}
