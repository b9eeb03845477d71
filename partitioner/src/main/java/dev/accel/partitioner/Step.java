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
 *   <li>{@link Kind#COPY}: value {@code value} crosses directly, with one copy, between
 *       {@code device} and {@code peer}. With {@code transferQueue}, {@code device} is the source
 *       and its transfer queue reads the value straight into the host-addressable memory of the
 *       destination {@code peer}; without, {@code device} is the destination and its compute queue
 *       writes the value straight from the host-addressable memory of the source {@code peer}.
 *       {@link #source()} and {@link #destination()} say which is which. The runtime copies through
 *       host memory instead (a read and a write, in this one step) when the buffers it meets turn
 *       out to have no host segment.</li>
 * </ul>
 *
 * <p>{@code device} is always the device whose queue runs the step.
 *
 * @param kind what the step does
 * @param device the device id whose queue runs it
 * @param node the node name of {@link Plan#graph()} for a KERNEL, else null
 * @param value the value name of {@link Plan#graph()} for a READ, WRITE or COPY, else null
 * @param transferQueue true for a READ, a COPY made by its source, and a KERNEL that runs on the transfer queue
 * @param start estimated start, seconds
 * @param end estimated end, seconds
 * @param peer for a COPY, the other device id; else null
 */
public record Step(Kind kind, String device, String node, String value, boolean transferQueue, double start, double end,
                   String peer) {
    /** What a step does. */
    public enum Kind { KERNEL, READ, WRITE, COPY }

    public Step {
        if ((kind == Kind.COPY) != (peer != null)) {
            throw new dev.accel.hal.InvalidArgumentException("a COPY step needs a peer device and no other step has one: " + kind + ", peer "
                    + peer);
        }
    }

    /** A step that is not a COPY. */
    public Step(Kind kind, String device, String node, String value, boolean transferQueue, double start, double end) {
        this(kind, device, node, value, transferQueue, start, end, null);
    }

    /** Estimated duration in seconds. */
    public double seconds() {
        return end - start;
    }

    /** For a COPY, the device the value leaves; else {@link #device()}. */
    public String source() {
        return kind == Kind.COPY && !transferQueue ? peer : device;
    }

    /** For a COPY, the device the value reaches; else {@link #device()}. */
    public String destination() {
        return kind == Kind.COPY && transferQueue ? peer : device;
    }
}
