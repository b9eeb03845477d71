package dev.accel.backend.cpu;

import dev.accel.hal.Checks;
import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.HostTensor;
import dev.accel.hal.TensorType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/** A CPU device buffer: 64-byte aligned host memory. A view shares its owner's memory and frees nothing. */
final class CpuBuffer implements DeviceBuffer {
    private final CpuDevice device;
    private final TensorType type;
    private final MemorySegment segment;
    private final Arena arena;
    private final CpuBuffer owner;

    CpuBuffer(CpuDevice device, TensorType type) {
        this.device = device;
        this.type = type;
        this.arena = Arena.ofShared();
        this.segment = arena.allocate(Math.max(1, type.byteSize()), HostTensor.ALIGNMENT).asSlice(0, type.byteSize());
        this.owner = null;
    }

    private CpuBuffer(CpuBuffer owner, TensorType type) {
        this.device = owner.device;
        this.type = type;
        this.segment = owner.segment;
        this.arena = null;
        this.owner = owner;
    }

    /** The memory; valid while the buffer is open. */
    MemorySegment segment() {
        return segment;
    }

    @Override
    public Optional<MemorySegment> hostSegment() {
        if (isClosed()) {
            throw new IllegalStateException("cpu: hostSegment of a closed buffer (" + type + ")");
        }
        return Optional.of(segment);
    }

    @Override
    public TensorType type() {
        return type;
    }

    @Override
    public CpuDevice device() {
        return device;
    }

    @Override
    public DeviceBuffer view(TensorType t) {
        Checks.view(this, t);
        return new CpuBuffer(owner != null ? owner : this, t);
    }

    @Override
    public boolean isClosed() {
        return owner != null ? owner.isClosed() : !arena.scope().isAlive();
    }

    @Override
    public void close() {
        if (owner == null && arena.scope().isAlive()) {
            arena.close();
            device.release(this);
        }
    }

    @Override
    public String toString() {
        return "CpuBuffer(" + type + (owner != null ? ", view" : "") + ")";
    }
}
