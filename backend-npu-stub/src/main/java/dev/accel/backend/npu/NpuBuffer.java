package dev.accel.backend.npu;

import dev.accel.hal.Checks;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.TensorType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * Device memory of the NPU holding one tensor: an {@code npu_buffer} handle. The handle lives in an
 * arena owned by this buffer, whose cleanup frees the device memory, so a handle passed to a
 * downcall after {@link #close()} is refused by the FFM runtime before it reaches C. A view shares
 * its owner's handle and frees nothing.
 *
 * <p>{@link #hostSegment()} is the library's {@code npu_buffer_host_pointer}: the simulator keeps
 * device memory in host memory and guarantees direct host access between queued work, ordered as
 * its synchronous copies are, which is the hal contract. The segment belongs to the same arena, so
 * it dies with the buffer instead of dangling.
 */
final class NpuBuffer implements DeviceBuffer {
    private final NpuDevice device;
    private final TensorType type;
    private final Arena arena;
    private final MemorySegment handle;
    private final NpuBuffer owner;
    /** The host segment, once asked for (empty when the device has none); null until then. */
    private Optional<MemorySegment> host;

    /** Takes ownership of a handle returned by npu_malloc. */
    NpuBuffer(NpuDevice device, TensorType type, MemorySegment raw) {
        this.device = device;
        this.type = type;
        this.arena = Arena.ofShared();
        this.handle = raw.reinterpret(arena, NpuNative::free);
        this.owner = null;
    }

    private NpuBuffer(NpuBuffer owner, TensorType type) {
        this.device = owner.device;
        this.type = type;
        this.arena = null;
        this.handle = owner.handle;
        this.owner = owner;
    }

    /** The npu_buffer handle; valid while the buffer is open. */
    MemorySegment handle() {
        return handle;
    }

    /** The buffer that owns the memory: this one, or a view's owner. */
    NpuBuffer root() {
        return owner != null ? owner : this;
    }

    @Override
    public Optional<MemorySegment> hostSegment() {
        NpuBuffer root = root();
        synchronized (root) {
            if (!root.arena.scope().isAlive()) {
                throw new IllegalStateException("hostSegment of a closed buffer (" + type + ") on " + device.info().id());
            }
            if (root.host == null) {
                MemorySegment p = NpuNative.bufferHostPointer(root.handle);
                root.host = p.address() == 0 ? Optional.empty()
                        : Optional.of(p.reinterpret(root.type.byteSize(), root.arena, null));
            }
            return root.host;
        }
    }

    @Override
    public TensorType type() {
        return type;
    }

    @Override
    public NpuDevice device() {
        return device;
    }

    @Override
    public DeviceBuffer view(TensorType t) {
        Checks.view(this, t);
        return new NpuBuffer(root(), t);
    }

    @Override
    public boolean isClosed() {
        return owner != null ? owner.isClosed() : !arena.scope().isAlive();
    }

    @Override
    public void close() {
        if (owner != null) {
            return;
        }
        synchronized (this) {
            if (!arena.scope().isAlive()) {
                return;
            }
            try {
                arena.close();
            } finally {
                device.release(this);
            }
        }
    }

    @Override
    public String toString() {
        return "NpuBuffer(" + type + ", " + device.info().id() + (owner != null ? ", view" : "") + ")";
    }
}
