package dev.accel.conformance;

import dev.accel.hal.DeviceBuffer;
import dev.accel.hal.InvalidArgumentException;
import dev.accel.hal.TensorType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/** Host memory standing in for device memory; a view shares its owner's memory. */
final class FakeBuffer implements DeviceBuffer {
    private final FakeDevice device;
    private final TensorType type;
    private final Arena arena;
    private final MemorySegment segment;
    private final FakeBuffer owner;

    FakeBuffer(FakeDevice device, TensorType type) {
        this.device = device;
        this.type = type;
        this.arena = Arena.ofShared();
        this.segment = arena.allocate(Math.max(1, type.byteSize()), 64).asSlice(0, type.byteSize());
        this.owner = null;
    }

    private FakeBuffer(FakeBuffer owner, TensorType type) {
        this.device = owner.device;
        this.type = type;
        this.arena = null;
        this.segment = owner.segment;
        this.owner = owner;
    }

    MemorySegment segment() {
        return segment;
    }

    @Override
    public Optional<MemorySegment> hostSegment() {
        return switch (device.hostSegments) {
            case EXPOSED -> Optional.of(segment);
            case NONE -> Optional.empty();
            case ONE_BYTE_SHORT -> Optional.of(segment.asSlice(0, Math.max(0, segment.byteSize() - 1)));
        };
    }

    @Override
    public TensorType type() {
        return type;
    }

    @Override
    public FakeDevice device() {
        return device;
    }

    @Override
    public DeviceBuffer view(TensorType t) {
        if (t.byteSize() != type.byteSize()) {
            throw new InvalidArgumentException("view as " + t + " needs " + t.byteSize() + " bytes, " + type + " has "
                    + type.byteSize());
        }
        return new FakeBuffer(owner == null ? this : owner, t);
    }

    @Override
    public boolean isClosed() {
        return owner != null ? owner.isClosed() : !arena.scope().isAlive();
    }

    @Override
    public void close() {
        if (owner == null && arena.scope().isAlive()) {
            arena.close();
        }
    }
}
