package dev.accel.hal;

import dev.accel.hal.op.OpSpec;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Argument checks every backend's queue applies before queueing work, so that all backends reject
 * bad calls with the same messages. Each throws {@link InvalidArgumentException} (or
 * {@link IllegalStateException} for closed objects) naming the problem and the values.
 */
public final class Checks {
    private Checks() {
    }

    /** The queue itself is open. */
    public static void queueOpen(Queue q) {
        if (q.isClosed()) {
            throw new IllegalStateException("queue of " + q.device().info().id() + " is closed; make a new one with Device.newQueue()");
        }
    }

    /** A buffer is non-null, open and belongs to {@code device}. */
    public static void buffer(String op, String what, DeviceBuffer b, Device device) {
        if (b == null) {
            throw new InvalidArgumentException(op + ": " + what + " is null");
        }
        if (b.isClosed()) {
            throw new InvalidArgumentException(op + ": " + what + " (" + b.type() + ") is closed");
        }
        if (b.device() != device) {
            String owner = b.device().info().id();
            String here = device.info().id();
            String instance = owner.equals(here) ? " (another opened instance)" : "";
            throw new InvalidArgumentException(op + ": " + what + " belongs to device " + owner + instance
                    + ", this queue runs on " + here
                    + "; copy it across through the host first");
        }
    }

    /**
     * Checks for {@link DeviceBuffer#view}: the buffer is open and {@code type} is non-null with the
     * buffer's byte size.
     */
    public static void view(DeviceBuffer b, TensorType type) {
        if (b.isClosed()) {
            throw new InvalidArgumentException("view of a closed buffer (" + b.type() + ") on " + b.device().info().id());
        }
        if (type == null) {
            throw new InvalidArgumentException("view of " + b.type() + ": the view's type is null");
        }
        if (type.byteSize() != b.byteSize()) {
            throw new InvalidArgumentException("view as " + type + " needs " + type.byteSize() + " bytes, the buffer "
                    + b.type() + " has " + b.byteSize());
        }
    }

    /** A byte range {@code [offset, offset + bytes)} lies inside a buffer. */
    public static void range(String op, String what, DeviceBuffer b, long offset, long bytes) {
        if (offset < 0 || bytes < 0 || offset > b.byteSize() - bytes) {
            throw new InvalidArgumentException(op + ": " + bytes + " bytes at offset " + offset + " do not fit " + what
                    + " of " + b.byteSize() + " bytes (" + b.type() + ")");
        }
    }

    /** Host memory is non-null and alive. */
    public static void host(String op, MemorySegment seg) {
        if (seg == null) {
            throw new InvalidArgumentException(op + ": host memory is null");
        }
        if (!seg.scope().isAlive()) {
            throw new InvalidArgumentException(op + ": host memory was freed (its arena is closed)");
        }
        if (seg.isReadOnly() && op.equals("read")) {
            throw new InvalidArgumentException("read: host destination is read-only");
        }
    }

    /** Two tensor types are equal. */
    public static void sameType(String op, TensorType actual, TensorType required) {
        if (!actual.equals(required)) {
            throw new InvalidArgumentException(op + ": host tensor is " + actual + ", buffer holds " + required);
        }
    }

    /** Full checks for {@link Queue#write}. */
    public static void write(Queue q, MemorySegment src, DeviceBuffer dst, long dstOffset) {
        queueOpen(q);
        host("write", src);
        buffer("write", "destination", dst, q.device());
        range("write", "destination", dst, dstOffset, src.byteSize());
    }

    /** Full checks for {@link Queue#read}. */
    public static void read(Queue q, DeviceBuffer src, long srcOffset, MemorySegment dst) {
        queueOpen(q);
        host("read", dst);
        buffer("read", "source", src, q.device());
        range("read", "source", src, srcOffset, dst.byteSize());
    }

    /** Full checks for {@link Queue#copy}. */
    public static void copy(Queue q, DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
        queueOpen(q);
        buffer("copy", "source", src, q.device());
        buffer("copy", "destination", dst, q.device());
        range("copy", "source", src, srcOffset, bytes);
        range("copy", "destination", dst, dstOffset, bytes);
    }

    /** Full checks for {@link Queue#dispatch}: kernel and buffers of this device, types as the spec says. */
    public static void dispatch(Queue q, Kernel kernel, List<DeviceBuffer> inputs, List<DeviceBuffer> outputs) {
        queueOpen(q);
        if (kernel == null) {
            throw new InvalidArgumentException("dispatch: kernel is null");
        }
        OpSpec spec = kernel.spec();
        String op = "dispatch " + spec.op().name();
        if (kernel.device() != q.device()) {
            String owner = kernel.device().info().id();
            String here = q.device().info().id();
            throw new InvalidArgumentException(op + ": kernel was prepared on " + owner
                    + (owner.equals(here) ? " (another opened instance)" : "") + ", this queue runs on " + here);
        }
        if (inputs == null || outputs == null) {
            throw new InvalidArgumentException(op + ": input or output list is null");
        }
        if (inputs.size() != spec.inputs().size() || outputs.size() != spec.outputs().size()) {
            throw new InvalidArgumentException(op + ": got " + inputs.size() + " inputs and " + outputs.size()
                    + " outputs, the spec " + spec + " has " + spec.inputs().size() + " and " + spec.outputs().size());
        }
        for (int i = 0; i < inputs.size(); i++) {
            DeviceBuffer b = inputs.get(i);
            buffer(op, "input " + i, b, q.device());
            if (!b.type().equals(spec.inputs().get(i))) {
                throw new InvalidArgumentException(op + ": input " + i + " is " + b.type() + ", the kernel expects "
                        + spec.inputs().get(i));
            }
        }
        for (int i = 0; i < outputs.size(); i++) {
            DeviceBuffer b = outputs.get(i);
            buffer(op, "output " + i, b, q.device());
            if (!b.type().equals(spec.outputs().get(i))) {
                throw new InvalidArgumentException(op + ": output " + i + " is " + b.type() + ", the kernel produces "
                        + spec.outputs().get(i));
            }
        }
    }

    /** The constants given to {@link Device#prepare(OpSpec, Map)}: indices in range, types equal. */
    public static void constants(OpSpec spec, Map<Integer, HostTensor> constants) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(constants, "constants");
        for (var e : constants.entrySet()) {
            Integer index = e.getKey();
            if (index == null || index < 0 || index >= spec.inputs().size()) {
                throw new InvalidArgumentException("prepare: constant input index " + index + " is out of range for "
                        + spec + " (" + spec.inputs().size() + " inputs)");
            }
            HostTensor t = Objects.requireNonNull(e.getValue(), "constant input " + index);
            if (!t.type().equals(spec.inputs().get(index))) {
                throw new InvalidArgumentException("prepare: constant input " + index + " is " + t.type() + " but "
                        + spec.op().name() + " takes " + spec.inputs().get(index) + " there");
            }
        }
    }
}
