package dev.accel.partitioner;

/**
 * One piece of work of a plan, in the order the runtime queues it, with the estimate's start and
 * end (seconds from the start of a run).
 *
 * <ul>
 *   <li>{@link Kind#KERNEL}: node {@code node} of {@link Plan#graph()} runs on {@code device}'s
 *       compute queue, or its transfer queue when {@code transferQueue} (a conversion whose result
 *       leaves the device); Reshape and Identity are buffer views.</li>
 *   <li>{@link Kind#READ}: value {@code value} is copied from {@code device} into host memory, on
 *       the device's transfer queue, after the work that produced it.</li>
 *   <li>{@link Kind#WRITE}: value {@code value} is copied from host memory (a graph input, or the
 *       copy a READ made) into {@code device}, on its compute queue.</li>
 * </ul>
 *
 * @param kind what the step does
 * @param device the device id
 * @param node the node name of {@link Plan#graph()} for a KERNEL, else null
 * @param value the value name of {@link Plan#graph()} for a READ or WRITE, else null
 * @param transferQueue true for a READ, and for a KERNEL that runs on the transfer queue
 * @param start estimated start, seconds
 * @param end estimated end, seconds
 */
public record Step(Kind kind, String device, String node, String value, boolean transferQueue, double start, double end) {
    /** What a step does. */
    public enum Kind { KERNEL, READ, WRITE }

    /** Estimated duration in seconds. */
    public double seconds() {
        return end - start;
    }
}
