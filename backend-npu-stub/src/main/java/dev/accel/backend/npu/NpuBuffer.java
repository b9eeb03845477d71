package dev.accel.backend.npu;

import dev.accel.hal.Checks;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.TensorType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Device memory of the NPU holding one tensor: an {@code npu_buffer} handle, not host memory. The
 * handle lives in an arena owned by this buffer, whose cleanup frees the device memory, so a handle
 * passed to a downcall after {@link #close()} is refused by the FFM runtime before it reaches C. A
 * view shares its owner's handle and frees nothing.
 */
final class NpuBuffer implements DeviceBuffer {
    private final NpuDevice device;
    private final TensorType type;
    private final Arena arena;
    private final MemorySegment handle;
    private final NpuBuffer owner;

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
